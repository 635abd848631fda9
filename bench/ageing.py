"""The "Đừng quên" ageing through the real jobs (Jobs issue): the fan-out and one job per tenant, run by a real
`crm worker --burst`, over 100,000 customers across 100 tenants with 10 % due. Reports the wall time and rows/s,
the same change made by one hand-written `UPDATE ... WHERE` (no history, audit or events) for scale, and the
fan-out's cost per tenant (a job that only counts, minus the worker's start)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
import uuid

import asyncpg
import redis

from bench.harness import ROOT, BenchDatabase, Result, bench_database
from infra.jobs import for_each_active_tenant, queue

TENANTS = 100
CUSTOMERS = 100_000
DUE_EVERY = 10  # every tenth customer was last contacted 40 days ago
RUNS = 3
REDIS_DB = 5  # a database of its own on the stack's Redis: the tests' workers never see these jobs

_STATUSES = ("INSERT INTO relationship_status (id, tenant_id, name, name_en, position, system_key, is_system, "
             "created_at, updated_at) SELECT uuidv7(), t, 'Đừng quên', 'Don''t forget', 7, 'dont_forget', true, "
             "now(), now() FROM unnest($1::uuid[]) AS t")
_CUSTOMERS = (
    "INSERT INTO customer (id, tenant_id, code, name, name_folded, last_contacted_at, created_at, updated_at) "
    "SELECT uuidv7(), ($1::uuid[])[1 + g % $2], 'KH' || lpad(g::text, 7, '0'), 'Khách hàng ' || g, 'khach hang ' || g, "
    "now() - make_interval(days => CASE WHEN g % $4 = 0 THEN 40 ELSE 1 END), now(), now() "
    "FROM generate_series(1, $3) AS g")
# Undo a run: every customer back to no status, and what the run wrote gone.
_RESET = ("UPDATE customer SET relationship_status_id = NULL WHERE relationship_status_id IS NOT NULL; "
          "DELETE FROM customer_status_change; DELETE FROM webhook_outbox; DELETE FROM audit_entry; "
          "DELETE FROM job_run")
# The same change in one statement, for every tenant at once: what the job costs beyond the bare UPDATE.
_BARE_UPDATE = """
UPDATE customer c SET relationship_status_id = d.id, updated_at = now()
FROM relationship_status d
WHERE d.tenant_id = c.tenant_id AND d.system_key = 'dont_forget'
  AND c.relationship_status_id IS DISTINCT FROM d.id
  AND COALESCE(c.last_contacted_at, c.created_at) < now() - make_interval(days => 30)
"""


async def _load(admin: asyncpg.Connection, tenants: list[uuid.UUID]) -> None:
    await admin.execute("INSERT INTO tenant (id, name, slug, created_at, updated_at) "
                        "SELECT t, 'Công ty ' || n, 'bench-' || n, now(), now() "
                        "FROM unnest($1::uuid[]) WITH ORDINALITY AS x(t, n)", tenants)
    await admin.execute(_STATUSES, tenants)
    await admin.execute(_CUSTOMERS, tenants, len(tenants), CUSTOMERS, DUE_EVERY)
    await admin.execute("VACUUM ANALYZE")


def _burst(db: BenchDatabase, redis_url: str, target: str | None) -> float:
    """Enqueue the fan-out of `target` (or nothing) and time a real worker emptying the queue."""
    if target is not None:
        queue("default", redis.Redis.from_url(redis_url)).enqueue(for_each_active_tenant, target)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env={**db.env, "CRM_REDIS_URL": redis_url}, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return elapsed


async def run() -> list[Result]:
    tenants = sorted(uuid.uuid4() for _ in range(TENANTS))
    async with bench_database("crm_bench_ageing") as db:
        redis_url = db.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
        redis.Redis.from_url(redis_url).flushdb()
        admin = await asyncpg.connect(db.admin_url)
        try:
            await _load(admin, tenants)
            due = await admin.fetchval("SELECT count(*) FROM customer WHERE last_contacted_at < now() - "
                                       "interval '30 days'")
            job_times, bare_times = [], []
            for _ in range(RUNS):
                job_times.append(_burst(db, redis_url, "services.contacts.jobs:age_statuses"))
                moved = await admin.fetchval("SELECT count(*) FROM customer c JOIN relationship_status d ON "
                                             "d.id = c.relationship_status_id AND d.system_key = 'dont_forget'")
                events = await admin.fetchval("SELECT count(*) FROM webhook_outbox")
                assert moved == events == due, (moved, events, due)
                await admin.execute(_RESET)
                await admin.execute("VACUUM ANALYZE customer")
                started = time.perf_counter()
                await admin.execute(_BARE_UPDATE)
                bare_times.append(time.perf_counter() - started)
                await admin.execute(_RESET)
                await admin.execute("VACUUM ANALYZE customer")
            empty = statistics.median(_burst(db, redis_url, None) for _ in range(RUNS))
            counting = statistics.median(_burst(db, redis_url, "services.contacts.jobs:count_customers")
                                         for _ in range(RUNS))
        finally:
            await admin.close()
            redis.Redis.from_url(redis_url).flushdb()
    job, bare = statistics.median(job_times), statistics.median(bare_times)
    per_tenant_ms = (counting - empty) / TENANTS * 1000
    shape = f"{CUSTOMERS:,} customers, {TENANTS} tenants, {due:,} due; median of {RUNS}"
    return [
        Result("Ageing through the jobs: wall time", job, "s", "-", True,
               f"{shape}; fan-out + one job per tenant on one `crm worker --burst`, history, audit and events"),
        Result("Ageing through the jobs: rows moved per second", due / job, "r/s", "-", True, shape),
        Result("Ageing: jobs vs one bare UPDATE of the same rows", job / bare, "x", "-", True,
               f"bare UPDATE {bare * 1000:.0f} ms (no history, audit, events; no worker start)"),
        Result("Fan-out: cost per tenant job (a counting job)", per_tenant_ms, "ms", "-", True,
               f"{TENANTS} tenants; worker start ({empty:.2f} s) subtracted"),
    ]
