"""Stripe's webhooks: verified and stored by the receiver, applied by an rq job, once per event id.

Ordering (docs/decisions.md §10): Stripe does not promise order, so the subscription keeps the `created` time
(and, for the same second, the rank of the kind) of the newest event applied to its state; an older event
only links ids and is otherwise ignored. Being signed by Stripe, an event is trusted for what it says; the
tenant is the one whose Stripe customer it names, or for a first event the tenant the Checkout carried.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

import msgspec
import redis.asyncio as aioredis
import stripe

from infra.jobs import queue
from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings, get_settings
from services.identity.schemas import StripeEventOut, StripeWebhookAck
from services.identity.service import billing, plans
from services.identity.service.billing_stripe import NOT_CONFIGURED
from services.identity.tables import StripeEvent, Subscription, Tenant
from tenants import lifecycle
from tenants.context import tenant_transaction

logger = logging.getLogger("crm.billing")
BAD_SIGNATURE = ProblemError(400, "bad_request", "Chữ ký Stripe không hợp lệ hoặc đã quá hạn.",
                             "The Stripe signature is invalid or too old.",
                             errors=[("Stripe-Signature", "invalid_signature", "Chữ ký không hợp lệ",
                                      "Invalid signature")])
# For two events of the same second, the later step of a subscription's life wins.
RANK = {"checkout.session.completed": 1, "customer.subscription.created": 1, "customer.subscription.updated": 2,
        "invoice.payment_failed": 2, "invoice.paid": 3, "customer.subscription.deleted": 4}
STRIPE_STATUS = {"active": "active", "trialing": "active", "past_due": "past_due", "unpaid": "past_due",
                 "canceled": "canceled", "incomplete_expired": "canceled"}


class _EventData(msgspec.Struct):
    object: dict[str, Any]


class _Event(msgspec.Struct):
    """What the receiver needs of an event; the job reads the rest from the stored payload."""

    id: str
    type: str
    created: int
    data: _EventData


def _parse(settings: Settings, payload: bytes, signature: str | None) -> _Event:
    if not settings.stripe_webhook_secret:
        raise NOT_CONFIGURED
    try:
        stripe.Webhook.construct_event(payload, signature or "", settings.stripe_webhook_secret)
        return msgspec.json.decode(payload, type=_Event)
    except (ValueError, msgspec.DecodeError, stripe.SignatureVerificationError):
        raise BAD_SIGNATURE from None


def _enqueue(event_id: str) -> None:
    from services.identity.jobs import process_stripe_event  # the job module imports this one

    queue("default").enqueue(process_stripe_event, event_id, description=f"stripe event {event_id}")


async def receive(settings: Settings, payload: bytes, signature: str | None) -> StripeWebhookAck:
    """Verify, store by id, queue; answers at once. A replay stores nothing new and is queued again only if
    it was never processed (the first enqueue may have failed): the job applies it once either way."""
    event = _parse(settings, payload, signature)
    inserted = await StripeEvent.raw(
        "INSERT INTO stripe_event (id, event_id, type, payload, event_created) VALUES (uuidv7(), {}, {}, {}, {}) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING processed_at",
        event.id, event.type, payload.decode(), datetime.datetime.fromtimestamp(event.created, tz=datetime.UTC))
    pending = bool(inserted) or await StripeEvent.exists().where(
        (StripeEvent.event_id == event.id) & StripeEvent.processed_at.is_null())
    if pending:
        _enqueue(event.id)
    return StripeWebhookAck(received=True, duplicate=not inserted)


def _id(value: Any) -> str | None:
    """An expandable Stripe field: an id, or the object itself."""
    return value.get("id") if isinstance(value, dict) else value


async def _tenant_of(obj: dict[str, Any]) -> uuid.UUID | None:
    customer = _id(obj.get("customer"))
    if customer:
        row = await Subscription.select(Subscription.tenant_id).where(
            Subscription.stripe_customer_id == customer).first()
        if row:
            return uuid.UUID(str(row["tenant_id"]))
    named = obj.get("client_reference_id") or (obj.get("metadata") or {}).get("tenant_id")
    try:
        tenant_id = uuid.UUID(str(named))
    except ValueError:
        return None
    row = await Subscription.select(Subscription.stripe_customer_id).where(Subscription.tenant_id == tenant_id).first()
    return tenant_id if row and row["stripe_customer_id"] in (None, customer) else None


def _subscription_changes(obj: dict[str, Any], deleted: bool) -> dict[str, Any]:
    changes: dict[str, Any] = {"stripe_subscription_id": obj.get("id"),
                               "cancel_at_period_end": bool(obj.get("cancel_at_period_end"))}
    status = "canceled" if deleted else STRIPE_STATUS.get(str(obj.get("status")))
    if status:
        changes["status"] = status
    items = (obj.get("items") or {}).get("data") or [{}]
    period_end = obj.get("current_period_end") or items[0].get("current_period_end")
    if period_end:
        changes["current_period_end"] = datetime.datetime.fromtimestamp(int(period_end), tz=datetime.UTC)
    return changes


async def _changes(event_type: str, obj: dict[str, Any]) -> dict[str, Any] | None:
    """What the event says about the subscription, or None for an event kind not handled."""
    if event_type == "checkout.session.completed":
        return {"stripe_customer_id": _id(obj.get("customer")), "stripe_subscription_id": _id(obj.get("subscription"))}
    if event_type.startswith("customer.subscription."):
        changes = _subscription_changes(obj, deleted=event_type.endswith(".deleted"))
        items = (obj.get("items") or {}).get("data") or [{}]
        if found := await plans.plan_for_price(str(_id((items[0] or {}).get("price")) or "")):
            changes["plan_code"], changes["period"] = found
        return changes
    if event_type == "invoice.paid":
        return {"status": "active"}
    if event_type == "invoice.payment_failed":
        return {"status": "past_due"}
    return None


async def _apply(event: dict[str, Any], tenant_id: uuid.UUID, at: datetime.datetime) -> tuple[str, bool]:
    """In the tenant's transaction: (outcome, the tenant's status changed)."""
    event_type, obj = event["type"], event["data"]["object"]
    changes = await _changes(event_type, obj)
    if changes is None:
        return "ignored: not a kind billing handles", False
    state = await Subscription.select(Subscription.stripe_state_at, Subscription.stripe_state_rank,
                                      Subscription.status).where(Subscription.tenant_id == tenant_id).first()
    assert state is not None  # _tenant_of found it
    rank = RANK.get(event_type, 0)
    ids = {name: value for name, value in changes.items() if name.startswith("stripe_") and value}
    stale = state["stripe_state_at"] is not None and (at, rank) < (state["stripe_state_at"], state["stripe_state_rank"])
    if event_type == "checkout.session.completed" or stale:
        await billing.change_subscription(tenant_id, ids)
        return ("stale: older than the state applied; ids linked only" if stale else "linked"), False
    if event_type == "invoice.payment_failed" and state["status"] == "canceled":
        return "ignored: subscription canceled", False
    changed, status_changed = await billing.change_subscription(
        tenant_id, {**changes, **ids, "stripe_state_at": at, "stripe_state_rank": rank})
    return ("applied" if changed else "no change"), status_changed


async def process(event_id: str) -> str:
    """The rq job's work: apply the stored event once. Claiming it (`processed_at`) commits together with its
    effects, so a second job for the same id, concurrent or later, finds it taken and does nothing."""
    row = await StripeEvent.select(StripeEvent.payload, StripeEvent.event_created, StripeEvent.processed_at).where(
        StripeEvent.event_id == event_id).output(load_json=True).first()
    if row is None or row["processed_at"] is not None:
        return "already processed"
    event = row["payload"]
    tenant_id = await _tenant_of(event["data"]["object"])
    if tenant_id is None:
        await StripeEvent.update({StripeEvent.processed_at: datetime.datetime.now(tz=datetime.UTC),
                                  StripeEvent.outcome: "ignored: no tenant"}).where(
            (StripeEvent.event_id == event_id) & StripeEvent.processed_at.is_null())
        return "ignored: no tenant"
    async with tenant_transaction(tenant_id):
        claimed = await StripeEvent.raw(
            "UPDATE stripe_event SET processed_at = now(), tenant_id = {} WHERE event_id = {} "
            "AND processed_at IS NULL RETURNING id", tenant_id, event_id)
        if not claimed:
            return "already processed"
        outcome, status_changed = await _apply(event, tenant_id, row["event_created"])
        await StripeEvent.update({StripeEvent.outcome: outcome}).where(StripeEvent.event_id == event_id)
    if status_changed:
        await forget_status(tenant_id)
    return outcome


async def forget_status(tenant_id: uuid.UUID) -> None:
    """Outside a request (jobs, the CLI): drop the cached tenant status so the next request reads the new one."""
    connection = aioredis.Redis.from_url(get_settings().redis_url)
    try:
        await lifecycle.forget_status(connection, tenant_id)
    finally:
        await connection.aclose()


async def history(tenant_id: uuid.UUID, limit: int = 50) -> list[StripeEventOut]:
    rows = await StripeEvent.select(StripeEvent.event_id, StripeEvent.type, StripeEvent.event_created,
                                    StripeEvent.created_at.as_alias("received_at"), StripeEvent.processed_at,
                                    StripeEvent.outcome).where(StripeEvent.tenant_id == tenant_id).order_by(
        StripeEvent.event_created, ascending=False).limit(limit)
    return [StripeEventOut(**row) for row in rows]


async def end_grace_periods(now: datetime.datetime | None = None) -> int:
    """The periodic job: tenants whose grace period or trial has ended become read-only. How many."""
    moved = 0
    for tenant_id in await billing.tenants_due_for_read_only(now or datetime.datetime.now(tz=datetime.UTC)):
        async with tenant_transaction(tenant_id):
            _, status_changed = await billing.change_subscription(tenant_id, {})
        if status_changed:
            await forget_status(tenant_id)
            moved += 1
    return moved


async def set_plan_by_slug(slug: str, plan_code: str, period: str) -> None:
    """`crm billing set-plan`: as support staff would, audited as the system."""
    tenant = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    if tenant is None:
        raise NotFoundError("công ty", "Company")
    async with tenant_transaction(tenant["id"]):
        status_changed = await billing.set_plan(tenant["id"], plan_code, period)
    if status_changed:
        await forget_status(tenant["id"])
