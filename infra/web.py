"""The Litestar app every service is built from: routes under `/api/<service>/v1`, health and readiness,
problem+json errors, OpenAPI with interactive docs, the tenant resolver and the shared runtime."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, Router, get
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.types import ControllerRouterHandler

from infra.problems import EXCEPTION_HANDLERS
from infra.request_id import RequestIdMiddleware, echo_request_id
from infra.runtime import Runtime
from infra.settings import Settings, get_settings
from infra.ui import ui_handlers
from tenants.access import ACCESS_DEPENDENCIES, AccessResolver
from tenants.auth import TENANT_DEPENDENCIES, TenantScopeMiddleware, TokenResolver


def default_token_resolver(settings: Settings) -> TokenResolver:
    from services.identity.service.auth import IdentityTokenResolver

    return IdentityTokenResolver(settings)


def default_access_resolver() -> AccessResolver:
    from services.identity.service.roles import IdentityAccessResolver

    return IdentityAccessResolver()


def health_handlers(prefixes: Sequence[str]) -> list[ControllerRouterHandler]:
    """`/healthz` (the process is alive) and `/readyz` (database, Redis and S3 answer) under each prefix."""

    @get([f"{prefix}/healthz" for prefix in prefixes], include_in_schema=False, sync_to_thread=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @get([f"{prefix}/readyz" for prefix in prefixes], include_in_schema=False)
    async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        runtime: Runtime = request.app.state.runtime
        checks = await runtime.readiness()
        ready = all(result == "ok" for result in checks.values())
        return Response({"status": "ready" if ready else "unavailable", "checks": checks},
                        status_code=200 if ready else 503)

    return [healthz, readyz]


@asynccontextmanager
async def runtime_lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime: Runtime = app.state.runtime
    await runtime.start()
    try:
        yield
    finally:
        await runtime.stop()


def create_service_app(
    service: str,
    route_handlers: Sequence[ControllerRouterHandler],
    *,
    title: str,
    settings: Settings | None = None,
    token_resolver: TokenResolver | None = None,
    ui_dir: Path | None = None,
    root_health: bool = True,
) -> Litestar:
    settings = settings or get_settings()
    api = Router(path=f"/api/{service}/v1", route_handlers=list(route_handlers),
                 middleware=[TenantScopeMiddleware()])
    extra = ui_handlers(service, ui_dir) if ui_dir else []
    prefixes = [f"/api/{service}", ""] if root_health else [f"/api/{service}"]
    return Litestar(
        route_handlers=[api, *health_handlers(prefixes), *extra],
        dependencies={**TENANT_DEPENDENCIES, **ACCESS_DEPENDENCIES,
                      "runtime": Provide(_provide_runtime, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[runtime_lifespan],
        middleware=[RequestIdMiddleware()],
        before_send=[echo_request_id],
        request_max_body_size=settings.max_body_bytes,
        cors_config=CORSConfig(allow_origins=[]),
        openapi_config=OpenAPIConfig(
            title=title,
            version="1",
            path=f"/api/{service}/docs",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        state=_state(settings, token_resolver),
        debug=False,
    )


def _state(settings: Settings, token_resolver: TokenResolver | None) -> State:
    return State({
        "settings": settings,
        "runtime": Runtime(settings),
        "token_resolver": token_resolver or default_token_resolver(settings),
        "access_resolver": default_access_resolver(),
    })


def _provide_runtime(request: Request[Any, Any, Any]) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime
