"""Resolving a request's tenant from its bearer token, and running the handler inside its transaction.

The `TokenResolver` interface is implemented by identity (JWTs and API keys); a service app receives one
and every handler that declares `tenant: Principal` runs inside `tenant_transaction(principal.tenant_id)`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from typing import Any, Literal, Protocol, TypeAlias

import msgspec
from litestar import Request
from litestar.di import NamedDependency, Provide

from infra.problems import ProblemError
from tenants.context import tenant_transaction


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling, for which tenant."""

    tenant_id: uuid.UUID
    subject_id: uuid.UUID
    kind: Literal["user", "api_key"]
    role: str
    scopes: tuple[str, ...] = ()


class TokenResolver(Protocol):
    async def resolve(self, token: str) -> Principal | None:
        """The principal a bearer token stands for, or None when it is invalid, expired or revoked."""
        ...


# Handler parameters: `principal: Authenticated` (the caller, no transaction) or `tenant: TenantScope` (the
# caller, with the tenant transaction open for the rest of the request).
Authenticated: TypeAlias = NamedDependency[Principal]
TenantScope: TypeAlias = NamedDependency[Principal]

UNAUTHORIZED = ProblemError(401, "unauthorized", "Thiếu hoặc sai mã xác thực (Bearer token).",
                            "Missing or invalid bearer token.", headers={"WWW-Authenticate": "Bearer"})


async def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UNAUTHORIZED
    resolver: TokenResolver = request.app.state.token_resolver
    principal = await resolver.resolve(token.strip())
    if principal is None:
        raise UNAUTHORIZED
    return principal


async def provide_tenant(principal: Authenticated) -> AsyncGenerator[Principal, None]:
    """The caller, with its tenant transaction open for the rest of the request (commits before the
    response is sent; rolls back if the handler raises)."""
    async with tenant_transaction(principal.tenant_id):
        yield principal


TENANT_DEPENDENCIES = {
    "principal": Provide(provide_principal),
    "tenant": Provide(provide_tenant),
}
