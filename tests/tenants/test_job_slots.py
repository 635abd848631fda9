"""The per-tenant cap on running jobs (infra.jobs.tenant_slot), through two real `crm worker` processes: at a cap
of one, a tenant's second job waits for its first (it goes to the back of the queue a second later) while another
tenant's job runs beside it."""

from __future__ import annotations

import time

import redis
from rq import Worker

from infra.jobs import enqueue_for_tenant, queue, slots_key
from tests.worker import SPANS, Span, WorkerProcess, hold, spans


def overlap(one: Span, other: Span) -> bool:
    return one.started < other.ended and other.started < one.ended


async def test_at_a_cap_of_one_a_tenants_jobs_never_overlap_while_another_tenant_runs(stack, tenant_a, tenant_b):
    connection = redis.Redis.from_url(stack.redis_url)
    connection.delete(SPANS)
    env = {"CRM_JOBS_TENANT_CONCURRENCY": "1", "CRM_JOBS_BUSY_DELAY_SECONDS": "1"}
    workers = [WorkerProcess(stack, ["default"], env, "test-slots-worker.log") for _ in range(2)]
    for worker in workers:
        worker.start()
    try:
        # Both workers listen before anything is queued, so each of A's jobs has a worker free to take it.
        pids = {worker.process.pid for worker in workers if worker.process}
        deadline = time.monotonic() + 60
        while not pids <= {found.pid for found in Worker.all(queue=queue("default", connection))}:
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)
        for label, tenant in (("a1", tenant_a), ("a2", tenant_a), ("b", tenant_b)):
            enqueue_for_tenant(tenant.tenant_id, hold, label, 3, connection=connection)
        while len(spans(stack)) < 3:
            assert time.monotonic() < deadline + 60, spans(stack)
            time.sleep(0.2)
    finally:
        for worker in workers:
            worker.stop()

    ran = {span.label: span for span in spans(stack)}
    assert {span.tenant_id for label, span in ran.items() if label != "b"} == {str(tenant_a.tenant_id)}
    assert not overlap(ran["a1"], ran["a2"]), ran
    # B did not wait for A: it ran while one of A's jobs was running.
    assert overlap(ran["b"], ran["a1"]) or overlap(ran["b"], ran["a2"]), ran
    # Every slot was given back.
    assert connection.zcard(slots_key(tenant_a.tenant_id)) == connection.zcard(slots_key(tenant_b.tenant_id)) == 0
