"""rq jobs of webhooks, on the `webhooks` queue; each runs inside its tenant's transaction
(`infra.jobs.run_tenant_job`) and enqueues what follows only once that transaction has committed."""

from __future__ import annotations

import datetime
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from infra.jobs import enqueue_for_tenant, redis_connection
from infra.settings import get_settings
from tenants.context import after_commit, current_tenant_id
from webhooks import delivery

QUEUE = "webhooks"
logger = logging.getLogger("crm.webhooks")


@functools.cache
def _redis() -> redis.Redis:
    return redis_connection()


def enqueue_after_commit(job: Callable[..., Awaitable[Any]], *args: Any,
                         delay: datetime.timedelta | None = None) -> None:
    """Enqueue `job` for the current tenant once its transaction commits. If Redis fails then, the rows stay
    in PostgreSQL (outbox undispatched, delivery pending) and the error is logged; nothing is lost."""
    tenant_id = current_tenant_id()

    def enqueue() -> None:
        try:
            enqueue_for_tenant(tenant_id, job, *args, queue_name=QUEUE, connection=_redis(), delay=delay)
        except redis.RedisError:
            logger.exception("could not enqueue %s for tenant %s", job.__qualname__, tenant_id)

    after_commit(enqueue)


async def dispatch() -> int:
    """Fan the tenant's new outbox events out into deliveries, and send each; how many deliveries."""
    deliveries = await delivery.dispatch_new_events()
    for delivery_id in deliveries:
        enqueue_after_commit(deliver, str(delivery_id))
    return len(deliveries)


async def deliver(delivery_id: str) -> str:
    """One attempt at one delivery; schedules the next attempt when this one fails. The delivery's status."""
    due = await delivery.claim(uuid.UUID(delivery_id))
    if due is None:
        return "skipped"
    settings = get_settings()
    recorded = await delivery.record(due, await delivery.send(due, settings), settings)
    if recorded.retry_in is not None:
        enqueue_after_commit(deliver, delivery_id, delay=recorded.retry_in)
    return recorded.status
