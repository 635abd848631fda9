"""Failure handling of tenant jobs through real `crm worker` processes: transient errors are retried with back-off
and a run that keeps failing is parked (`failed`, its error shown, retried from the job console); a worker
SIGKILLed in the middle of the "Đừng quên" ageing leaves its run to the rescue, and the run completes after a
restart with every customer moved, recorded and announced exactly once."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg
import redis

from infra.jobs import enqueue_for_tenant, queue, rescue_and_clean
from services.contacts.jobs import age_statuses
from tests.identity.test_job_console import JOBS, runs
from tests.worker import WorkerProcess, flaky

CUSTOMERS = 500


async def settled(client: Any, tenant: Any, count: int, seconds: float = 90) -> list[Any]:
    """The tenant's `count` runs once none is running, queued or retrying any more."""
    deadline = time.monotonic() + seconds
    while True:
        found = await runs(client, tenant)
        if len(found) == count and all(run["status"] in ("succeeded", "failed") for run in found):
            return found
        assert time.monotonic() < deadline, found
        await asyncio.sleep(0.5)


async def test_transient_errors_are_retried_and_a_run_that_keeps_failing_is_parked(client, stack, tenant_a):
    connection = redis.Redis.from_url(stack.redis_url)
    keys = {"twice": "test:flaky:twice", "always": "test:flaky:always", "bug": "test:flaky:bug"}
    connection.delete(*keys.values())
    worker = WorkerProcess(stack, ["default"], {"CRM_JOBS_RETRY_SCALE": "0.01"}, "test-failures-worker.log")
    worker.start()
    try:
        enqueue_for_tenant(tenant_a.tenant_id, flaky, keys["twice"], 2, True, connection=connection)
        enqueue_for_tenant(tenant_a.tenant_id, flaky, keys["always"], 99, True, connection=connection)
        enqueue_for_tenant(tenant_a.tenant_id, flaky, keys["bug"], 1, False, connection=connection)
        bug, always, twice = await settled(client, tenant_a, 3)  # newest first
        # Two serialization failures, then done on the third attempt, in one slice.
        assert (twice["status"], twice["attempts"], twice["slices"], twice["error"]) == ("succeeded", 3, 1, None)
        # Always failing: the first attempt and rq's three retries, then parked with its error.
        assert (always["status"], always["attempts"], always["slices"]) == ("failed", 4, 1)
        assert "SerializationError" in always["error"] and always["finished_at"]
        # A bug is not retried: parked at once.
        assert (bug["status"], bug["attempts"]) == ("failed", 1)
        assert "ValueError: a bug, attempt 1" in bug["error"]
        assert [int(connection.get(keys[name]) or 0) for name in ("twice", "always", "bug")] == [3, 4, 1]

        # Parked runs are re-runnable from the console: the bug is fixed (it fails once only), the run completes.
        response = await client.post(f"{JOBS}/runs/{bug['id']}/retry", headers=tenant_a.headers)
        assert response.status_code == 202, response.text
        [bug_again] = [run for run in await settled(client, tenant_a, 3) if run["id"] == bug["id"]]
        assert (bug_again["status"], bug_again["attempts"], bug_again["error"]) == ("succeeded", 2, None)
    finally:
        worker.stop()


async def test_a_sigkilled_workers_ageing_completes_after_a_restart_with_no_duplicate_effect(
        client, stack, tenant_a, owner_conn: asyncpg.Connection):
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    await owner_conn.execute(
        "INSERT INTO customer (id, tenant_id, code, name, name_folded, last_contacted_at, created_at, updated_at) "
        "SELECT uuidv7(), $1, 'KILL' || g, 'KH ' || g, 'kh ' || g, now() - interval '40 days', now(), now() "
        "FROM generate_series(1, $2) AS g", tenant_a.tenant_id, CUSTOMERS)
    # Another session holds one customer of the second slice: the job commits its first slice (200 moves), then
    # waits inside the second, uncommitted, when the worker is killed.
    locker = await asyncpg.connect(stack.owner_url)
    locked = locker.transaction()
    await locked.start()
    await locker.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
    await locker.execute("SELECT id FROM customer WHERE id = (SELECT id FROM customer WHERE tenant_id = $1 "
                         "ORDER BY id OFFSET 250 LIMIT 1) FOR UPDATE", tenant_a.tenant_id)  # OFFSET would lock all 251
    env = {"CRM_JOBS_LEASE_SECONDS": "2"}
    worker = WorkerProcess(stack, ["default"], env, "test-kill-worker.log")
    worker.start()
    connection = redis.Redis.from_url(stack.redis_url)
    try:
        enqueue_for_tenant(tenant_a.tenant_id, age_statuses, slice_rows=200, connection=connection)
        deadline = time.monotonic() + 60
        while not [run for run in await runs(client, tenant_a) if run["slices"] == 2 and run["status"] == "running"]:
            assert time.monotonic() < deadline, await runs(client, tenant_a)
            await asyncio.sleep(0.2)
        await asyncio.sleep(1)  # inside the second slice, waiting for the lock
    finally:
        worker.kill()
        await locked.rollback()
        await locker.close()
    [run] = await runs(client, tenant_a)
    assert (run["status"], run["rows_done"]) == ("running", 200)  # dead, as the rescue will find it

    restarted = WorkerProcess(stack, ["default"], env, "test-kill-worker.log")
    restarted.start()
    try:
        deadline = time.monotonic() + 90
        while (await runs(client, tenant_a))[0]["status"] != "succeeded":
            assert time.monotonic() < deadline, await runs(client, tenant_a)
            queue("default", connection).enqueue(rescue_and_clean)  # what the scheduler does every minute
            await asyncio.sleep(2)
    finally:
        restarted.stop()

    [run] = await runs(client, tenant_a)
    # The first slice, the killed second one run again (an attempt, not a slice), and the third.
    assert (run["rows_done"], run["rows_total"], run["slices"], run["attempts"], run["error"]) == (
        CUSTOMERS, CUSTOMERS, 3, 2, None)
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    moved = await owner_conn.fetchrow(
        "SELECT count(*) AS changes, count(DISTINCT h.customer_id) AS customers FROM customer_status_change h "
        "JOIN relationship_status d ON d.id = h.to_status_id AND d.system_key = 'dont_forget' "
        "WHERE h.tenant_id = $1", tenant_a.tenant_id)
    assert (moved["changes"], moved["customers"]) == (CUSTOMERS, CUSTOMERS)
    events = await owner_conn.fetchval("SELECT count(*) FROM webhook_outbox WHERE tenant_id = $1 AND "
                                       "event_type = 'customer.status_changed'", tenant_a.tenant_id)
    assert events == CUSTOMERS
    at_dont_forget = await owner_conn.fetchval(
        "SELECT count(*) FROM customer c JOIN relationship_status d ON d.id = c.relationship_status_id "
        "AND d.system_key = 'dont_forget' WHERE c.tenant_id = $1", tenant_a.tenant_id)
    assert at_dont_forget == CUSTOMERS
