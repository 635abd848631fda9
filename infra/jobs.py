"""rq on Redis: queues by kind, tenant jobs, and the worker (DESIGN §6).

A tenant job is an async function of a service's `jobs.py`; it is enqueued with its tenant and runs inside
`tenant_transaction(tenant_id)`, so row-level security applies to it as to a request. Every run is recorded in
the tenant's `job_run` rows (tenants.job_runs). Fairness: a job over many rows does a bounded slice and returns
`Progress(done, left)`; the slice commits and the job goes again at the back of its queue, behind the other
tenants' jobs, so a tenant with a million rows does not hold a worker while small tenants wait.

Every tenant job also takes one of its tenant's slots (`tenant_slot`): at most `jobs_tenant_concurrency` of a
tenant's jobs run at once across all workers, each slot a lease in Redis renewed while the job runs, so a killed
worker's slot frees itself; a job that finds no free slot goes to the back again a few seconds later
(docs/decisions.md, "A per-tenant cap on running jobs"). Transient errors (a lost connection, a serialization
failure, a deadlock) are retried by rq with back-off; any other error, or the last retry's, parks the run
(`failed`, with its error, retried from the job console). `rescue_lost_runs` finds runs whose worker died.
"""

from __future__ import annotations

import asyncio
import datetime
import functools
import importlib
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import redis
from rq import Queue, Retry, Worker, get_current_job
from rq.job import Job, JobStatus

from infra.settings import get_settings
from tenants import job_runs
from tenants.context import after_commit, engine, tenant_transaction
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


RETRY_SECONDS = (10, 60, 300)  # back-off of a tenant job after a transient error, times `jobs_retry_scale`
# Errors that another attempt may not meet: the database or Redis out of reach or restarting, and the conflicts
# PostgreSQL asks the client to retry (serialization failure, deadlock). Anything else is a bug or bad data.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError,
    asyncpg.SerializationError, asyncpg.DeadlockDetectedError, asyncpg.TooManyConnectionsError,
    asyncpg.CannotConnectNowError, redis.ConnectionError, redis.TimeoutError,
)
_log = logging.getLogger(__name__)


def retry_policy() -> Retry:
    scale = get_settings().jobs_retry_scale
    return Retry(max=len(RETRY_SECONDS), interval=[max(1, round(seconds * scale)) for seconds in RETRY_SECONDS])


def _enqueue_run(tenant_id: uuid.UUID | str, target: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                 run_id: uuid.UUID | str, on: Queue, delay: datetime.timedelta | None = None) -> Job:
    job_args = (run_tenant_job, str(tenant_id), target, args, kwargs, str(run_id))
    description = f"{target} for tenant {tenant_id}"
    if delay is not None:
        return on.enqueue_in(delay, *job_args, description=description, retry=retry_policy())
    return on.enqueue(*job_args, description=description, retry=retry_policy())


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT_ERRORS)


def slots_key(tenant_id: uuid.UUID | str) -> str:
    return f"crm:jobs:slots:{tenant_id}"


# KEYS[1] the tenant's slots (a sorted set: run id -> lease end); ARGV now, lease end, run id, cap. Drops the
# leases that ran out (a dead worker's), then takes a slot if the run holds none and one is free.
_TAKE_SLOT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
    return 0
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
return 1
"""
_RENEW_SLOT = """
if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[1], ARGV[2]) == 1 then
    redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(ARGV[1]) * 1000))
