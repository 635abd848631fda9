"""Reporting's HTTP handlers."""

from __future__ import annotations

from litestar import Controller, get

from services.reporting import service
from services.reporting.schemas import LifecycleSummary
from tenants.auth import TenantScope


class IndicatorController(Controller):
    path = "/indicators"
    tags = ["indicators"]

    @get("/lifecycle", summary="Customers per lifecycle stage")
    async def lifecycle(self, tenant: TenantScope) -> LifecycleSummary:
        return await service.lifecycle_summary()
