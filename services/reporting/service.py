"""Reporting's queries: set-based aggregates over the tenant's rows."""

from __future__ import annotations

from services.reporting.schemas import LifecycleSummary, StageCount
from services.reporting.tables import Customer
from tenants.context import current_tenant_id

LIFECYCLE_ORDER = ("raw", "lead", "customer", "member", "loyal")


async def lifecycle_summary() -> LifecycleSummary:
    rows = await Customer.raw(
        "SELECT lifecycle_stage, count(*) AS customers FROM customer WHERE tenant_id = {} GROUP BY 1",
        current_tenant_id(),
    )
    counts = {row["lifecycle_stage"]: int(row["customers"]) for row in rows}
    return LifecycleSummary(
        total=sum(counts.values()),
        by_stage=[StageCount(lifecycle_stage=stage, customers=counts.get(stage, 0)) for stage in LIFECYCLE_ORDER],
    )
