"""Serving: every service and the admin shell on one port (`crm serve all`), or one service alone."""

from __future__ import annotations

import importlib
from contextlib import AsyncExitStack
from typing import Any

import uvicorn
from litestar import Litestar

from infra.settings import get_settings

SERVICES = ("identity", "contacts", "pipeline", "partners", "reporting", "webhooks")
# Webhooks serve every service, so their package sits beside `services/`, not in it.
TOP_LEVEL_SERVICES = frozenset({"webhooks"})


def service_app(name: str, **kwargs: Any) -> Litestar:
    module = importlib.import_module(f"{name}.app" if name in TOP_LEVEL_SERVICES else f"services.{name}.app")
    app: Litestar = module.create_app(**kwargs)
    return app


class Dispatcher:
    """An ASGI app that hands `/api/<service>/...` to that service's app and everything else to the
    shell, and runs every app's lifespan. Each service keeps its own routes, OpenAPI and errors."""

    def __init__(self, services: dict[str, Litestar], shell: Litestar) -> None:
        self.services = services
        self.shell = shell

    def route(self, path: str) -> Litestar:
        parts = path.split("/", 3)
        if len(parts) > 2 and parts[1] == "api" and parts[2] in self.services:
            return self.services[parts[2]]
        return self.shell

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.route(scope["path"])(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        async with AsyncExitStack() as stack:
            message = await receive()
            assert message["type"] == "lifespan.startup"
            try:
                for app in [*self.services.values(), self.shell]:
                    await stack.enter_async_context(app.lifespan())
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            assert message["type"] == "lifespan.shutdown"
        await send({"type": "lifespan.shutdown.complete"})


def combined_app(**kwargs: Any) -> Dispatcher:
    from admin_ui.app import create_app as create_shell

    return Dispatcher({name: service_app(name, **kwargs) for name in SERVICES},
                      create_shell(kwargs.get("settings")))


def serve(service: str, host: str | None = None, port: int | None = None) -> None:
    settings = get_settings()
    app: Any = combined_app() if service == "all" else service_app(service)
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level=settings.log_level.lower(),
                lifespan="on", proxy_headers=True)
