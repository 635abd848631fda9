"""rq jobs of webhooks, on the `webhooks` queue; each runs inside its tenant's transaction
(`infra.jobs.run_tenant_job`) and enqueues what follows only once that transaction has committed."""

from __future__ import annotations

import asyncio
import datetime
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from infra.jobs import enqueue_for_tenant, redis_connection
from infra.settings import get_settings
from tenants.context import after_commit, current_tenant_id, tenant_transaction
from webhooks import delivery
from webhooks.tables import OutboxEvent, WebhookDelivery

QUEUE = "webhooks"
# Work overdue by more than this is taken for lost: longer than rq's scheduler tick and a slow attempt (15 s).
REAP_GRACE = datetime.timedelta(minutes=1)
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


async def reap_tenant(overdue_since: datetime.datetime) -> int:
    """Enqueue again the tenant's pending deliveries due before `overdue_since` and, if it has outbox rows
    older than that still undispatched, the dispatcher; how many deliveries. Safe to run twice: a delivery
    is claimed with `SKIP LOCKED` and only while pending."""
    tenant_id = current_tenant_id()
    stuck = await WebhookDelivery.select(WebhookDelivery.id).where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at < overdue_since))
    for row in stuck:
        enqueue_after_commit(deliver, str(row["id"]))
    if await OutboxEvent.exists().where((OutboxEvent.tenant_id == tenant_id) & OutboxEvent.dispatched_at.is_null()
                                        & (OutboxEvent.created_at < overdue_since)):
        enqueue_after_commit(dispatch)
    return len(stuck)


async def reap(grace: datetime.timedelta = REAP_GRACE) -> int:
    """The reaper (not a tenant job): finds every tenant with work no job carries (a killed worker, Redis down
    at commit) and re-queues it in that tenant's transaction; how many deliveries. `crm webhooks reap` runs it."""
    overdue_since = datetime.datetime.now(tz=datetime.UTC) - grace
    rows = await WebhookDelivery.raw("SELECT webhook_tenants_to_reap({}) AS tenant_id", overdue_since)
    reaped = 0
    for row in rows:
        async with tenant_transaction(row["tenant_id"]):
            reaped += await reap_tenant(overdue_since)
    return reaped


def reap_lost_work() -> int:
    """The reaper as an rq job, scheduled every minute (`infra.schedule`)."""
    return asyncio.run(reap())
