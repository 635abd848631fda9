"""The read-only indicator API (for the dashboards, the ERP and BI tools), under the caller's visibility."""

from __future__ import annotations

import datetime
import uuid

from litestar import Controller, get
from litestar.params import FromQuery

from services.reporting.schemas import CustomerIndicators, DebtAgeing, LifecycleSummary, PipelineIndicators
from services.reporting.service import customers, debt, pipeline
from services.reporting.service.customers import Filters
from tenants.access import CallerAccess, requires

READ = [requires("reports:read")]


class IndicatorController(Controller):
    path = "/indicators"
    tags = ["indicators"]

    @get("/lifecycle", guards=READ, summary="Customers per lifecycle stage now")
    async def lifecycle(self, access: CallerAccess) -> LifecycleSummary:
        return await customers.lifecycle_summary(access)

    @get("/customers", guards=READ,
         summary="New customers, lifecycle funnel, relationship statuses and moves, source effectiveness; "
                 "for a period (this month by default) against the one before")
    async def customer_indicators(
            self, access: CallerAccess, date_from: FromQuery[datetime.date | None] = None,
            date_to: FromQuery[datetime.date | None] = None, team_id: FromQuery[uuid.UUID | None] = None,
            branch_id: FromQuery[uuid.UUID | None] = None, owner_id: FromQuery[uuid.UUID | None] = None,
            source_id: FromQuery[uuid.UUID | None] = None, group_id: FromQuery[uuid.UUID | None] = None,
            direct: FromQuery[bool] = False) -> CustomerIndicators:
        filters = Filters(date_from=date_from, date_to=date_to, team_id=team_id, branch_id=branch_id,
                          owner_id=owner_id, source_id=source_id, group_id=group_id)
        return await customers.customer_indicators(access, filters, direct=direct)

    @get("/debt", guards=READ, summary="Credit debt by customer, aged 0-30, 31-60, 61-90 and over 90 days past due")
    async def debt_ageing(self, access: CallerAccess, as_of: FromQuery[datetime.date | None] = None,
                          currency: FromQuery[str] = "VND") -> DebtAgeing:
        return await debt.debt_ageing(access, as_of, currency)

    @get("/pipeline", guards=READ,
         summary="Open opportunities by stage (count, value, weighted value); created, won, lost, win rate and "
                 "average sales cycle; lost reasons; activities per salesperson; targets vs actuals; partners' "
                 "discount target attainment; for a period (this month by default) against the one before")
    async def pipeline_indicators(
            self, access: CallerAccess, date_from: FromQuery[datetime.date | None] = None,
            date_to: FromQuery[datetime.date | None] = None, team_id: FromQuery[uuid.UUID | None] = None,
            branch_id: FromQuery[uuid.UUID | None] = None, owner_id: FromQuery[uuid.UUID | None] = None,
            source_id: FromQuery[uuid.UUID | None] = None, group_id: FromQuery[uuid.UUID | None] = None,
            currency: FromQuery[str] = "VND", direct: FromQuery[bool] = False) -> PipelineIndicators:
        filters = Filters(date_from=date_from, date_to=date_to, team_id=team_id, branch_id=branch_id,
                          owner_id=owner_id, source_id=source_id, group_id=group_id)
        return await pipeline.pipeline_indicators(access, filters, currency=currency, direct=direct)
