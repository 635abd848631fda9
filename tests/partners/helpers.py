"""Shared steps of the partners tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import httpx

from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer

API = "/api/partners/v1"


async def new_partner(client: httpx.AsyncClient, user: TenantUser, name: str, kind: str = "dealer",
                      **body: Any) -> dict[str, Any]:
    customer = await create_customer(client, user, name=name)
    response = await client.post(f"{API}/partners", headers=user.headers,
                                 json={"customer_id": customer["id"], "kind": kind, **body})
    assert response.status_code == 201, response.text
    partner: dict[str, Any] = response.json()
    return partner


async def events_of(app_conn: asyncpg.Connection, tenant_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    """The `data` of each outbox event of this type in the tenant, oldest first."""
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        rows = await app_conn.fetch("SELECT body FROM webhook_outbox WHERE event_type = $1 ORDER BY id", event_type)
    return [json.loads(row["body"])["data"] for row in rows]
