"""rq on Redis: queues by kind, tenant jobs, and the worker (DESIGN §6).

A tenant job is an async function of a service's `jobs.py`; it is enqueued with its tenant and runs inside
`tenant_transaction(tenant_id)`, so row-level security applies to it as to a request. Every run is recorded in
the tenant's `job_run` rows (tenants.job_runs). Fairness: a job over many rows does a bounded slice and returns
`Progress(done, left)`; the slice commits and the job goes again at the back of its queue, behind the other
tenants' jobs, so a tenant with a million rows does not hold a worker while small tenants wait.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import redis
from rq import Queue, Worker, get_current_job
from rq.job import Job

from infra.settings import get_settings
from tenants import job_runs
from tenants.context import engine, tenant_transaction
from tenants.ids import new_id

QUEUES = ("webhooks", "default", "imports", "reports")


def redis_connection() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url)


def queue(name: str = "default", connection: redis.Redis | None = None) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
    return Queue(name, connection=connection or redis_connection())


def enqueue_for_tenant(tenant_id: uuid.UUID, func: Callable[..., Awaitable[Any]], *args: Any,
                       queue_name: str = "default", connection: redis.Redis | None = None,
                       delay: datetime.timedelta | None = None, run_id: uuid.UUID | None = None,
                       **kwargs: Any) -> Job:
    """Enqueue now, or after `delay` (run by a worker started `--with-scheduler`). `run_id`: the id its `job_run`
    row will have, for a record that wants to point at its run (a new one by default)."""
    return _enqueue_run(tenant_id, f"{func.__module__}:{func.__qualname__}", args, kwargs, run_id or new_id(),
                        queue(queue_name, connection), delay)


def _enqueue_run(tenant_id: uuid.UUID | str, target: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                 run_id: uuid.UUID | str, on: Queue, delay: datetime.timedelta | None = None) -> Job:
    job_args = (run_tenant_job, str(tenant_id), target, args, kwargs, str(run_id))
    description = f"{target} for tenant {tenant_id}"
    if delay is not None:
        return on.enqueue_in(delay, *job_args, description=description)
    return on.enqueue(*job_args, description=description)


@dataclass(frozen=True)
class Progress:
    """What a sliced tenant job returns: `done` rows in this slice, and `left` to do after it (None when not
    known); with rows left, the job runs again, at the back of its queue."""

    done: int
    left: int | None = 0


def imported(target: str) -> Any:
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)


def run_tenant_job(tenant_id: str, target: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                   run_id: str | None = None) -> Any:
    """What the worker runs: import the job function and await it inside the tenant transaction, recording the
    run; a `Progress` with rows left queues the next slice once this one has committed."""
    func, tenant, run = imported(target), uuid.UUID(tenant_id), uuid.UUID(run_id) if run_id else new_id()
    job = get_current_job()
    queue_name = job.origin if job else "default"

    async def recorded() -> Any:
        async with tenant_transaction(tenant):  # committed first, so the console sees the run while it works
            await job_runs.started(run, target, queue_name, job.id if job else None)
        try:
            async with tenant_transaction(tenant):
                result = await func(*args, **kwargs)
                progress = result if isinstance(result, Progress) else Progress(
                    result if isinstance(result, int) and not isinstance(result, bool) else 0, None)
                await job_runs.slice_done(run, progress.done, progress.left)
        except Exception:
            async with tenant_transaction(tenant):
                await job_runs.failed(run, traceback.format_exc())
            raise
        return result, progress

    async def in_tenant() -> Any:
        # One connection for the run's transactions, not a new one (and its authentication) for each.
        db = engine()
        await db.start_connection_pool(min_size=1, max_size=2)
        try:
            return await recorded()
        finally:
            await db.close_connection_pool()

    result, progress = asyncio.run(in_tenant())
    if progress.left and job is not None:
        _enqueue_run(tenant, target, args, kwargs, run, queue(queue_name, job.connection))
    return progress.done if isinstance(result, Progress) else result


# Imported once by the worker before it forks a work horse per job, so a job does not pay for importing the
# services (about 0.3 s each otherwise).
JOB_MODULES = ("webhooks.jobs", *(f"services.{name}.jobs" for name in
                                  ("identity", "contacts", "pipeline", "partners", "reporting")))


@dataclass(frozen=True)
class WorkingTenant:
    id: uuid.UUID
    time_zone: str
    daily_jobs_hour: int


async def working_tenants() -> list[WorkingTenant]:
    """The tenants still in use (active or read-only), with the clock their daily jobs follow."""
    from services.identity.tables import Tenant  # identity's table, read only; imported late: infra is below it

    rows = await Tenant.select(Tenant.id, Tenant.time_zone, Tenant.daily_jobs_hour).where(
        Tenant.status.is_in(["active", "read_only"])).order_by(Tenant.id)
    return [WorkingTenant(uuid.UUID(str(row["id"])), row["time_zone"], row["daily_jobs_hour"]) for row in rows]


def for_each_active_tenant(target: str, queue_name: str = "default") -> int:
    """A periodic job's fan-out: one job running `target` ("module:function") per tenant still in use (active or
    read-only), each in its own tenant transaction. Returns how many were enqueued."""
    func, connection = imported(target), redis_connection()
    tenants = asyncio.run(working_tenants())
    for tenant in tenants:
        enqueue_for_tenant(tenant.id, func, queue_name=queue_name, connection=connection)
    return len(tenants)


def run_worker(queues: list[str] | None = None, with_scheduler: bool = False, burst: bool = False) -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
    connection = redis_connection()
    names = queues or list(QUEUES)
    worker = Worker([queue(name, connection) for name in names], connection=connection)
    worker.work(with_scheduler=with_scheduler, burst=burst)
