"""Job runs: one row per run of a tenant job, written by the wrapper every tenant job goes through
(`infra.jobs.run_tenant_job`), so the tenant's admins and support staff can follow it: when it started and
finished, how many rows it has done of how many, how many slices it took, and the error that stopped it.

A run may take several rq jobs (slices, re-queued at the back of the queue so other tenants go first, or a
retry of a failed slice); they share the run's id. The row lives in the tenant's own rows, under RLS.

A slice that failed on a transient error is `retrying` (rq retries it with back-off; the start counts the
attempt, not a slice); one that failed otherwise, or on its last retry, is `failed`: parked, with its error, until
someone retries it from the job console. A run left `running` by a dead worker is found by
`infra.jobs.rescue_lost_runs` through `job_runs_lost` (below) and goes back to `retrying`. Finished runs are
pruned after `job_runs_keep_days` (`prune`).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from piccolo.columns import BigInt, Integer, Text, Timestamptz, Varchar

from tenants.context import current_tenant_id
from tenants.tables import TenantTable

ERROR_CHARS = 2000  # the end of a traceback names the failing line; the rest stays in rq's failed registry


class JobRun(TenantTable, tablename="job_run"):
    name = Varchar(length=200, null=False)  # the job function, "module:function"
    queue_name = Varchar(length=32, null=False)
    rq_job_id = Varchar(length=64, null=True, default=None)  # the latest slice's, to retry it
    status = Varchar(length=16, null=False, default="running")  # running | queued | retrying | succeeded | failed
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    rows_done = BigInt(null=False, default=0)
    rows_total = BigInt(null=True, default=None)
    slices = Integer(null=False, default=0)
    attempts = Integer(null=False, default=1)  # 1 + the retries of failed slices (counted by the retry)
    error = Text(null=True, default=None)


# A slice starts: the first creates the row; a later slice, or a retried one, counts itself.
_STARTED = """
INSERT INTO job_run (id, tenant_id, name, queue_name, rq_job_id, status, started_at, slices, attempts, rows_done,
                     created_at, updated_at)
VALUES ({}, {}, {}, {}, {}, 'running', now(), 1, 1, 0, now(), now())
ON CONFLICT (id) DO UPDATE SET status = 'running', rq_job_id = EXCLUDED.rq_job_id,
    slices = job_run.slices + (job_run.status <> 'retrying')::int,
    attempts = job_run.attempts + (job_run.status = 'retrying')::int,
    error = NULL, finished_at = NULL, updated_at = now()
"""
# The end is the clock's (`now()` would be the start of the slice's transaction).
_SLICE_DONE = """
UPDATE job_run SET rows_done = rows_done + {}, rows_total = CASE WHEN {} THEN rows_done + {} + {} ELSE rows_total END,
    status = {}, finished_at = CASE WHEN {} = 'succeeded' THEN clock_timestamp() END, updated_at = now()
WHERE tenant_id = {} AND id = {}
"""


async def started(run_id: uuid.UUID, name: str, queue_name: str, rq_job_id: str | None) -> None:
    await JobRun.raw(_STARTED, run_id, current_tenant_id(), name, queue_name, rq_job_id)


async def slice_done(run_id: uuid.UUID, done: int, left: int | None) -> None:
    """Count `done` rows; `left` (rows still to do, when the job knows) sets the total and, above 0, leaves
    the run queued for its next slice."""
    status = "queued" if left else "succeeded"
    await JobRun.raw(_SLICE_DONE, done, left is not None, done, left or 0, status, status, current_tenant_id(),
                     run_id)


async def failed(run_id: uuid.UUID, error: str, retrying: bool = False) -> None:
    """The slice failed: `retrying` when rq will run it again after a back-off, else `failed` (parked)."""
    await JobRun.raw("UPDATE job_run SET status = {}, error = {}, "
                     "finished_at = CASE WHEN {} THEN NULL ELSE clock_timestamp() END, updated_at = now() "
                     "WHERE tenant_id = {} AND id = {}", "retrying" if retrying else "failed",
                     error[-ERROR_CHARS:], retrying, current_tenant_id(), run_id)


async def lost_runs(idle_since: datetime.datetime) -> list[dict[str, Any]]:
    """Every tenant's runs still `running` but not touched since `idle_since` (tenant_id, id, rq_job_id,
    queue_name): candidates for a dead worker, to be checked against their slot lease. Not a tenant query: it
    goes through the SECURITY DEFINER function `job_runs_lost` (see the tenants migrations)."""
    rows: list[dict[str, Any]] = await JobRun.raw("SELECT * FROM job_runs_lost({})", idle_since)
    return rows


async def requeued_after_loss(run_id: uuid.UUID, why: str) -> bool:
    """A lost run goes back to `retrying` (the next start counts an attempt), unless it moved on meanwhile."""
    rows = await JobRun.raw("UPDATE job_run SET status = 'retrying', error = {}, updated_at = now() "
                            "WHERE tenant_id = {} AND id = {} AND status = 'running' RETURNING id",
                            why, current_tenant_id(), run_id)
    return bool(rows)


async def prune(keep_days: int, batch: int = 10_000) -> int:
    """Delete every tenant's runs finished more than `keep_days` ago, `batch` rows per statement (through the
    SECURITY DEFINER function `job_runs_prune`); how many."""
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=keep_days)
    pruned = 0
    while True:
        rows = await JobRun.raw("SELECT job_runs_prune({}, {}) AS pruned", before, batch)
        deleted = int(rows[0]["pruned"])
        pruned += deleted
        if deleted < batch:
            return pruned
