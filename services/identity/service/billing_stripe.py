"""What identity asks of Stripe: a customer per tenant (created lazily), Checkout and customer-portal sessions,
and the subscription's seat quantity when members come and go.

Every creating call carries an idempotency key, so a retried request (ours, or the SDK's own network retry)
creates nothing twice. Without `CRM_STRIPE_SECRET_KEY` billing is in local mode and these refuse with 409.
"""

from __future__ import annotations

import hashlib
import logging
import uuid

import redis
import stripe

from infra.jobs import enqueue_for_tenant
from infra.problems import ProblemError
from infra.settings import Settings
from services.identity.schemas import CheckoutRequest, RedirectOut
from services.identity.service import plans
from services.identity.tables import Membership, Subscription, Tenant
from tenants import audit
from tenants.context import after_commit, current_tenant_id

logger = logging.getLogger("crm.billing")
NOT_CONFIGURED = ProblemError(
    409, "billing_not_configured",
    "Thanh toán trực tuyến chưa được cấu hình; bộ phận hỗ trợ sẽ đổi gói cho công ty.",
    "Online payment is not configured (local mode); support staff change the company's plan.")
STRIPE_FAILED = ProblemError(502, "payment_provider_error", "Cổng thanh toán không phản hồi, vui lòng thử lại.",
                             "The payment provider did not answer; please try again.")


def client(settings: Settings) -> stripe.StripeClient:
    if not settings.stripe_secret_key:
        raise NOT_CONFIGURED
    base = {"base_addresses": {"api": settings.stripe_api_base}} if settings.stripe_api_base else {}
    return stripe.StripeClient(settings.stripe_secret_key, http_client=stripe.HTTPXClient(), **base)  # type: ignore[arg-type]


def idempotency_key(*parts: object) -> str:
    return "crm-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


async def active_members(tenant_id: uuid.UUID) -> int:
    return int(await Membership.count().where((Membership.tenant_id == tenant_id) & Membership.is_active.eq(True)))


async def ensure_customer(stripe_client: stripe.StripeClient, tenant_id: uuid.UUID) -> str:
    """The tenant's Stripe customer, created on first need. The key is the tenant's, so two first checkouts
    at once get one customer."""
    row = await Subscription.select(Subscription.stripe_customer_id).where(Subscription.tenant_id == tenant_id).first()
    if row and row["stripe_customer_id"]:
        return str(row["stripe_customer_id"])
    tenant = await Tenant.select(Tenant.name, Tenant.slug).where(Tenant.id == tenant_id).first()
    assert tenant is not None  # the caller's token names it
    customer = await stripe_client.v1.customers.create_async(
        params={"name": tenant["name"], "metadata": {"tenant_id": str(tenant_id), "slug": tenant["slug"]}},
        options={"idempotency_key": idempotency_key("customer", tenant_id)})
    if await Subscription.update({Subscription.stripe_customer_id: customer.id}).where(
            (Subscription.tenant_id == tenant_id) & Subscription.stripe_customer_id.is_null()
    ).returning(Subscription.id):
        await audit.record("billing.customer_create", "subscription", tenant_id,
                           after={"stripe_customer_id": customer.id})
    return customer.id


async def checkout(settings: Settings, tenant_id: uuid.UUID, data: CheckoutRequest,
                   request_key: str | None) -> RedirectOut:
    """A Checkout Session in subscription mode for the plan's price of the period, one seat per active member.
    The request's own Idempotency-Key (or a fresh one) makes the Stripe key: a retried request gets the same
    session, a new click a new one."""
    stripe_client = client(settings)
    plan = await plans.get_plan(data.plan, field="plan")
    price = plan.stripe_price_monthly if data.period == "monthly" else plan.stripe_price_yearly
    if not price:
        raise ProblemError(422, "validation_error", "Gói này không bán theo kỳ đã chọn.",
                           "This plan is not sold for that period.",
                           errors=[("period", "no_price", "Gói không có giá cho kỳ này", "No price for this period")])
    quantity = await active_members(tenant_id)
    try:
        customer = await ensure_customer(stripe_client, tenant_id)
        session = await stripe_client.v1.checkout.sessions.create_async(
            params={"mode": "subscription", "customer": customer, "client_reference_id": str(tenant_id),
                    "line_items": [{"price": price, "quantity": quantity}],
                    "metadata": {"tenant_id": str(tenant_id), "plan": plan.code, "period": data.period},
                    "subscription_data": {"metadata": {"tenant_id": str(tenant_id)}},
                    "success_url": f"{settings.public_url}/billing?checkout=success",
                    "cancel_url": f"{settings.public_url}/billing?checkout=canceled"},
            options={"idempotency_key": idempotency_key("checkout", tenant_id, plan.code, data.period, quantity,
                                             request_key or uuid.uuid4())})
    except stripe.StripeError:
        raise STRIPE_FAILED from None
    await audit.record("billing.checkout", "subscription", tenant_id,
                       after={"plan": plan.code, "period": data.period, "quantity": quantity, "session": session.id})
    return RedirectOut(url=str(session.url), session_id=session.id)


async def portal(settings: Settings, tenant_id: uuid.UUID, request_key: str | None) -> RedirectOut:
    stripe_client = client(settings)
    try:
        customer = await ensure_customer(stripe_client, tenant_id)
        session = await stripe_client.v1.billing_portal.sessions.create_async(
            params={"customer": customer, "return_url": f"{settings.public_url}/billing"},
            options={"idempotency_key": idempotency_key("portal", tenant_id, request_key or uuid.uuid4())})
    except stripe.StripeError:
        raise STRIPE_FAILED from None
    return RedirectOut(url=session.url, session_id=session.id)


def seats_changed(settings: Settings, tenant_id: uuid.UUID) -> None:
    """After a member joins or leaves (in their transaction): once it commits, a job sets the Stripe
    subscription's quantity to the active members. Nothing in local mode."""
    if settings.stripe_secret_key:
        from services.identity.jobs import sync_seat_quantity  # the job module imports this one

        def enqueue() -> None:
            try:
                enqueue_for_tenant(tenant_id, sync_seat_quantity)
            except redis.RedisError:  # the next change sends the count again; the member change stands
                logger.exception("could not queue the seat count of tenant %s", tenant_id)

        after_commit(enqueue)


async def sync_seat_quantity(settings: Settings, job_id: str) -> str:
    """In the tenant's job transaction: the subscription's seat quantity, one per active member. The rq job's id
    makes the idempotency key: the job retried sends the same request, a later change a new one."""
    tenant_id = current_tenant_id()
    row = await Subscription.select(Subscription.stripe_subscription_id, Subscription.status).where(
        Subscription.tenant_id == tenant_id).first()
    if row is None or not row["stripe_subscription_id"] or row["status"] == "canceled":
        return "no Stripe subscription"
    stripe_client, quantity = client(settings), await active_members(tenant_id)
    subscription = await stripe_client.v1.subscriptions.retrieve_async(row["stripe_subscription_id"])
    item = subscription["items"]["data"][0]
    if item["quantity"] == quantity:
        return "unchanged"
    await stripe_client.v1.subscriptions.update_async(
        row["stripe_subscription_id"], params={"items": [{"id": item["id"], "quantity": quantity}]},
        options={"idempotency_key": idempotency_key("seats", tenant_id, job_id)})
    await audit.record("billing.seats", "subscription", tenant_id, before={"quantity": item["quantity"]},
                       after={"quantity": quantity})
    return f"quantity {quantity}"
