"""Resolving a request's tenant from its bearer token, and running the handler inside its transaction.

`TenantScopeMiddleware` wraps every API route that is not marked `opt={"public": True}`:

1. it resolves the bearer token through the `TokenResolver` interface (identity implements it; 401 if none);
2. it opens `tenant_transaction(principal.tenant_id)` and runs the handler inside it, in the same task, so
   the transaction reaches the handler whatever Litestar does with dependencies;
3. it holds the response back until the transaction ends: a 2xx/3xx commits, anything else rolls back (no
   partial writes), and only then does the client get a byte. A failed commit becomes a problem response.

Before the transaction it asks the request gate (`tenants.request_gate`: this process's mirror, or Redis in
one command), whether the caller's session
or key is revoked, whether it is over its rate limit, and the tenant's cached status; it enforces that
lifecycle status and a read-only support session
(`tenants.lifecycle`), and it makes the caller the author of audit entries (`tenants.audit`); every request
of a support session is itself audited in the tenant's log, refused ones included.

`Idempotency-Key` on POST is handled here too (see `tenants.idempotency`).
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, Protocol, TypeAlias, cast

import msgspec
from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, HTTPReceiveMessage, Message, Receive, Scope, Send
from litestar.types.asgi_types import HTTPResponseBodyEvent, HTTPResponseStartEvent, HTTPScope

from infra.problems import ProblemError
from tenants import audit, idempotency, lifecycle, request_gate, scopes
from tenants.context import current_tenant_id, tenant_transaction
from tenants.gate_mirror import MIRROR


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling, for which tenant."""

    tenant_id: uuid.UUID
    subject_id: uuid.UUID
    kind: Literal["user", "api_key"]
    role: str
    scopes: tuple[str, ...] = ()
    session_id: uuid.UUID | None = None  # a user's login session (refresh-token family); logout ends it
    requests_per_minute: int | None = None  # the caller's rate limit; None: not limited
    # A Redis key whose existence means this session or key was revoked (checked on every request).
    revocation_key: str | None = None
    # Set when platform support staff act as this user: who, why, and whether they may write.
    support_staff_id: uuid.UUID | None = None
    support_reason: str = ""
    read_only: bool = False


class TokenResolver(Protocol):
    async def resolve(self, token: str) -> Principal | None:
        """The principal a bearer token stands for, or None when it is invalid, expired or revoked."""
        ...


# Handler parameters: `principal: Authenticated` or, to say that the handler does tenant work,
# `tenant: TenantScope`. Both are the caller; the tenant transaction is open for either.
Authenticated: TypeAlias = NamedDependency[Principal]
TenantScope: TypeAlias = NamedDependency[Principal]

UNAUTHORIZED = ProblemError(401, "unauthorized", "Thiếu hoặc sai mã xác thực (Bearer token).",
                            "Missing or invalid bearer token.", headers={"WWW-Authenticate": "Bearer"})
COMMIT_FAILED = ProblemError(409, "conflict", "Thay đổi xung đột với một thay đổi khác; vui lòng thử lại.",
                             "The change conflicted with another one; please retry.")
PRINCIPAL_KEY = "principal"


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() or None if scheme.lower() == "bearer" else None
    return None


def _header(scope: Scope, wanted: bytes) -> str | None:
    return next((value.decode("latin-1") for name, value in scope["headers"] if name == wanted), None)


class TenantScopeMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "public"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = bearer_token(scope)
        resolver: TokenResolver = scope["litestar_app"].state.token_resolver
        principal = await resolver.resolve(token) if token else None
        if principal is None:
            raise UNAUTHORIZED
        scope["state"][PRINCIPAL_KEY] = principal
        method = cast("HTTPScope", scope)["method"]
        if principal.kind == "api_key":
            scopes.require(principal.scopes, method, scope["path"], scope["route_handler"].opt.get("api_scope"))
        redis = scope["litestar_app"].state.runtime.redis
        answer = await request_gate.check(redis, principal, lifecycle.cache_key(principal.tenant_id))
        if answer.revoked:
            raise UNAUTHORIZED
        request_gate.enforce_bucket(principal, answer)
        actor = audit.bind_actor(audit.actor_of(principal))
        status = 500
        try:
            status_now = await lifecycle.tenant_status(redis, principal.tenant_id, answer.cached_status)
            MIRROR.remember_status(principal.tenant_id, status_now)
            lifecycle.check_access(status_now, method, principal.read_only,
                                   scope["route_handler"].opt.get("open_when_read_only", False))
            held = await self._in_tenant_transaction(scope, receive, next_app, principal, method)
            status = _status(held)
        except ProblemError as exc:
            status = exc.status
            raise
        finally:
            if principal.support_staff_id is not None:  # every request of a support session, even refused
                await _record_support_request(principal, method, scope["path"], status)
            audit.unbind_actor(actor)
        for message in held:
            await send(message)

    async def _in_tenant_transaction(self, scope: Scope, receive: Receive, next_app: ASGIApp,
                                     principal: Principal, method: str) -> list[Message]:
        # A response that shows a secret once (a new API key) is never stored for replay.
        replayable_route = not scope["route_handler"].opt.get("shows_secret_once", False)
        idempotency_key = _header(scope, b"idempotency-key") if method == "POST" and replayable_route else None
        fingerprint = ""
        if idempotency_key:
            replayable = await _replayable(receive)
            fingerprint = idempotency.request_hash(method, scope["path"], replayable.body)
            receive = replayable
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        try:
            async with tenant_transaction(principal.tenant_id) as transaction:
                stored = None
                if idempotency_key:
                    stored = await idempotency.claim(idempotency_key, fingerprint)
                if stored is not None:
                    held = _replay(stored)
                else:
                    await next_app(scope, receive, hold)
                    status = _status(held)
                    if status >= 400:
                        await transaction.rollback()
                    elif idempotency_key:
                        await idempotency.store(idempotency_key, idempotency.StoredResponse(
                            status, _content_type(held), _body(held)))
        except ProblemError:
            raise
        except Exception as exc:  # the commit itself failed (serialization, deferred constraint)
            if held and _status(held) < 400:
                raise COMMIT_FAILED from exc
            raise
        return held


async def _record_support_request(principal: Principal, method: str, path: str, status: int) -> None:
    """In its own transaction: the request's own one rolls back when it fails, and this entry must stay."""
    async with tenant_transaction(principal.tenant_id):
        await audit.record("support.request", "request", after={"method": method, "path": path, "status": status})


class _ReplayableReceive:
    """The request body read once (to fingerprint it) and handed to the app as if unread."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self._sent = False

    async def __call__(self) -> HTTPReceiveMessage:
        if self._sent:
            return {"type": "http.disconnect"}
        self._sent = True
        return {"type": "http.request", "body": self.body, "more_body": False}


async def _replayable(receive: Receive) -> _ReplayableReceive:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return _ReplayableReceive(b"".join(chunks))


def _status(messages: list[Message]) -> int:
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    return int(start["status"]) if start else 500


def _content_type(messages: list[Message]) -> str:
    headers = next((m["headers"] for m in messages if m["type"] == "http.response.start"), [])
    return next((value.decode() for name, value in headers if name == b"content-type"), "application/json")


def _replay(stored: idempotency.StoredResponse) -> list[Message]:
    headers = [(b"content-type", stored.content_type.encode()), (b"content-length", str(len(stored.body)).encode()),
               (b"idempotent-replayed", b"true")]
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": stored.status_code,
                                     "headers": headers}
    body: HTTPResponseBodyEvent = {"type": "http.response.body", "body": stored.body, "more_body": False}
    return [start, body]


def _body(messages: list[Message]) -> bytes:
    return b"".join(m["body"] for m in messages if m["type"] == "http.response.body")


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    principal: Principal | None = request.state.get(PRINCIPAL_KEY)
    if principal is None:  # a public route asked for the caller: it is not public after all
        raise UNAUTHORIZED
    return principal


def provide_tenant(request: Request[Any, Any, Any]) -> Principal:
    principal = provide_principal(request)
    assert current_tenant_id() == principal.tenant_id  # the middleware's transaction is open
    return principal


TENANT_DEPENDENCIES = {
    "principal": Provide(provide_principal, sync_to_thread=False),
    "tenant": Provide(provide_tenant, sync_to_thread=False),
}
