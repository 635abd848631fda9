"""Every request carries a request id: the caller's `X-Request-ID` when it is sane, else a new one. It is
echoed in the response, and with the client address it is what the audit log records about the request."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
STATE_KEY = "request_meta"
# Only short, plain ids are echoed: anything else could smuggle text into logs or headers.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestMeta(msgspec.Struct, frozen=True):
    request_id: str
    ip: str | None


_current: ContextVar[RequestMeta | None] = ContextVar("request_meta", default=None)


def current_request_meta() -> RequestMeta | None:
    """The request being served, or None outside one (a job, the CLI)."""
    return _current.get()


def request_meta(scope: Scope) -> RequestMeta:
    """This request's id and client address, decided once per request."""
    meta: RequestMeta | None = scope["state"].get(STATE_KEY)
    if meta is None:
        given = next((value.decode("latin-1") for name, value in scope.get("headers", [])
                      if name == HEADER.encode()), "")
        client = scope.get("client")
        meta = RequestMeta(given if _ACCEPTED.match(given) else uuid.uuid4().hex, client[0] if client else None)
        scope["state"][STATE_KEY] = meta
    return meta


class RequestIdMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        token = _current.set(request_meta(scope))
        try:
            await next_app(scope, receive, send)
        finally:
            _current.reset(token)


async def echo_request_id(message: Message, scope: Scope) -> None:
    """A `before_send` hook, so error responses raised outside the route (401, 404) carry the id too."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[HEADER] = request_meta(scope).request_id
