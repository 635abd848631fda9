"""Plans as data: four seeded plans (Trial, Standard, Pro, Enterprise) that support staff may edit."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from services.identity.schemas import PlanOut, PlanQuotas, PlanUpdate
from services.identity.tables import Plan, Subscription
from tenants import quotas
from tenants.quotas import Quota

TRIAL = "trial"
_QUOTA_FIELDS = PlanQuotas.__struct_fields__


def unknown_plan(field: str | None) -> ProblemError:
    """404 for a plan named in the path; 422 naming the field for one named in a body."""
    if field is None:
        return NotFoundError("gói", "Plan")
    return ProblemError(422, "validation_error", "Không có gói này.", "No such plan.",
                        errors=[(field, "not_found", "Không có gói này", "No such plan")])


def plan_out(row: dict[str, Any]) -> PlanOut:
    return PlanOut(code=row["code"], name=row["name"], position=row["position"],
                   quotas=PlanQuotas(**{name: row[name] for name in _QUOTA_FIELDS}), features=list(row["features"]),
                   stripe_price_monthly=row["stripe_price_monthly"], stripe_price_yearly=row["stripe_price_yearly"])


async def list_plans() -> list[PlanOut]:
    return [plan_out(row) for row in await Plan.select().order_by(Plan.position)]


async def get_plan(code: str, field: str | None = None) -> PlanOut:
    row = await Plan.select().where(Plan.code == code).first()
    if row is None:
        raise unknown_plan(field)
    return plan_out(row)


async def plan_for_price(price_id: str) -> tuple[str, str] | None:
    """(plan code, period) of a Stripe price id, or None when no plan names it."""
    rows = await Plan.raw("SELECT code, CASE WHEN stripe_price_monthly = {} THEN 'monthly' ELSE 'yearly' END AS period "
                          "FROM plan WHERE {} <> '' AND {} IN (stripe_price_monthly, stripe_price_yearly)",
                          price_id, price_id, price_id)
    return (rows[0]["code"], rows[0]["period"]) if rows else None


def quota_limits(plan: PlanOut) -> dict[Quota, int | None]:
    return {quota: getattr(plan.quotas, quota) for quota in quotas.QUOTAS}


async def update_plan(code: str, data: PlanUpdate) -> tuple[PlanOut, PlanOut, list[uuid.UUID]]:
    """The plan before and after, and the tenants on it (whose limits must follow)."""
    before = await get_plan(code)
    changes = {getattr(Plan, name): value for name, value in msgspec.structs.asdict(data).items()
               if value is not msgspec.UNSET}
    if changes:
        await Plan.update(changes).where(Plan.code == code)
    tenants = await Subscription.select(Subscription.tenant_id).where(Subscription.plan_code == code)
    return before, await get_plan(code), [row["tenant_id"] for row in tenants]
