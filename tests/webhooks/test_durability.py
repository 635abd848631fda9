"""Durability: 1,000 deliveries on their way, the worker SIGKILLed mid-run (with its work horse), a new worker
started and the reaper run: every message arrives at least once, and duplicates carry the same `webhook-id`,
so the receiver counting distinct ids counts exactly 1,000."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from tests.conftest import ROOT
from tests.webhooks.test_delivery import settled_deliveries_of, verified
from tests.webhooks.test_delivery_rules import emit_deletions
from tests.webhooks.test_endpoints import API, create_endpoint

MESSAGES = 1000


async def pending_count(app_conn, tenant_id) -> int:
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        return int(await app_conn.fetchval("SELECT count(*) FROM webhook_delivery WHERE status = 'pending'"))


async def test_a_sigkilled_worker_loses_no_message(client, app_conn, stack, tenant_a, receiver, worker):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/durable"), event_types=["customer.deleted"])
    emitted = await emit_deletions(tenant_a.tenant_id, MESSAGES, one_transaction=True)
    await receiver.wait_for("/ok/durable", lambda got: len(got) >= 100)
    worker.kill()
    at_kill = {r.headers["webhook-id"] for r in receiver.at("/ok/durable")}
    assert len(at_kill) < MESSAGES and await pending_count(app_conn, tenant_a.tenant_id) > 0, \
        "the worker was killed too late to prove anything"
    worker.start()
    # Deliveries the dead worker had claimed come back when their lease runs out: the reaper finds them.
    for _ in range(60):
        if len({r.headers["webhook-id"] for r in receiver.at("/ok/durable")}) == MESSAGES \
                and await pending_count(app_conn, tenant_a.tenant_id) == 0:
            break
        reaper = subprocess.run([sys.executable, "-m", "infra.cli", "webhooks", "reap", "--grace-seconds", "0"],
                                env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
        assert reaper.returncode == 0, reaper.stderr
        await asyncio.sleep(1)
    received = receiver.at("/ok/durable")
    assert sorted({verified(endpoint, r)["data"]["id"] for r in received}) == sorted(emitted)
    by_id: dict[str, set[bytes]] = {}
    for r in received:
        by_id.setdefault(r.headers["webhook-id"], set()).add(r.body)
    assert len(by_id) == MESSAGES and all(len(bodies) == 1 for bodies in by_id.values())  # a duplicate is the same
    assert len(received) >= MESSAGES  # more when a dead worker's POSTs had arrived unrecorded: sent again
    logged = await settled_deliveries_of(client, tenant_a, endpoint, seconds=30)
    assert len(logged) == 50  # one page
    statuses = await client.get(f"{API}/endpoints/{endpoint['id']}/deliveries", headers=tenant_a.headers,
                                params={"status": "pending", "limit": 200})
    assert statuses.status_code == 200 and statuses.json()["items"] == []
