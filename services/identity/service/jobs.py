"""The job console: a tenant's scheduled jobs and its job runs with their progress (tenants.job_runs), the retry of
a failed run, and for support staff what rq holds across tenants (queue depths, running and failed jobs).

It lives in identity beside the audit log and the support console: like them it reads rows every service writes
through a shared wrapper, and support staff already authenticate here.
"""

from __future__ import annotations

import asyncio
import datetime
import uuid
import zoneinfo
from typing import Any

import msgspec
import redis
import redis.asyncio as aioredis
from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import BaseRegistry

from infra.jobs import QUEUES, redis_connection, run_tenant_job
from infra.problems import NotFoundError, ProblemError
from infra.schedule import TENANT_DAILY, TenantDaily, daily_claim_key, local_day
from services.identity.schemas import JobRunOut, QueueDepthOut, RqJobOut, ScheduledJobOut
from services.identity.tables import Tenant
from tenants import audit
from tenants.context import after_commit, current_tenant_id
from tenants.job_runs import JobRun
from tenants.locale import tenant_time_zone
from tenants.pagination import Page, decode_cursor, page_of

RUN_NOT_FOUND = NotFoundError("lần chạy", "Job run")
NOT_RETRYABLE = ProblemError(409, "conflict", "Chỉ chạy lại được một lần chạy đã lỗi.",
                             "Only a failed run can be retried.")
EXPIRED = ProblemError(409, "conflict", "Công việc của lần chạy này đã hết hạn lưu, không chạy lại được.",
                       "This run's job has expired and can no longer be retried.")
_COLUMNS = [getattr(JobRun, name) for name in JobRunOut.__struct_fields__]
_HOUR = datetime.timedelta(hours=1)


def _mine() -> Any:
    return JobRun.tenant_id == current_tenant_id()


def _run(row: dict[str, Any]) -> JobRunOut:
    return msgspec.convert(row, JobRunOut, strict=False)


async def list_runs(limit: int, cursor: str | None, status: str | None) -> Page[JobRunOut]:
    """Newest first (UUIDv7 ids follow time)."""
    query = JobRun.select(*_COLUMNS).where(_mine())
    if status is not None:
        query = query.where(JobRun.status == status)
    before = decode_cursor(cursor)
    if before is not None:
        query = query.where(JobRun.id < before)
    runs = [_run(row) for row in await query.order_by(JobRun.id, ascending=False).limit(limit + 1)]
    return page_of(runs, limit, runs[limit - 1].id if len(runs) > limit else None)


async def get_run(run_id: uuid.UUID) -> JobRunOut:
    row = await JobRun.select(*_COLUMNS).where(_mine() & (JobRun.id == run_id)).first()
    if row is None:
        raise RUN_NOT_FOUND
    return _run(row)


async def retry_run(run_id: uuid.UUID, actor: audit.Actor | None = None) -> JobRunOut:
    """Put a failed run's failed slice back at the end of its queue (once this transaction commits); the run
    keeps its id and rows done, and counts the attempt when it starts."""
    before = await get_run(run_id)
    if before.status != "failed":
        raise NOT_RETRYABLE
    row = await JobRun.select(JobRun.rq_job_id).where(_mine() & (JobRun.id == run_id)).first()
    connection = redis_connection()
    job = await asyncio.to_thread(_failed_job, connection, row["rq_job_id"] if row else None)
    if job is None or job.args[:1] != (str(current_tenant_id()),):
        raise EXPIRED
    await JobRun.update({JobRun.status: "queued", JobRun.attempts: JobRun.attempts + 1}).where(
        _mine() & (JobRun.id == run_id))
    after = await get_run(run_id)
    await audit.record("job_run.retry", "job_run", run_id, before={"status": before.status},
                       after={"status": after.status}, actor=actor)
    after_commit(lambda: Queue(job.origin, connection=connection).failed_job_registry.requeue(job))
    return after


def _failed_job(connection: redis.Redis, rq_job_id: str | None) -> Job | None:
    if not rq_job_id:
        return None
    job = Job.fetch(rq_job_id, connection=connection) if Job.exists(rq_job_id, connection) else None
    return job if job is not None and job.get_status() == JobStatus.FAILED else None


