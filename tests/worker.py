"""Running per-tenant jobs the way the scheduler does, through a real `crm worker --burst`."""

from __future__ import annotations

import subprocess
import sys

import asyncpg
import redis
from rq.job import Job

from infra.jobs import enqueue_for_tenant, for_each_active_tenant, queue
from services.contacts.jobs import count_customers
from tests import conftest


def work(stack: conftest.TestStack, *queues: str, failing: bool = False) -> None:
    """A real `crm worker --burst`: works the queues (default: `default`) until they are empty; a job fails
    only when `failing` says one should."""
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst",
                             "--queues", *(queues or ("default",))],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert failing or "Traceback" not in result.stderr, result.stderr


def run_for_each_tenant(stack: conftest.TestStack, job: str) -> None:
    """Enqueue the fan-out of `job` ("module:function") and work the queue until it is empty: the fan-out, then
    one job per tenant, each in its tenant's transaction."""
    queue("default", redis.Redis.from_url(stack.redis_url)).enqueue(for_each_active_tenant, job)
    work(stack)


async def failed_run(stack: conftest.TestStack, owner_conn: asyncpg.Connection, tenant: conftest.TenantUser) -> Job:
    """A tenant job that fails for a transient reason: the app role may not read customers while it runs."""
    await owner_conn.execute("REVOKE SELECT ON customer FROM crm_app")
    try:
        job = enqueue_for_tenant(tenant.tenant_id, count_customers, connection=redis.Redis.from_url(stack.redis_url))
        work(stack, failing=True)
    finally:
        await owner_conn.execute("GRANT SELECT ON customer TO crm_app")
    job.refresh()
    assert job.get_status() == "failed"
    return job
