"""Support staff's cross-tenant view of webhooks: the endpoints that are failing (no success since their first
failure) or were disabled by the product, across every tenant or of one (`tenant_id`), worst first. Guarded as
identity's support console is (a support token, not a tenant token), and read through `webhook_failing_endpoints`,
which returns no secret."""

from __future__ import annotations

import datetime
import uuid

import msgspec
from litestar import Controller, get
from litestar.di import Provide
from litestar.params import FromQuery

from services.identity.controllers.support import SupportStaffId, provide_staff_id
from services.identity.tables import Tenant
from tenants.context import tenant_transaction
from tenants.pagination import Limit


class FailingEndpointOut(msgspec.Struct, kw_only=True):
    tenant_id: uuid.UUID
    tenant_name: str
    id: uuid.UUID
    url: str
    description: str
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime.datetime | None
    updated_at: datetime.datetime


async def failing_endpoints(limit: int, tenant_id: uuid.UUID | None = None) -> list[FailingEndpointOut]:
    """Every tenant's through the SECURITY DEFINER function; one tenant's under its own RLS (its own LIMIT, so a
    tenant's endpoints are not cut off by other tenants' worse ones)."""
    if tenant_id is not None:
        async with tenant_transaction(tenant_id):
            rows = await Tenant.raw(
                "SELECT e.tenant_id, e.id, e.url, e.description, e.enabled, e.disabled_reason, e.failing_since, "
                "e.updated_at, t.name AS tenant_name FROM webhook_endpoint e JOIN tenant t ON t.id = e.tenant_id "
                "WHERE e.tenant_id = {} AND (e.failing_since IS NOT NULL OR e.disabled_reason IS NOT NULL) "
                "ORDER BY e.failing_since NULLS LAST, e.updated_at DESC LIMIT {}", tenant_id, limit)
        return msgspec.convert(rows, list[FailingEndpointOut])
    rows = await Tenant.raw(
        "SELECT f.*, t.name AS tenant_name FROM webhook_failing_endpoints({}) f JOIN tenant t ON t.id = f.tenant_id "
        "ORDER BY f.failing_since NULLS LAST, f.updated_at DESC", limit)
    return msgspec.convert(rows, list[FailingEndpointOut])


class SupportWebhooksController(Controller):
    path = "/support"
    tags = ["support"]
    opt = {"public": True}  # not a tenant route: `provide_staff_id` authenticates support staff
    dependencies = {"staff_id": Provide(provide_staff_id)}

    @get("/failing-endpoints",
         summary="Support: endpoints failing or disabled by the product, across tenants, longest failing first")
    async def failing_endpoints(self, staff_id: SupportStaffId, limit: Limit = 50,
                                tenant_id: FromQuery[uuid.UUID | None] = None) -> list[FailingEndpointOut]:
        return await failing_endpoints(limit, tenant_id)
