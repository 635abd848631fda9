"""Permissions and data visibility: what the caller may do, and whose records they see (issue 3, item 5).

Every service guards a handler in one line, `guards=[requires("customers:write")]`, and narrows its list and
get queries with `.where(*visible_to(access, Table))`. The caller's `Access` is resolved by identity (the
`AccessResolver` interface, like `TokenResolver`) inside the request's tenant transaction, once per request:
the guard and the `access` dependency share it.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, Protocol, TypeAlias

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard
from piccolo.columns import UUID
from piccolo.custom_types import Combinable

from infra.problems import ProblemError
from tenants.auth import PRINCIPAL_KEY, UNAUTHORIZED, Principal

# The permission catalogue: `resource:action`. A guard naming anything else fails at import, not at runtime.
PERMISSIONS: tuple[str, ...] = (
    "customers:read", "customers:write", "attributes:manage",
    "stages:read", "stages:write",
    "opportunities:read", "opportunities:write", "activities:read", "activities:write",
    "products:read", "products:write", "quotations:read", "quotations:write", "contracts:read", "contracts:write",
    "imports:manage", "jobs:read",
    "partners:read", "partners:write",
    "reports:read",
    "org:read", "org:manage",
    "members:manage", "roles:manage",
    "api_keys:manage", "audit:read", "billing:manage",
    "webhooks:manage",
)
Visibility = Literal["own", "team", "branch", "all"]
VISIBILITIES: tuple[Visibility, ...] = ("own", "team", "branch", "all")
ACCESS_KEY = "access"


class Access(msgspec.Struct, frozen=True, kw_only=True):
    """The caller's current role, its permissions, and the records it sees."""

    user_id: uuid.UUID | None  # None for an API key
    role: str
    permissions: frozenset[str]
    visibility: Visibility
    team_ids: frozenset[uuid.UUID] = frozenset()  # teams the caller belongs to or leads
    branch_id: uuid.UUID | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions


class AccessResolver(Protocol):
    async def resolve(self, principal: Principal) -> Access | None:
        """The principal's access in the current tenant transaction; None when it is no longer a member."""
        ...


class OwnedTable(Protocol):
    """A table whose rows belong to a salesperson, a team and a branch."""

    owner_id: UUID
    team_id: UUID
    branch_id: UUID


def forbidden(missing: list[str]) -> ProblemError:
    names = ", ".join(missing)
    return ProblemError(403, "forbidden", f"Vai trò của bạn không có quyền: {names}.",
                        f"Your role lacks the permission: {names}.")


async def access_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Access:
    """The caller's access, resolved on first use in a request and kept for the rest of it."""
    cached: Access | None = connection.state.get(ACCESS_KEY)
    if cached is not None:
        return cached
    principal: Principal | None = connection.state.get(PRINCIPAL_KEY)
    if principal is None:
        raise UNAUTHORIZED
    resolver: AccessResolver = connection.app.state.access_resolver
    access = await resolver.resolve(principal)
    if access is None:  # the membership was deactivated after the token was issued
        raise UNAUTHORIZED
    connection.state[ACCESS_KEY] = access
    return access


def requires(*permissions: str) -> Guard:
    """A guard answering 403 (problem+json, vi/en) unless the caller's role has every named permission."""
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown or not permissions:
        raise ValueError(f"requires() takes permissions of the catalogue; unknown: {unknown}")

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        access = await access_of(connection)
        missing = [permission for permission in permissions if not access.can(permission)]
        if missing:
            raise forbidden(missing)

    return guard


class Scope(msgspec.Struct, frozen=True):
    """Rows the caller sees beyond "all": its own, plus its teams' or its branch's."""

    owner_id: uuid.UUID | None
    team_ids: list[uuid.UUID] | None = None
    branch_id: uuid.UUID | None = None


def scope_of(access: Access) -> Scope | None:
    """None for `all`. Own rows are always visible; `team` adds the caller's teams, `branch` its branch."""
    if access.visibility == "all":
        return None
    if access.visibility == "team" and access.team_ids:
        return Scope(access.user_id, team_ids=sorted(access.team_ids))
    if access.visibility == "branch" and access.branch_id:
        return Scope(access.user_id, branch_id=access.branch_id)
    return Scope(access.user_id)


def visible_to(access: Access, table: OwnedTable) -> list[Combinable]:
    """The conditions that limit `table` to the rows the caller sees; none for `all`."""
    scope = scope_of(access)
    if scope is None:
        return []
    own = table.owner_id == scope.owner_id
    if scope.team_ids:
        return [own | table.team_id.is_in(scope.team_ids)]
    if scope.branch_id:
        return [own | (table.branch_id == scope.branch_id)]
    return [own]


def visible_sql(access: Access, alias: str = "") -> tuple[str, list[object]]:
    """The same limit as a raw SQL condition on `owner_id`, `team_id`, `branch_id` (of table `alias` if given),
    with its `{}` arguments."""
    scope = scope_of(access)
    at = f"{alias}." if alias else ""
    if scope is None:
        return "true", []
    if scope.team_ids:
        return f"({at}owner_id IS NOT DISTINCT FROM {{}} OR {at}team_id = ANY({{}}))", [scope.owner_id, scope.team_ids]
    if scope.branch_id:
        return f"({at}owner_id IS NOT DISTINCT FROM {{}} OR {at}branch_id = {{}})", [scope.owner_id, scope.branch_id]
    return f"{at}owner_id IS NOT DISTINCT FROM {{}}", [scope.owner_id]


async def provide_access(request: Request[Any, Any, Any]) -> Access:
    return await access_of(request)


# Handler parameter: `access: CallerAccess`, the caller's permissions and visibility.
CallerAccess: TypeAlias = NamedDependency[Access]
ACCESS_DEPENDENCIES = {"access": Provide(provide_access)}
