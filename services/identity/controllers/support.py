"""The support console: support staff log in, find tenants, change their status, delete them, act as a user.

These routes are outside the tenant middleware (`public` to it) because a support token is not a tenant
token; the `staff` dependency authenticates them instead.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, TypeAlias

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from infra.problems import ProblemError
from infra.runtime import Runtime
from services.identity.schemas import (
    ImpersonationRequest,
    ImpersonationResponse,
    SupportLoginRequest,
    SupportMemberOut,
    SupportTenantDetail,
    SupportTenantOut,
    SupportTokenResponse,
    TenantDeletionAccepted,
    TenantDeletionBySupport,
    TenantStatusChange,
)
from services.identity.service import support as service
from tenants.auth import bearer_token
from tenants.pagination import Cursor, Limit, Page

SupportStaffId: TypeAlias = NamedDependency[uuid.UUID]  # the caller, authenticated by `provide_staff_id`
SUPPORT_UNAUTHORIZED = ProblemError(401, "unauthorized", "Thiếu hoặc sai mã xác thực của nhân viên hỗ trợ.",
                                    "Missing or invalid support token.", headers={"WWW-Authenticate": "Bearer"})


async def provide_staff_id(request: Request[Any, Any, Any]) -> uuid.UUID:
    token = bearer_token(request.scope)
    staff_id = await service.resolve_support_token(request.app.state.settings, token) if token else None
    if staff_id is None:
        raise SUPPORT_UNAUTHORIZED
    return staff_id


class SupportController(Controller):
    path = "/support"
    tags = ["support"]
    opt = {"public": True}
    dependencies = {"staff_id": Provide(provide_staff_id)}

    @post("/login", status_code=200, summary="Support staff log in; the token is not valid on tenant APIs")
    async def login(self, request: Request[Any, Any, Any],
                    data: JSONBody[SupportLoginRequest]) -> SupportTokenResponse:
        return await service.login(request.app.state.settings, data)

    @get("/tenants", summary="Find tenants by id, name, slug or owner email")
    async def search_tenants(self, staff_id: SupportStaffId,
                             q: Annotated[str, QueryParameter(min_length=1, max_length=200)],
                             limit: Limit = 50) -> list[SupportTenantOut]:
        return await service.search_tenants(q, limit)

    @get("/tenants/{tenant_id:uuid}", summary="A tenant's plan, usage and status")
    async def tenant_detail(self, staff_id: SupportStaffId, tenant_id: FromPath[uuid.UUID]) -> SupportTenantDetail:
        return await service.tenant_detail(tenant_id)

    @get("/tenants/{tenant_id:uuid}/members", summary="A tenant's members, read-only: role, status, last login")
    async def tenant_members(self, staff_id: SupportStaffId, tenant_id: FromPath[uuid.UUID], limit: Limit = 50,
                             cursor: Cursor = None) -> Page[SupportMemberOut]:
        return await service.tenant_members(tenant_id, limit, cursor)

    @patch("/tenants/{tenant_id:uuid}", summary="Change a tenant's status (active, read_only, suspended)")
    async def change_status(self, staff_id: SupportStaffId, runtime: NamedDependency[Runtime],
                            tenant_id: FromPath[uuid.UUID],
                            data: JSONBody[TenantStatusChange]) -> SupportTenantDetail:
        return await service.change_status(runtime.redis, staff_id, tenant_id, data)

    @delete("/tenants/{tenant_id:uuid}", status_code=202,
            summary="Delete a tenant: export its data, then remove every row and object (a background job)")
    async def delete_tenant(self, staff_id: SupportStaffId, runtime: NamedDependency[Runtime],
                            tenant_id: FromPath[uuid.UUID],
                            data: JSONBody[TenantDeletionBySupport]) -> TenantDeletionAccepted:
        return await service.delete_tenant(runtime.redis, staff_id, tenant_id, data.reason)

    @post("/impersonations", status_code=201,
          summary="Act as a tenant user for at most an hour, with a stated reason; read-only unless write")
    async def impersonate(self, request: Request[Any, Any, Any], staff_id: SupportStaffId,
                          data: JSONBody[ImpersonationRequest]) -> ImpersonationResponse:
        return await service.impersonate(request.app.state.settings, staff_id, data)
