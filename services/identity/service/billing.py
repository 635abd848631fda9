"""A tenant's subscription and what it does to the tenant: its plan's limits, and its status.

Every change, whoever makes it (sign-up, Stripe's webhooks, support staff, the CLI, the grace-period job),
goes through `change_subscription` in the tenant's transaction: it writes the subscription, moves the tenant
between active and read-only when billing requires it, copies the plan's limits (rate limit and quota
counters), and records an audit entry and a `subscription.updated` event, all in that one transaction.

The tenant is read-only while the subscription is canceled, past due beyond the grace period, or a trial that
has ended; `read_only_by_billing` remembers that billing made it so, so that paying again reactivates it but
never lifts a lock that support staff set.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from infra.problems import NotFoundError
from infra.settings import get_settings
from services.identity.events import SUBSCRIPTION_UPDATED, SubscriptionData
from services.identity.schemas import BillingBanner, PlanOut, QuotaUsage, SubscriptionOut, UsageOut
from services.identity.service import plans
from services.identity.tables import Subscription, Tenant
from tenants import audit, quotas
from tenants.quotas import TenantQuota
from webhooks.outbox import emit

TRIAL_DAYS = 14
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
SUBSCRIPTION_NOT_FOUND = NotFoundError("gói đăng ký", "Subscription")
_STATE_FIELDS = ("plan_code", "period", "status", "trial_ends_at", "current_period_end", "cancel_at_period_end",
                 "past_due_since", "read_only_by_billing", "stripe_customer_id", "stripe_subscription_id",
                 "stripe_state_at", "stripe_state_rank")
# How identity counts what a tenant already uses when its counters are first written (it may read other
# services' tables, never write them). Storage is counted as it is uploaded.
_USED_NOW = {
    "seats": "SELECT count(*) FROM membership WHERE tenant_id = {} AND is_active",
    "customers": "SELECT count(*) FROM customer WHERE tenant_id = {}",
    "webhook_endpoints": "SELECT count(*) FROM webhook_endpoint WHERE tenant_id = {}",
    "custom_attributes": "SELECT count(*) FROM attribute_definition WHERE tenant_id = {}",
    "storage_bytes": "SELECT 0 WHERE {}::uuid IS NOT NULL",
}


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def grace_period() -> datetime.timedelta:
    return datetime.timedelta(days=get_settings().billing_grace_days)


def read_only_from(row: dict[str, Any]) -> datetime.datetime | None:
    """When billing makes the tenant read-only, for the state in `row` (None: it does not)."""
    since: datetime.datetime | None = None
    if row["status"] == "canceled":  # Stripe cancels at the end of the paid period: access ends with it
        since = _EPOCH
    elif row["status"] == "past_due" and row["past_due_since"] is not None:
        since = row["past_due_since"] + grace_period()
    elif row["status"] == "trialing":
        since = row["trial_ends_at"]
    return since


def _tenant_status_after(row: dict[str, Any], tenant_status: str, now: datetime.datetime) -> tuple[str, bool]:
    """(tenant status, read_only_by_billing) for the subscription state in `row`."""
    until = read_only_from(row)
    blocked = until is not None and until <= now
    if blocked and tenant_status == "active":
        return "read_only", True
    if not blocked and row["read_only_by_billing"] and tenant_status == "read_only":
        return "active", False
    return tenant_status, row["read_only_by_billing"] and tenant_status == "read_only"


async def _locked(tenant_id: uuid.UUID) -> dict[str, Any]:
    rows = await Subscription.raw(
        "SELECT s.*, t.status AS tenant_status FROM subscription s JOIN tenant t ON t.id = s.tenant_id "
        "WHERE s.tenant_id = {} FOR UPDATE OF s, t", tenant_id)
    if not rows:
        raise SUBSCRIPTION_NOT_FOUND
    return dict(rows[0])


async def apply_plan_limits(tenant_id: uuid.UUID, plan: PlanOut) -> None:
    """The plan's rate limit on the tenant, and its quotas on the tenant's counters (created, counted, when
    missing). Runs in the tenant's transaction."""
    await Tenant.update({Tenant.requests_per_minute: plan.quotas.requests_per_minute}).where(Tenant.id == tenant_id)
    for quota, limit in plans.quota_limits(plan).items():
        await TenantQuota.raw(
            "INSERT INTO tenant_quota (id, tenant_id, quota, used, quota_limit) "  # noqa: S608 - constant SQL
            f"VALUES (uuidv7(), {{}}, {{}}, ({_USED_NOW[quota]}), {{}}) "
            "ON CONFLICT (tenant_id, quota) DO UPDATE SET quota_limit = EXCLUDED.quota_limit, updated_at = now()",
            tenant_id, quota, tenant_id, limit)


async def start_trial(tenant_id: uuid.UUID) -> None:
    """Sign-up's subscription: the Trial plan, in the sign-up's transaction."""
    await Subscription.insert(Subscription(tenant_id=tenant_id, plan_code=plans.TRIAL, status="trialing",
                                           trial_ends_at=_now() + datetime.timedelta(days=TRIAL_DAYS)))
    await apply_plan_limits(tenant_id, await plans.get_plan(plans.TRIAL))


def _event_data(row: dict[str, Any]) -> SubscriptionData:
    return SubscriptionData(plan=row["plan_code"], period=row["period"], status=row["status"],
                            tenant_status=row["tenant_status"], cancel_at_period_end=row["cancel_at_period_end"],
                            current_period_end=row["current_period_end"], past_due_since=row["past_due_since"])


async def change_subscription(tenant_id: uuid.UUID, changes: dict[str, Any],
                              actor: audit.Actor | None = None) -> tuple[bool, bool]:
    """Apply `changes` (subscription columns) and their consequences, in the tenant's transaction.
    Returns (anything changed, the tenant's status changed): after a status change the caller, once the
    transaction commits, calls `tenants.lifecycle.forget_status`."""
    before = await _locked(tenant_id)
    after = {**before, **changes}
    if after["status"] != "past_due":
        after["past_due_since"] = None
    elif before["status"] != "past_due" or after["past_due_since"] is None:
        after["past_due_since"] = _now()
    after["tenant_status"], after["read_only_by_billing"] = _tenant_status_after(after, before["tenant_status"], _now())
    if all(after[name] == before[name] for name in (*_STATE_FIELDS, "tenant_status")):
        return False, False
    await Subscription.update({getattr(Subscription, name): after[name] for name in _STATE_FIELDS}).where(
        Subscription.tenant_id == tenant_id)
    status_changed = after["tenant_status"] != before["tenant_status"]
    if status_changed:
        await Tenant.update({Tenant.status: after["tenant_status"]}).where(Tenant.id == tenant_id)
    if after["plan_code"] != before["plan_code"]:
        await apply_plan_limits(tenant_id, await plans.get_plan(after["plan_code"]))
    visible = (*_STATE_FIELDS[:8], "tenant_status")
    old, new = _event_data(before), _event_data(after)
    await audit.record("subscription.update", "subscription", before["id"],
                       before={name: before[name] for name in visible},
                       after={name: after[name] for name in visible}, actor=actor)
    if old != new:
        await emit(SUBSCRIPTION_UPDATED, new)
    return True, status_changed


async def tenant_subscription(tenant_id: uuid.UUID) -> SubscriptionOut:
    rows = await Subscription.raw(
        "SELECT s.*, t.status AS tenant_status FROM subscription s JOIN tenant t ON t.id = s.tenant_id "
        "WHERE s.tenant_id = {}", tenant_id)
    if not rows:
        raise SUBSCRIPTION_NOT_FOUND
    row = rows[0]
    banner = None
    if row["status"] == "past_due" and row["tenant_status"] == "active":
        until = read_only_from(row)
        day = until.date().isoformat() if until else ""
        banner = BillingBanner(
            code="payment_past_due", read_only_from=until,
            message_vi=f"Thanh toán chưa thành công. Hãy cập nhật phương thức thanh toán trước {day}, "
                       "sau đó công ty sẽ chuyển sang chế độ chỉ đọc.",
            message_en=f"Your payment failed. Update your payment method before {day}; after that the company "
                       "becomes read-only.")
    return SubscriptionOut(
        plan=await plans.get_plan(row["plan_code"]), period=row["period"], status=row["status"],
        tenant_status=row["tenant_status"], trial_ends_at=row["trial_ends_at"],
        current_period_end=row["current_period_end"], cancel_at_period_end=row["cancel_at_period_end"],
        past_due_since=row["past_due_since"], banner=banner,
        mode="stripe" if get_settings().stripe_secret_key else "local")


async def quota_usage(tenant_id: uuid.UUID) -> list[QuotaUsage]:
    """The tenant's counters, in the tenant's transaction."""
    rows = await TenantQuota.select(TenantQuota.quota, TenantQuota.used, TenantQuota.quota_limit).where(
        TenantQuota.tenant_id == tenant_id)
    by_quota = {row["quota"]: row for row in rows}
    return [QuotaUsage(quota=quota, used=by_quota[quota]["used"], limit=by_quota[quota]["quota_limit"])
            for quota in quotas.QUOTAS if quota in by_quota]


async def usage(tenant_id: uuid.UUID) -> UsageOut:
    row = await Subscription.select(Subscription.plan_code).where(Subscription.tenant_id == tenant_id).first()
    if row is None:
        raise SUBSCRIPTION_NOT_FOUND
    return UsageOut(plan=row["plan_code"], quotas=await quota_usage(tenant_id))


async def set_plan(tenant_id: uuid.UUID, plan_code: str, period: str, actor: audit.Actor | None = None) -> bool:
    """Put the tenant on a plan outside Stripe (local mode, or a deal made by support); active from now.
    Whether the tenant's status changed."""
    await plans.get_plan(plan_code, field="plan")
    _, status_changed = await change_subscription(
        tenant_id, {"plan_code": plan_code, "period": period, "status": "active", "cancel_at_period_end": False},
        actor)
    return status_changed


async def tenants_due_for_read_only(now: datetime.datetime) -> list[uuid.UUID]:
    """Tenants still active whose grace period or trial has ended (the periodic job's work list)."""
    rows = await Subscription.raw(
        "SELECT s.tenant_id FROM subscription s JOIN tenant t ON t.id = s.tenant_id WHERE t.status = 'active' "
        "AND ((s.status = 'past_due' AND s.past_due_since <= {}) OR (s.status = 'trialing' AND s.trial_ends_at <= {}))",
        now - grace_period(), now)
    return [row["tenant_id"] for row in rows]
