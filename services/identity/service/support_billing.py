"""Support staff and billing: edit plans, put a tenant on a plan, see a tenant's billing. Every change is
audited in each tenant it touches, naming the support person."""

from __future__ import annotations

import uuid

from services.identity.schemas import PlanAssignment, PlanOut, PlanUpdate, SupportBillingOut
from services.identity.service import billing, billing_events, plans
from services.identity.service.support import support_actor
from services.identity.tables import Subscription
from tenants import audit
from tenants.context import tenant_transaction


async def update_plan(staff_id: uuid.UUID, code: str, data: PlanUpdate) -> PlanOut:
    """The plan first, then each tenant on it in its own transaction (its limits, an audit entry); saving the
    plan again finishes the work if it was interrupted."""
    before, after, tenant_ids = await plans.update_plan(code, data)
    actor = support_actor(staff_id, f"plan {code} edited")
    for tenant_id in tenant_ids:
        async with tenant_transaction(tenant_id):
            await billing.apply_plan_limits(tenant_id, after)
            await audit.record("plan.update", "plan", code, before=before, after=after, actor=actor)
    return after


async def set_plan(staff_id: uuid.UUID, tenant_id: uuid.UUID, data: PlanAssignment) -> bool:
    """Whether the tenant's status changed."""
    async with tenant_transaction(tenant_id):
        return await billing.set_plan(tenant_id, data.plan, data.period, support_actor(staff_id, data.reason))


async def tenant_billing(tenant_id: uuid.UUID) -> SupportBillingOut:
    subscription = await billing.tenant_subscription(tenant_id)
    ids = await Subscription.select(Subscription.stripe_customer_id, Subscription.stripe_subscription_id).where(
        Subscription.tenant_id == tenant_id).first()
    assert ids is not None  # tenant_subscription found it
    async with tenant_transaction(tenant_id):
        usage = await billing.quota_usage(tenant_id)
    return SupportBillingOut(tenant_id=tenant_id, subscription=subscription, usage=usage,
                             stripe_customer_id=ids["stripe_customer_id"],
                             stripe_subscription_id=ids["stripe_subscription_id"],
                             events=await billing_events.history(tenant_id))
