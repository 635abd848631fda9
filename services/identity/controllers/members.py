"""A company's members."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath

from services.identity.controllers.deps import RuntimeDep
from services.identity.schemas import MemberOut
from services.identity.service import members
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page


class MemberController(Controller):
    path = "/members"
    tags = ["members"]

    @get(guards=[requires("org:read")], summary="The company's members, active or not")
    async def list_members(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None) -> Page[MemberOut]:
        return await members.list_members(tenant, limit, cursor)

    @post("/{user_id:uuid}/deactivate", status_code=204, guards=[requires("members:manage")],
          summary="Deactivate a member; their sessions in this company end at once")
    async def deactivate_member(self, runtime: RuntimeDep, tenant: TenantScope, user_id: FromPath[uuid.UUID]) -> None:
        await members.deactivate_member(runtime.settings, runtime.redis, tenant, user_id)
