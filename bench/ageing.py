"""The "Đừng quên" ageing through the real job (Jobs issue) against one hand-written `UPDATE ... WHERE`: one tenant
with `BENCH_AGEING_CUSTOMERS` customers (1,000,000 by default), 10 % due, loaded with COPY. The job runs on a real
`crm worker --burst` (slices of 10,000 re-queued at the back, each one statement with the history and one
`customer.status_changed` event per move, and an audit entry); its time is the run's own (first slice's start to
last slice's end, from `job_run`), the worker's start apart. The bare UPDATE makes the same change with no history,
audit or events. Both run on the same table state (after a first change and reset), in turns. Reports the median
ratio (goal <= 1.5) and the job's rate in rows/s."""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import time
import uuid

import asyncpg
import redis

from bench.harness import ROOT, BenchDatabase, Result, bench_database
from infra.jobs import enqueue_for_tenant
from services.contacts.jobs import age_statuses

CUSTOMERS = int(os.environ.get("BENCH_AGEING_CUSTOMERS", "1000000"))
RUNS = int(os.environ.get("BENCH_AGEING_RUNS", "3"))
DUE_EVERY = 10  # every tenth customer was last contacted 40 days ago
GOAL = 1.5
REDIS_DB = 5  # a database of its own on the stack's Redis: the tests' workers never see these jobs

_STATUSES = ("INSERT INTO relationship_status (id, tenant_id, name, name_en, position, system_key, is_system, "
             "created_at, updated_at) VALUES (uuidv7(), $1, 'Đừng quên', 'Don''t forget', 7, 'dont_forget', true, "
             "now(), now())")
_COLUMNS = ["id", "tenant_id", "code", "name", "name_folded", "last_contacted_at", "created_at", "updated_at"]
# Undo a run: every customer back to no status, and what the run wrote gone.
_RESET = ("UPDATE customer SET relationship_status_id = NULL WHERE relationship_status_id IS NOT NULL; "
          "DELETE FROM customer_status_change; DELETE FROM webhook_outbox; DELETE FROM audit_entry; "
          "DELETE FROM job_run; DELETE FROM customer_fact_delta")
# The same change in one statement.
_BARE_UPDATE = """
UPDATE customer c SET relationship_status_id = d.id, updated_at = now()
FROM relationship_status d
WHERE d.tenant_id = c.tenant_id AND d.system_key = 'dont_forget'
  AND c.relationship_status_id IS DISTINCT FROM d.id
  AND c.last_touched_at < now() - make_interval(days => 30)
"""


async def _load(admin: asyncpg.Connection, tenant: uuid.UUID) -> None:
    await admin.execute("INSERT INTO tenant (id, name, slug, created_at, updated_at) "
                        "VALUES ($1, 'Công ty Lớn', 'bench-big', now(), now())", tenant)
    await admin.execute(_STATUSES, tenant)
    now = datetime.datetime.now(datetime.UTC)
    due, recent = now - datetime.timedelta(days=40), now - datetime.timedelta(days=1)
    ids = [uuid.UUID(str(row["id"])) for row in await admin.fetch(
        "SELECT uuidv7() AS id FROM generate_series(1, $1)", CUSTOMERS)]
    await admin.copy_records_to_table("customer", columns=_COLUMNS, records=(
        (id_, tenant, f"KH{n:07d}", f"Khách hàng {n}", f"khach hang {n}", due if n % DUE_EVERY == 0 else recent,
         now, now) for n, id_ in enumerate(ids, start=1)))
    await admin.execute("VACUUM ANALYZE")


def _burst(db: BenchDatabase, redis_url: str, tenant: uuid.UUID) -> float:
    """Enqueue the tenant's ageing and time a real worker emptying the queue."""
    enqueue_for_tenant(tenant, age_statuses, connection=redis.Redis.from_url(redis_url))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env={**db.env, "CRM_REDIS_URL": redis_url}, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return elapsed


async def _settle(admin: asyncpg.Connection) -> None:
    await admin.execute(_RESET)
    await admin.execute("VACUUM ANALYZE customer, customer_status_change, webhook_outbox")


async def run() -> list[Result]:
    tenant = uuid.uuid4()
    async with bench_database("crm_bench_ageing") as db:
        redis_url = db.redis_url.rsplit("/", 1)[0] + f"/{REDIS_DB}"
        redis.Redis.from_url(redis_url).flushdb()
        admin = await asyncpg.connect(db.admin_url)
        try:
            await _load(admin, tenant)
            due = await admin.fetchval("SELECT count(*) FROM customer WHERE last_contacted_at < now() - "
                                       "interval '30 days'")
            job_times, wall_times, bare_times, slices = [], [], [], 0

            async def run_job() -> None:
                nonlocal slices
                wall_times.append(_burst(db, redis_url, tenant))
                run_row = await admin.fetchrow("SELECT status, rows_done, slices, "
                                               "extract(epoch FROM finished_at - started_at) AS seconds FROM job_run")
                moved = await admin.fetchval("SELECT count(*) FROM customer c JOIN relationship_status d ON "
                                             "d.id = c.relationship_status_id AND d.system_key = 'dont_forget'")
                events = await admin.fetchval("SELECT count(*) FROM webhook_outbox")
                history = await admin.fetchval("SELECT count(*) FROM customer_status_change")
                assert moved == events == history == run_row["rows_done"] == due, (moved, events, history, due)
                assert run_row["status"] == "succeeded", run_row
                job_times.append(float(run_row["seconds"]))
                slices = run_row["slices"]

            async def run_bare() -> None:
                started = time.perf_counter()
                assert await admin.execute(_BARE_UPDATE) == f"UPDATE {due}"
                bare_times.append(time.perf_counter() - started)

            # Both are measured on the same table: one change and reset first (the freshly loaded table has no free
            # space in its pages, so whichever went first would also pay for growing it), then in turns.
            await admin.execute(_BARE_UPDATE)
            await _settle(admin)
            for run_number in range(RUNS):
                for measured in ((run_job, run_bare) if run_number % 2 == 0 else (run_bare, run_job)):
                    await measured()
                    await _settle(admin)
        finally:
            await admin.close()
            redis.Redis.from_url(redis_url).flushdb()
    ratios = [job / bare for job, bare in zip(job_times, bare_times, strict=True)]
    ratio, job, bare = statistics.median(ratios), statistics.median(job_times), statistics.median(bare_times)
    shape = f"{CUSTOMERS:,} customers in one tenant, {due:,} due; median of {RUNS}"
    return [
        Result("Ageing job vs one bare UPDATE of the same rows", ratio, "x", f"<= {GOAL}", ratio <= GOAL,
               f"{shape}; job {job:.2f} s in {slices} slices (history, audit, events), bare UPDATE {bare:.2f} s; "
               f"ratios {min(ratios):.2f}-{max(ratios):.2f}"),
        Result("Ageing job: rows moved per second", due / job, "r/s", "-", True,
               f"{shape}; with the worker's start: {statistics.median(wall_times):.2f} s"),
    ]


if __name__ == "__main__":
    import asyncio

    from bench.harness import print_table

    print_table(asyncio.run(run()))