async def scheduled_jobs(connection: aioredis.Redis, now: datetime.datetime | None = None) -> list[ScheduledJobOut]:
    """The tenant's daily jobs: when they run in its zone, how the last run went, and when the next one is due."""
    now = now or datetime.datetime.now(datetime.UTC)
    zone = await tenant_time_zone()
    tenant = await Tenant.select(Tenant.daily_jobs_hour).where(Tenant.id == current_tenant_id()).first()
    hour = tenant["daily_jobs_hour"] if tenant else 1
    return [await _scheduled(connection, daily, now, zone, hour) for daily in TENANT_DAILY]


async def _scheduled(connection: aioredis.Redis, daily: TenantDaily, now: datetime.datetime,
                     zone: zoneinfo.ZoneInfo, hour: int) -> ScheduledJobOut:
    last = await JobRun.select(*_COLUMNS).where(_mine() & (JobRun.name == daily.target)).order_by(
        JobRun.id, ascending=False).first()
    today = local_day(now, zone, hour)
    if await connection.exists(daily_claim_key(daily, current_tenant_id(), today)):
        # Today's run is claimed: the next starts at the hour of the next local day.
        next_day = today + datetime.timedelta(days=1)
        next_run_at = datetime.datetime(next_day.year, next_day.month, next_day.day, hour, tzinfo=zone)
    else:  # not claimed yet: the next hourly fan-out runs it
        next_run_at = now.replace(minute=0, second=0, microsecond=0) + _HOUR
    last_run = _run(last) if last else None
    return ScheduledJobOut(name=daily.name, job=daily.target, schedule=f"daily at {hour:02d}:00 {zone}",
                           last_run=last_run, next_run_at=next_run_at.astimezone(datetime.UTC),
                           status=last_run.status if last_run else "never_run")


def queue_depths() -> list[QueueDepthOut]:
    connection = redis_connection()
    depths = []
    for name in QUEUES:
        on = Queue(name, connection=connection)
        depths.append(QueueDepthOut(name=name, queued=on.count, started=on.started_job_registry.count,
                                    failed=on.failed_job_registry.count, scheduled=on.scheduled_job_registry.count,
                                    deferred=on.deferred_job_registry.count))
    return depths


def rq_jobs(state: str, queue_name: str | None, limit: int) -> list[RqJobOut]:
    """Running (`started`) or `failed` jobs of every tenant, newest first."""
    connection = redis_connection()
    jobs: list[RqJobOut] = []
    for name in [queue_name] if queue_name else QUEUES:
        on = Queue(name, connection=connection)
        registry: BaseRegistry = on.started_job_registry if state == "started" else on.failed_job_registry
        ids = registry.get_job_ids(0, limit - 1, desc=True)
        jobs += [_rq_job(job, name, state) for job in Job.fetch_many(ids, connection=connection) if job]
    return sorted(jobs, key=lambda job: job.ended_at or job.enqueued_at or datetime.datetime.min.replace(
        tzinfo=datetime.UTC), reverse=True)[:limit]


def _rq_job(job: Job, queue_name: str, state: str) -> RqJobOut:
    tenant_job = job.func_name == f"{run_tenant_job.__module__}.{run_tenant_job.__name__}"
    result = job.latest_result() if state == "failed" else None
    error = (result.exc_string or "").strip().splitlines()[-1:] if result else []
    return RqJobOut(id=job.id, queue_name=queue_name, state=state, description=job.description,
                    tenant_id=uuid.UUID(job.args[0]) if tenant_job else None,
                    run_id=uuid.UUID(job.args[4]) if tenant_job and len(job.args) > 4 else None,
                    enqueued_at=_utc(job.enqueued_at), ended_at=_utc(job.ended_at), error=error[0] if error else None)


def _utc(at: datetime.datetime | None) -> datetime.datetime | None:
    """rq keeps naive UTC times."""
    return at.replace(tzinfo=datetime.UTC) if at is not None and at.tzinfo is None else at
