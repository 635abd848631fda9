"""Shared steps of the products, quotations and contracts tests."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import uuid
from typing import Any

import asyncpg
import httpx
import redis

from infra.jobs import for_each_active_tenant, queue
from tests.conftest import TenantUser, TestStack
from tests.pipeline.helpers import API

TODAY = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7))).date()  # Asia/Ho_Chi_Minh


def days(n: int) -> str:
    return (TODAY + datetime.timedelta(days=n)).isoformat()


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def create_product(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> dict[str, Any]:
    body = {"code": f"SP-{uuid.uuid4().hex[:6]}", "name": "Sản phẩm", "unit": "cái", "list_price": 100_000,
            **body}
    result: dict[str, Any] = await ok(await client.post(f"{API}/products", headers=user.headers, json=body), 201)
    return result


async def as_tenant(conn: asyncpg.Connection, user: TenantUser) -> None:
    """Row-level security applies to every role: a raw connection sees a tenant's rows once it names it."""
    await conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(user.tenant_id))


async def events(conn: asyncpg.Connection, user: TenantUser, event_type: str) -> list[dict[str, Any]]:
    """The tenant's outbox events of one type, oldest first."""
    await as_tenant(conn, user)
    rows = await conn.fetch("SELECT body FROM webhook_outbox WHERE tenant_id = $1 AND event_type = $2 ORDER BY id",
                            user.tenant_id, event_type)
    return [json.loads(row["body"])["data"] for row in rows]


def run_periodic(stack: TestStack, target: str) -> None:
    """What the scheduler enqueues, run by a real worker until its queue is empty (fan-out, then one job per
    tenant, then the mail sender)."""
    queue("default", redis.Redis.from_url(stack.redis_url)).enqueue(for_each_active_tenant, target)
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
