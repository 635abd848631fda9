"""rq on Redis: queues by kind, tenant jobs, and the worker (DESIGN §6).

A tenant job is an async function of a service's `jobs.py`; it is enqueued with its tenant and runs inside
`tenant_transaction(tenant_id)`, so row-level security applies to it as to a request.
"""

from __future__ import annotations

import asyncio
import datetime
import importlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis
from rq import Queue, Worker
from rq.job import Job

from infra.settings import get_settings
from tenants.context import tenant_transaction

QUEUES = ("webhooks", "default", "imports", "reports")


def redis_connection() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url)


def queue(name: str = "default", connection: redis.Redis | None = None) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; queues are {', '.join(QUEUES)}")
    return Queue(name, connection=connection or redis_connection())


def enqueue_for_tenant(tenant_id: uuid.UUID, func: Callable[..., Awaitable[Any]], *args: Any,
                       queue_name: str = "default", connection: redis.Redis | None = None,
                       delay: datetime.timedelta | None = None, **kwargs: Any) -> Job:
    """Enqueue now, or after `delay` (run by a worker started `--with-scheduler`)."""
    target = f"{func.__module__}:{func.__qualname__}"
    job_args = (run_tenant_job, str(tenant_id), target, args, kwargs)
    description = f"{target} for tenant {tenant_id}"
    if delay is not None:
        return queue(queue_name, connection).enqueue_in(delay, *job_args, description=description)
    return queue(queue_name, connection).enqueue(*job_args, description=description)


def _imported(target: str) -> Any:
    module_name, _, name = target.partition(":")
    return getattr(importlib.import_module(module_name), name)


def run_tenant_job(tenant_id: str, target: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What the worker runs: import the job function and await it inside the tenant transaction."""
    func = _imported(target)

    async def in_tenant() -> Any:
        async with tenant_transaction(uuid.UUID(tenant_id)):
            return await func(*args, **kwargs)

    return asyncio.run(in_tenant())


# Imported once by the worker before it forks a work horse per job, so a job does not pay for importing the
# services (about 0.3 s each otherwise).
JOB_MODULES = ("webhooks.jobs", *(f"services.{name}.jobs" for name in
                                  ("identity", "contacts", "pipeline", "partners", "reporting")))


async def _working_tenant_ids() -> list[uuid.UUID]:
    from services.identity.tables import Tenant  # identity's table, read only; imported late: infra is below it

    rows = await Tenant.select(Tenant.id).where(Tenant.status.is_in(["active", "read_only"])).order_by(Tenant.id)
    return [uuid.UUID(str(row["id"])) for row in rows]


def for_each_active_tenant(target: str, queue_name: str = "default") -> int:
    """A periodic job's fan-out: one job running `target` ("module:function") per tenant still in use (active or
    read-only), each in its own tenant transaction. Returns how many were enqueued."""
    func, connection = _imported(target), redis_connection()
    tenant_ids = asyncio.run(_working_tenant_ids())
    for tenant_id in tenant_ids:
        enqueue_for_tenant(tenant_id, func, queue_name=queue_name, connection=connection)
    return len(tenant_ids)


def run_worker(queues: list[str] | None = None, with_scheduler: bool = False, burst: bool = False) -> None:
    for module in JOB_MODULES:
        importlib.import_module(module)
    connection = redis_connection()
    names = queues or list(QUEUES)
    worker = Worker([queue(name, connection) for name in names], connection=connection)
    worker.work(with_scheduler=with_scheduler, burst=burst)