end
return 1
"""


@contextmanager
def tenant_slot(connection: redis.Redis, tenant_id: uuid.UUID, run_id: uuid.UUID) -> Iterator[bool]:
    """One of the tenant's `jobs_tenant_concurrency` slots for `run_id` while the block runs (True), or False
    when all are taken. The slot is a lease of `jobs_lease_seconds`, renewed by a thread every third of it, and
    given back at the end; if the worker dies, the lease runs out and the next taker drops it."""
    settings = get_settings()
    lease, key, member = settings.jobs_lease_seconds, slots_key(tenant_id), str(run_id)
    now = time.time()
    if not connection.eval(_TAKE_SLOT, 1, key, now, now + lease, member, settings.jobs_tenant_concurrency):
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(lease / 3):
            try:
                connection.eval(_RENEW_SLOT, 1, key, time.time() + lease, member)
            except redis.RedisError:  # the next renewal tries again; the lease outlasts two misses
                _log.warning("could not renew the slot of run %s of tenant %s", member, tenant_id)

    renewer = threading.Thread(target=renew, name=f"slot-{member}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join()
        connection.zrem(key, member)


def slot_held(connection: redis.Redis, tenant_id: uuid.UUID | str, run_id: uuid.UUID | str) -> bool:
    """Whether a live lease holds a slot for `run_id` (its worker is alive)."""
    lease_end = connection.zscore(slots_key(tenant_id), str(run_id))
    return lease_end is not None and lease_end > time.time()


@dataclass(frozen=True)
class Progress:
    """What a sliced tenant job returns: `done` rows in this slice, and `left` to do after it (None when not
    known); with rows left, the job runs again, at the back of its queue, with `resume` added to its keyword
    arguments (where the next slice starts, so it does not read again what this one did)."""

    done: int
    left: int | None = 0
    resume: dict[str, Any] | None = None


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
    connection = job.connection if job else redis_connection()

    async def recorded() -> Any:
        async with tenant_transaction(tenant):  # committed first, so the console sees the run while it works
            await job_runs.started(run, target, queue_name, job.id if job else None)
        try:
            async with tenant_transaction(tenant):
                result = await func(*args, **kwargs)
                progress = result if isinstance(result, Progress) else Progress(
                    result if isinstance(result, int) and not isinstance(result, bool) else 0, None)
                await job_runs.slice_done(run, progress.done, progress.left)
        except Exception as error:
            retrying = is_transient(error) and job is not None and job.should_retry
            if job is not None and retrying:
                job.retry_intervals = retry_policy().intervals  # the back-off of the worker that retries it
            elif job is not None:
                job.retries_left = 0  # parked: rq's failed registry keeps it for a retry from the console
            try:
                async with tenant_transaction(tenant):
                    await job_runs.failed(run, traceback.format_exc(), retrying=retrying)
            except Exception:  # the database is away: the rq job's failure still says what happened
                _log.exception("could not record the failure of run %s of tenant %s", run, tenant)
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

    with tenant_slot(connection, tenant, run) as slot:
        if not slot:  # the tenant's slots are taken: to the back of the queue, a little later, not in a loop
            _enqueue_run(tenant, target, args, kwargs, run, queue(queue_name, connection),
                         datetime.timedelta(seconds=get_settings().jobs_busy_delay_seconds))
            return None
        result, progress = asyncio.run(in_tenant())
    if progress.left and job is not None:  # after the slot is given back, so the next slice can take it
        _enqueue_run(tenant, target, args, {**kwargs, **(progress.resume or {})}, run, queue(queue_name, connection))
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


async def rescue_lost_runs() -> int:
    """Our own check for runs a dead worker left behind (rq's abandoned-job handling only acts once the job's
    started-registry entry runs out, minutes later): a run `running` with no update for a lease and no live slot
    lease is lost; its rq job, if still started, leaves rq's started registry and goes back on its queue (the same
    job, retries and all), and the run becomes `retrying`. A job rq already re-queued is left alone; one whose rq
    job expired is parked. The jobs are idempotent, so running a slice again that had half-run (its transaction
    rolled back with the worker) is safe. Returns how many runs it re-queued."""
    settings, connection = get_settings(), redis_connection()
    idle_since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=settings.jobs_lease_seconds)
    rescued = 0
    for row in await job_runs.lost_runs(idle_since):
        if slot_held(connection, row["tenant_id"], row["id"]):
            continue  # alive: a long slice, its lease renewed
        job = Job.fetch(row["rq_job_id"], connection=connection) if row["rq_job_id"] and Job.exists(
            row["rq_job_id"], connection) else None
        async with tenant_transaction(row["tenant_id"]):
            if job is None:
                await job_runs.failed(row["id"], "The worker running this job was lost and the job has expired.")
                continue
            if job.get_status() != JobStatus.STARTED:
                continue  # rq re-queued or failed it already
            if await job_runs.requeued_after_loss(row["id"], "The worker running this job was lost; run again."):
                after_commit(functools.partial(_requeue_lost, queue(row["queue_name"], connection), job))
                rescued += 1
    return rescued


def _requeue_lost(on: Queue, job: Job) -> None:
    on.started_job_registry.remove_executions(job)  # so rq's own cleanup does not fail or retry it as well
    on.enqueue_job(job)


def rescue_and_clean() -> int:
    """The rescue as an rq job, every minute (`infra.schedule`): our check of lost runs, then rq's own cleanup of
    abandoned jobs (retried when they have retries left, else failed) on every queue."""
    rescued = asyncio.run(rescue_lost_runs())
    connection = redis_connection()
    for name in QUEUES:
        queue(name, connection).started_job_registry.cleanup()
    return rescued


def prune_job_runs() -> int:
    """Delete finished job runs older than `job_runs_keep_days`, daily (`infra.schedule`); how many."""
    return asyncio.run(job_runs.prune(get_settings().job_runs_keep_days))


def run_worker(queues: list[str] | None = None, with_scheduler: bool = False, burst: bool = False) -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
    connection = redis_connection()
    names = queues or list(QUEUES)
    worker = Worker([queue(name, connection) for name in names], connection=connection)
    worker.work(with_scheduler=with_scheduler, burst=burst)
