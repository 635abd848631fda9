"""Roles and permissions: built-in roles (defined here, shared by every tenant), tenant-defined roles (rows),
assigning a role to a member, and resolving a caller's `Access` once per request.

Nobody can hand out more than they hold: a role's permissions, and a member's old and new role, must be
within the caller's own permissions (so an admin can neither make an owner nor demote one).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError
from services.identity.schemas import AccessOut, MemberRoleOut, RoleCreate, RoleOut, RoleUpdate
from services.identity.tables import Membership, Role
from tenants import audit
from tenants.access import PERMISSIONS, Access, Visibility, forbidden
from tenants.auth import Principal
from tenants.context import current_tenant_id


class RoleDefinition(msgspec.Struct, frozen=True):
    label: str
    permissions: frozenset[str]
    visibility: Visibility


_READ = frozenset({"customers:read", "stages:read", "partners:read", "org:read", "opportunities:read",
                   "activities:read", "products:read", "quotations:read", "contracts:read"})
# A salesperson's own dashboard: reports under their visibility (own records).
_SELL = _READ | {"customers:write", "opportunities:write", "activities:write", "quotations:write", "contracts:write",
                 "reports:read"}
_MANAGE = _SELL | {"partners:write", "reports:read", "audit:read", "products:write", "imports:manage", "jobs:read"}
OWNER = "owner"
BUILTIN_ROLES: dict[str, RoleDefinition] = {
    OWNER: RoleDefinition("Chủ sở hữu / Owner", frozenset(PERMISSIONS), "all"),
    "admin": RoleDefinition("Quản trị / Admin", frozenset(PERMISSIONS) - {"billing:manage"}, "all"),
    "manager": RoleDefinition("Quản lý / Manager", _MANAGE, "team"),
    "salesperson": RoleDefinition("Nhân viên kinh doanh / Salesperson", _SELL, "own"),
    "viewer": RoleDefinition("Chỉ xem / Viewer", _READ | {"reports:read"}, "all"),
}

ROLE_TAKEN = ProblemError(409, "conflict", "Tên vai trò đã tồn tại.", "A role with this name exists.",
                          errors=[("name", "taken", "Tên vai trò đã được dùng", "Role name already in use")])
ROLE_IN_USE = ProblemError(409, "conflict", "Vai trò đang được gán cho thành viên; hãy đổi vai trò của họ trước.",
                           "The role is assigned to members; change their role first.")
LAST_OWNER = ProblemError(409, "conflict", "Công ty phải còn ít nhất một chủ sở hữu.",
                          "The company must keep at least one owner.",
                          errors=[("role", "last_owner", "Không thể bỏ chủ sở hữu cuối cùng",
                                   "Cannot remove the last owner")])
ROLE_NOT_FOUND = NotFoundError("vai trò", "Role")


# What an API key never does, whatever its scopes: it acts for an integration, not for an administrator.
ADMIN_ONLY_PERMISSIONS = frozenset({"members:manage", "roles:manage", "api_keys:manage", "billing:manage"})


def api_key_access(principal: Principal) -> Access:
    """A key sees the whole tenant; its scopes (checked per service and method by the tenant middleware)
    decide between reading only and reading and writing."""
    writes = any(scope.endswith(":write") for scope in principal.scopes)
    permissions = frozenset(p for p in PERMISSIONS
                            if p.endswith(":read") or (writes and p not in ADMIN_ONLY_PERMISSIONS))
    return Access(user_id=None, role="api_key", permissions=permissions, visibility="all")


class IdentityAccessResolver:
    """The `AccessResolver` every service uses: one indexed query in the request's tenant transaction.

    A user's role is read from the membership, not the token, so a role change or a deactivation takes
    effect on the next request; a custom role's permissions and the caller's teams and branch come with it.
    """

    async def resolve(self, principal: Principal) -> Access | None:
        if principal.kind == "api_key":
            return api_key_access(principal)
        rows = await Membership.raw(
            "SELECT m.role, r.permissions, r.visibility, s.branch_id, ARRAY("
            "  SELECT team_id FROM sales_team_member WHERE tenant_id = m.tenant_id AND user_id = m.user_id"
            "  UNION SELECT id FROM sales_team WHERE tenant_id = m.tenant_id AND leader_id = m.user_id"
            ") AS team_ids "
            "FROM membership m "
            "LEFT JOIN role r ON r.tenant_id = m.tenant_id AND r.name = m.role "
            "LEFT JOIN salesperson s ON s.tenant_id = m.tenant_id AND s.user_id = m.user_id "
            "WHERE m.tenant_id = {} AND m.user_id = {} AND m.is_active",
            principal.tenant_id, principal.subject_id)
        if not rows:
            return None
        row = rows[0]
        role = BUILTIN_ROLES.get(row["role"]) or _custom(row)
        return Access(user_id=principal.subject_id, role=row["role"], permissions=role.permissions,
                      visibility=role.visibility, team_ids=frozenset(row["team_ids"]), branch_id=row["branch_id"])


def _custom(row: dict[str, Any]) -> RoleDefinition:
    """A tenant-defined role's definition; a role that no longer exists grants nothing."""
    return RoleDefinition(row.get("label", ""), frozenset(row["permissions"] or ()), row["visibility"] or "own")


async def _role_definition(name: str) -> RoleDefinition | None:
    if builtin := BUILTIN_ROLES.get(name):
        return builtin
    row = await Role.select(Role.label, Role.permissions, Role.visibility).where(
        (Role.tenant_id == current_tenant_id()) & (Role.name == name)).first()
    return _custom(row) if row else None


