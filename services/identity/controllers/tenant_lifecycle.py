"""The owner deletes their company, typing its name to confirm."""

from __future__ import annotations

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from infra.runtime import Runtime
from services.identity.schemas import TenantDeletionAccepted, TenantDeletionByOwner
from services.identity.service import tenant_deletion as service
from tenants import lifecycle
from tenants.access import CallerAccess
from tenants.auth import TenantScope


class TenantLifecycleController(Controller):
    path = "/tenant"
    tags = ["tenant"]

    @post("/deletion", status_code=202,
          summary="Delete this company and all its data (owner only; type the company name to confirm)")
    async def request_deletion(self, tenant: TenantScope, access: CallerAccess, runtime: NamedDependency[Runtime],
                               data: JSONBody[TenantDeletionByOwner]) -> TenantDeletionAccepted:
        accepted = await service.request_deletion_by_owner(tenant, access, data.company_name)
        await lifecycle.forget_status(runtime.redis, tenant.tenant_id)
        return accepted
