"""Tenant jobs on rq: a real worker process runs each job inside its tenant's transaction."""

from __future__ import annotations

import subprocess
import sys

import redis

from infra.jobs import enqueue_for_tenant
from services.contacts.jobs import count_customers


async def test_a_tenant_job_sees_only_its_tenants_rows(client, stack, tenant_a, tenant_b):
    for n in range(3):
        await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": f"A{n}"})
    await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": "B0"})
    connection = redis.Redis.from_url(stack.redis_url)
    job_a = enqueue_for_tenant(tenant_a.tenant_id, count_customers, connection=connection)
    job_b = enqueue_for_tenant(tenant_b.tenant_id, count_customers, connection=connection)
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    job_a.refresh()
    job_b.refresh()
    assert (job_a.get_status(), job_b.get_status()) == ("finished", "finished")
    assert (job_a.return_value(), job_b.return_value()) == (3, 1)