def access_out(access: Access) -> AccessOut:
    return AccessOut(role=access.role, permissions=sorted(access.permissions), visibility=access.visibility,
                     team_ids=sorted(access.team_ids), branch_id=access.branch_id)


# -- roles -------------------------------------------------------------------------------------------------

_ROLE_COLUMNS = [Role.id, Role.name, Role.label, Role.permissions, Role.visibility]


def _role_out(row: dict[str, Any]) -> RoleOut:
    return RoleOut(id=row["id"], name=row["name"], label=row["label"], permissions=sorted(row["permissions"]),
                   visibility=row["visibility"], builtin=False)


def _checked_permissions(access: Access, permissions: list[str]) -> list[str]:
    """The permissions, deduplicated; unknown ones are 422, ones the caller lacks are 403."""
    unknown = [(f"permissions[{n}]", "unknown_permission", f"Quyền `{p}` không tồn tại", f"Unknown permission `{p}`")
               for n, p in enumerate(permissions) if p not in PERMISSIONS]
    if unknown:
        raise ProblemError(422, "validation_error", "Có quyền không tồn tại.", "Some permissions do not exist.",
                           errors=unknown)
    if missing := sorted(set(permissions) - access.permissions):
        raise forbidden(missing)
    return sorted(set(permissions))


async def list_roles() -> list[RoleOut]:
    builtins = [RoleOut(id=None, name=name, label=role.label, permissions=sorted(role.permissions),
                        visibility=role.visibility, builtin=True) for name, role in BUILTIN_ROLES.items()]
    rows = await Role.select(*_ROLE_COLUMNS).where(Role.tenant_id == current_tenant_id()).order_by(Role.name)
    return builtins + [_role_out(row) for row in rows]


async def get_role(role_id: uuid.UUID) -> RoleOut:
    row = await Role.select(*_ROLE_COLUMNS).where(
        (Role.tenant_id == current_tenant_id()) & (Role.id == role_id)).first()
    if row is None:
        raise ROLE_NOT_FOUND
    return _role_out(row)


async def create_role(access: Access, data: RoleCreate) -> RoleOut:
    if data.name in BUILTIN_ROLES:
        raise ProblemError(409, "conflict", "Tên này thuộc một vai trò có sẵn.", "The name of a built-in role.",
                           errors=[("name", "builtin", "Trùng tên vai trò có sẵn", "Clashes with a built-in role")])
    role = Role(tenant_id=current_tenant_id(), name=data.name, label=data.label.strip() or data.name,
                permissions=_checked_permissions(access, data.permissions), visibility=data.visibility)
    try:
        await role.save()
    except UniqueViolationError:
        raise ROLE_TAKEN from None
    created = await get_role(role.id)
    await audit.record("role.create", "role", role.id, after=created)
    return created


async def update_role(access: Access, role_id: uuid.UUID, data: RoleUpdate) -> RoleOut:
    current = await get_role(role_id)
    if missing := sorted(set(current.permissions) - access.permissions):
        raise forbidden(missing)  # a role above the caller stays as it is
    changes: dict[Any, Any] = {}
    if not isinstance(data.label, msgspec.UnsetType):
        changes[Role.label] = data.label.strip() or current.name
    if not isinstance(data.permissions, msgspec.UnsetType):
        changes[Role.permissions] = _checked_permissions(access, data.permissions)
    if not isinstance(data.visibility, msgspec.UnsetType):
        changes[Role.visibility] = data.visibility
    if changes:
        await Role.update(changes).where((Role.tenant_id == current_tenant_id()) & (Role.id == role_id))
    updated = await get_role(role_id)
    await audit.record("role.update", "role", role_id, before=current, after=updated)
    return updated


async def delete_role(role_id: uuid.UUID) -> None:
    role = await get_role(role_id)
    if await Membership.exists().where((Membership.tenant_id == current_tenant_id())
                                       & (Membership.role == role.name)):
        raise ROLE_IN_USE
    await Role.delete().where((Role.tenant_id == current_tenant_id()) & (Role.id == role_id))
    await audit.record("role.delete", "role", role_id, before=role)


# -- members' roles --------------------------------------------------------------------------------------------


async def assign_role(access: Access, user_id: uuid.UUID, role_name: str) -> MemberRoleOut:
    tenant_id = current_tenant_id()
    # Locking the tenant's memberships serialises role changes, so two owners cannot demote each other at once.
    rows = await Membership.raw(
        "SELECT user_id, role FROM membership WHERE tenant_id = {} AND is_active FOR UPDATE", tenant_id)
    current = next((row["role"] for row in rows if row["user_id"] == user_id), None)
    if current is None:
        raise NotFoundError("thành viên", "Member")
    new_role = await _role_definition(role_name)
    if new_role is None:
        raise ProblemError(422, "validation_error", "Vai trò không tồn tại.", "No such role.",
                           errors=[("role", "unknown_role", "Vai trò không tồn tại", "No such role")])
    old_role = await _role_definition(current)
    held = new_role.permissions | (old_role.permissions if old_role else frozenset())
    if missing := sorted(held - access.permissions):
        raise forbidden(missing)
    owners = sum(1 for row in rows if row["role"] == OWNER)
    if current == OWNER and role_name != OWNER and owners == 1:
        raise LAST_OWNER
    await Membership.update({Membership.role: role_name}).where(
        (Membership.tenant_id == tenant_id) & (Membership.user_id == user_id))
    await audit.record("member.role_change", "member", user_id, before={"role": current}, after={"role": role_name})
    return MemberRoleOut(user_id=user_id, role=role_name)
