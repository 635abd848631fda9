"""`emitting`: a statement that announces its own rows writes the very bytes `emit` would write from Python, so a
consumer cannot tell a job's events (the ageing's, written by SQL) from a request's; and only flat payloads."""

from __future__ import annotations

import datetime
import json
import uuid

import asyncpg
import msgspec
import pytest

from services.contacts.events import CUSTOMER_STATUS_CHANGED, CustomerStatusChanged
from services.contacts.tables import Customer
from tenants.context import tenant_transaction
from webhooks.events import EventType
from webhooks.outbox import emitting, envelope

_PAYLOADS = """
WITH payload (id, code, from_status_id, to_status_id, by, by_kind, at) AS (
    SELECT * FROM unnest({}::uuid[], {}::text[], {}::uuid[], {}::uuid[], {}::text[], {}::text[], {}::timestamptz[])
), announced AS ({})
SELECT now() AS now
"""


async def test_a_statement_announces_each_row_with_the_body_emit_writes(tenant_a, tenant_b,
                                                                        owner_conn: asyncpg.Connection):
    at = datetime.datetime(2026, 12, 3, 9, 10, tzinfo=datetime.UTC)
    payloads = [
        CustomerStatusChanged(id=uuid.uuid4(), code="KH000001", from_status_id=None, to_status_id=uuid.uuid4(),
                              by="system", by_kind="system", at=at),  # no microseconds: msgspec writes none
        CustomerStatusChanged(id=uuid.uuid4(), code='KH "Đặc biệt"\n\\ tab\t \x01 </>', from_status_id=uuid.uuid4(),
                              to_status_id=None, by=str(uuid.uuid4()), by_kind="user",
                              at=at.replace(microsecond=120)),
    ]
    columns = [[getattr(payload, field) for payload in payloads] for field in CustomerStatusChanged.__struct_fields__]
    async with tenant_transaction(tenant_a.tenant_id):
        [row] = await Customer.raw(_PAYLOADS.replace("({})", f"({emitting(CUSTOMER_STATUS_CHANGED, 'payload')})"),
                                   *columns)
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    stored = await owner_conn.fetch("SELECT event_type, body FROM webhook_outbox WHERE tenant_id = $1 "
                                    "AND event_type = 'customer.status_changed' ORDER BY id", tenant_a.tenant_id)
    assert [item["event_type"] for item in stored] == ["customer.status_changed"] * 2
    # Byte for byte what `emit` writes (so what is signed and sent), the times included.
    expected = {envelope(CUSTOMER_STATUS_CHANGED, payload, row["now"]).decode() for payload in payloads}
    assert {item["body"] for item in stored} == expected
    bodies = sorted((json.loads(item["body"]) for item in stored), key=lambda body: body["data"]["code"])
    assert {body["data"]["at"] for body in bodies} == {"2026-12-03T09:10:00Z", "2026-12-03T09:10:00.000120Z"}
    assert [msgspec.convert(body["data"], CustomerStatusChanged) for body in bodies] == sorted(
        payloads, key=lambda payload: payload.code)

    assert await owner_conn.fetchval("SELECT count(*) FROM webhook_outbox WHERE tenant_id = $1 AND body LIKE "
                                     "'%KH000001%'", tenant_b.tenant_id) == 0


class Nested(msgspec.Struct):
    ids: list[uuid.UUID]


def test_only_flat_payloads_are_emitted_from_sql():
    with pytest.raises(TypeError, match="ids"):
        emitting(EventType("test.nested", Nested, "", ""), "rows")
