"""rq jobs of webhooks, on the `webhooks` queue. The dispatcher runs inside its tenant's transaction
(`infra.jobs.run_tenant_job`); the deliverer opens short transactions of its own around its POSTs. Each enqueues
what follows only once its transaction has committed."""

from __future__ import annotations

import asyncio
import datetime
import functools
import logging
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import redis

from infra.jobs import enqueue_for_tenant, queue, redis_connection
from infra.settings import get_settings
from tenants.context import after_commit, current_tenant_id, tenant_transaction
from webhooks import delivery, ratelimit
from webhooks.tables import OutboxEvent, WebhookDelivery

QUEUE = "webhooks"
# Work overdue by more than this is taken for lost: longer than rq's scheduler tick and a slow attempt (15 s).
REAP_GRACE = datetime.timedelta(minutes=1)
WAKE_KEY = "webhooks:deliver-wake:{}"  # set while a `deliver_due` job of the tenant is queued and not started
WAKE_TTL_SECONDS = 60  # should that job be lost, the next wake-up after this queues another
RUN_BUDGET_SECONDS = 60  # a deliverer job stops claiming after this (rq kills a job at 180 s)
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
    """Fan the tenant's new outbox events out into deliveries, and wake the deliverer; how many deliveries."""
    deliveries = await delivery.dispatch_new_events()
    if deliveries:
        wake_deliverer_after_commit()
    return deliveries


def wake_deliverer_after_commit() -> None:
    """Once the current tenant transaction commits, make sure a `deliver_due` job of the tenant is queued."""
    tenant_id = current_tenant_id()
    after_commit(lambda: wake_deliverer(tenant_id))


def wake_deliverer(tenant_id: uuid.UUID) -> None:
    """Queue `deliver_due` for the tenant unless one is queued and not started yet (a burst of events wakes it
    once). If Redis fails, the rows wait in PostgreSQL for the reaper."""
    try:
        if _redis().set(WAKE_KEY.format(tenant_id), "1", nx=True, ex=WAKE_TTL_SECONDS):
            queue(QUEUE, _redis()).enqueue(deliver_due_job, str(tenant_id),
                                           description=f"deliver due webhooks of tenant {tenant_id}")
    except redis.RedisError:
        logger.exception("could not wake the webhook deliverer of tenant %s", tenant_id)


def _wake_at(tenant_id: uuid.UUID, times: list[datetime.datetime]) -> None:
    """`deliver_due` at each of these times, rounded up to the second; one job per second at most."""
    try:
        for second in sorted({math.ceil(when.timestamp()) for when in times}):
            queue(QUEUE, _redis()).enqueue_at(
                datetime.datetime.fromtimestamp(second, tz=datetime.UTC), deliver_due_job, str(tenant_id),
                job_id=f"webhooks-deliver-{tenant_id}-{second}",
                description=f"deliver due webhooks of tenant {tenant_id}")
    except redis.RedisError:
        logger.exception("could not schedule the webhook deliverer of tenant %s", tenant_id)


def deliver_due_job(tenant_id: str) -> int:
    """The rq job (not a tenant job: it opens its own short transactions, none during a POST)."""
    return asyncio.run(deliver_due(uuid.UUID(tenant_id)))


async def deliver_due(tenant_id: uuid.UUID) -> int:
    """Send the tenant's due deliveries, batch by batch: dispatch new events and claim (a transaction), POST
    (none), record (another). Rate-limited ones over their limit are postponed. How many were sent."""
    _redis().delete(WAKE_KEY.format(tenant_id))  # from here on, new work wakes another job
    settings = get_settings()
    sent = 0
    started = time.monotonic()
    while True:
        if time.monotonic() - started > RUN_BUDGET_SECONDS:
            wake_deliverer(tenant_id)  # hand over to a fresh job well before rq's job timeout kills this one
            return sent
        async with tenant_transaction(tenant_id):
            await delivery.dispatch_new_events()  # events committed since the wake-up go out in this batch
            dues = await delivery.claim_due(settings)
        if not dues:
            return sent
        held = ratelimit.postponed(dues, _redis(), datetime.datetime.now(tz=datetime.UTC))
        to_send = [due for due in dues if due.id not in held]
        outcomes = await delivery.send_all(to_send, settings)
        async with tenant_transaction(tenant_id):
            later = await delivery.record(list(zip(to_send, outcomes, strict=True)),
                                          {due.id: (due, held[due.id]) for due in dues if due.id in held}, settings)
            after_commit(functools.partial(_wake_at, tenant_id, later))
        sent += len(to_send)


async def reap_tenant(overdue_since: datetime.datetime) -> int:
    """Wake the tenant's deliverer if it has pending deliveries due before `overdue_since` (a lease ran out: the
    worker died), and its dispatcher if it has outbox rows older than that still undispatched; how many
    deliveries. Safe to run twice: deliveries are claimed with `SKIP LOCKED` and only when due."""
    tenant_id = current_tenant_id()
    stuck: int = await WebhookDelivery.count().where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at < overdue_since))
    if stuck:
        wake_deliverer_after_commit()
    if await OutboxEvent.exists().where((OutboxEvent.tenant_id == tenant_id) & OutboxEvent.dispatched_at.is_null()
                                        & (OutboxEvent.created_at < overdue_since)):
        enqueue_after_commit(dispatch)
    return stuck


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
