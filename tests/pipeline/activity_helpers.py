"""Shared steps of the activity tests."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import asyncpg
import httpx

from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer

TYPES = "/api/pipeline/v1/activity-types"
ACTIVITIES = "/api/pipeline/v1/activities"
CALENDAR = "/api/pipeline/v1/calendar"
NOTIFICATIONS = "/api/pipeline/v1/notifications"


async def create_type(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> dict[str, Any]:
    body = {"name_vi": f"Loại {uuid.uuid4().hex[:6]}", "name_en": "Type", "category": "call", **body}
    response = await client.post(TYPES, headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def new_customer(client: httpx.AsyncClient, user: TenantUser, name: str = "Nguyễn Văn An") -> dict[str, Any]:
    return await create_customer(client, user, name=name)


async def schedule(client: httpx.AsyncClient, user: TenantUser, record_id: str, type_id: str,
                   **body: Any) -> dict[str, Any]:
    response = await client.post(ACTIVITIES, headers=user.headers, json={
        "record_type": "customer", "record_id": record_id, "type_id": type_id, **body})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def complete(client: httpx.AsyncClient, user: TenantUser, activity_id: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{ACTIVITIES}/{activity_id}/done", headers=user.headers, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def activities_of(client: httpx.AsyncClient, user: TenantUser, record_id: str) -> list[dict[str, Any]]:
    response = await client.get(ACTIVITIES, headers=user.headers,
                                params={"record_type": "customer", "record_id": record_id})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def set_time_zone(client: httpx.AsyncClient, user: TenantUser, zone: str) -> None:
    response = await client.patch("/api/identity/v1/tenant/settings", headers=user.headers, json={"time_zone": zone})
    assert response.status_code == 200, response.text


def run_worker(env: dict[str, str]) -> None:
    """A real `crm worker --burst` on the default queue: the jobs enqueued, and the mail they queue."""
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


async def activity_events(owner_conn: asyncpg.Connection, user: TenantUser,
                          activity_id: str | None = None) -> list[tuple[str, str]]:
    """The tenant's activity events in the outbox, oldest first: (type, activity id)."""
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(user.tenant_id))
    rows = await owner_conn.fetch(
        "SELECT event_type, body::jsonb -> 'data' ->> 'id' AS id FROM webhook_outbox WHERE tenant_id = $1 "
        "AND event_type LIKE 'activity.%' ORDER BY id", user.tenant_id)
    return [(row["event_type"], row["id"]) for row in rows if activity_id in (None, row["id"])]
