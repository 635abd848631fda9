"""API key scopes (`<service>:read|write`, `*` for every service), checked for every service in one place:
the tenant middleware, which knows the path `/api/<service>/...` and the method. A route may name a scope
of its own instead of its service's (`opt={"api_scope": "ledger"}`), so a key can be given that route alone."""

from __future__ import annotations

from collections.abc import Iterable

from infra.problems import ProblemError

READ_METHODS = frozenset({"GET", "HEAD"})
ALL_SERVICES = "*"


def service_of(path: str) -> str:
    """`/api/contacts/v1/customers` -> `contacts`."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) > 2 and parts[1] == "api" else ""


def permits(scopes: Iterable[str], method: str, path: str, route_scope: str | None = None) -> bool:
    """Write implies read: `contacts:write` may also GET."""
    service = route_scope or service_of(path)
    needed = ("read", "write") if method in READ_METHODS else ("write",)
    return any(f"{target}:{access}" in scopes for target in (service, ALL_SERVICES) for access in needed)


def require(scopes: tuple[str, ...], method: str, path: str, route_scope: str | None = None) -> None:
    if not permits(scopes, method, path, route_scope):
        service = route_scope or service_of(path)
        access_vi, access_en = ("đọc", "read") if method in READ_METHODS else ("ghi", "write")
        raise ProblemError(403, "forbidden",
                           f"Khóa API không có quyền {access_vi} trên dịch vụ {service}.",
                           f"The API key has no {access_en} scope for the {service} service.")
