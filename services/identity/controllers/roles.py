"""Roles, members' roles, and the caller's own access."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from services.identity.schemas import AccessOut, MemberRoleOut, MemberRoleUpdate, RoleCreate, RoleOut, RoleUpdate
from services.identity.service import roles as service
from tenants.access import CallerAccess, requires

READ = [requires("org:read")]
MANAGE = [requires("roles:manage")]


class RoleController(Controller):
    path = "/roles"
    tags = ["roles"]

    @get(guards=READ, summary="Built-in roles, then the tenant's own, each with its permissions and visibility")
    async def list_roles(self) -> list[RoleOut]:
        return await service.list_roles()

    @post(guards=MANAGE, summary="Define a role (only permissions the caller holds)")
    async def create_role(self, access: CallerAccess, data: JSONBody[RoleCreate]) -> RoleOut:
        return await service.create_role(access, data)

    @get("/{role_id:uuid}", guards=READ, summary="One tenant-defined role")
    async def get_role(self, role_id: FromPath[uuid.UUID]) -> RoleOut:
        return await service.get_role(role_id)

    @patch("/{role_id:uuid}", guards=MANAGE, summary="Change a role's label, permissions or visibility")
    async def update_role(self, access: CallerAccess, role_id: FromPath[uuid.UUID],
                          data: JSONBody[RoleUpdate]) -> RoleOut:
        return await service.update_role(access, role_id, data)

    @delete("/{role_id:uuid}", guards=MANAGE, summary="Delete a role no member holds")
    async def delete_role(self, role_id: FromPath[uuid.UUID]) -> None:
        await service.delete_role(role_id)


class MemberRoleController(Controller):
    path = "/members"
    tags = ["members"]

    @patch("/{user_id:uuid}/role", guards=[requires("members:manage")], summary="Give a member another role")
    async def assign_role(self, access: CallerAccess, user_id: FromPath[uuid.UUID],
                          data: JSONBody[MemberRoleUpdate]) -> MemberRoleOut:
        return await service.assign_role(access, user_id, data.role)


class MyAccessController(Controller):
    path = "/me/access"
    tags = ["auth"]

    @get(summary="The caller's current role, permissions, visibility, teams and branch")
    async def my_access(self, access: CallerAccess) -> AccessOut:
        return service.access_out(access)
