"""The reaper: a delivery row and an outbox row that no rq job carries (as after a killed worker, or Redis
down at commit) are found by `crm webhooks reap` and delivered."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT
from tests.webhooks.test_delivery import settled_deliveries_of, verified
from tests.webhooks.test_endpoints import API, create_endpoint

pytestmark = pytest.mark.usefixtures("worker")
ENVELOPE = '{"type":"customer.deleted","timestamp":"2026-01-15T09:30:00Z","data":{"id":"%s","code":"%s"}}'


async def test_the_reaper_delivers_what_no_job_carries(client, app_conn, stack, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/reaper"), event_types=["customer.deleted"])
    other = await create_endpoint(client, tenant_b, receiver.url("/ok/reaper-b"), event_types=["customer.deleted"])
    stuck, undispatched = uuid.uuid4(), uuid.uuid4()
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        event_id = await app_conn.fetchval(
            "INSERT INTO webhook_outbox (id, tenant_id, event_type, body, dispatched_at, created_at, updated_at) "
            "VALUES (uuidv7(), $1, 'customer.deleted', $2, now(), now(), now()) RETURNING id",
            tenant_a.tenant_id, ENVELOPE % (stuck, "KH-KET"))
        await app_conn.execute(  # a worker claimed it and was killed: pending, overdue, no job left
            "INSERT INTO webhook_delivery (id, tenant_id, endpoint_id, event_id, event_type, status, attempt_count, "
            "next_attempt_at, created_at, updated_at) VALUES (uuidv7(), $1, $2, $3, 'customer.deleted', 'pending', "
            "0, now() - interval '5 minutes', now(), now())", tenant_a.tenant_id, uuid.UUID(endpoint["id"]), event_id)
        await app_conn.execute(  # committed while Redis was down: never dispatched
            "INSERT INTO webhook_outbox (id, tenant_id, event_type, body, created_at, updated_at) "
            "VALUES (uuidv7(), $1, 'customer.deleted', $2, now() - interval '5 minutes', now())",
            tenant_a.tenant_id, ENVELOPE % (undispatched, "KH-SOT"))
    reaper = subprocess.run([sys.executable, "-m", "infra.cli", "webhooks", "reap"], env=stack.env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert reaper.returncode == 0, reaper.stderr
    assert reaper.stdout.startswith("re-queued ")  # other tests may leave overdue work too
    received = await receiver.wait_for("/ok/reaper", lambda got: len(got) == 2)
    assert {verified(endpoint, r)["data"]["id"] for r in received} == {str(stuck), str(undispatched)}
    assert [d["status"] for d in await settled_deliveries_of(client, tenant_a, endpoint)] == ["succeeded"] * 2
    assert receiver.at("/ok/reaper-b") == []
    assert (await client.get(f"{API}/endpoints/{other['id']}/deliveries", headers=tenant_b.headers)
            ).json()["items"] == []
