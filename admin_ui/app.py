"""The shell's app: the start page, and health for the whole product when `crm serve all` runs it.

The shell reads each service's `/api/<service>/ui/manifest.json` at run time; the Admin UI issue builds
the pages, login and navigation on this.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.response import File

from infra.problems import EXCEPTION_HANDLERS
from infra.runtime import Runtime
from infra.settings import Settings, get_settings
from infra.web import health_handlers, runtime_lifespan

STATIC = Path(__file__).parent / "static"


@get("/", include_in_schema=False, sync_to_thread=False)
def index() -> File:
    return File(STATIC / "index.html", content_disposition_type="inline", media_type="text/html")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    return Litestar(
        route_handlers=[index, *health_handlers([""])],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[runtime_lifespan],
        state=State({"settings": settings, "runtime": Runtime(settings)}),
        openapi_config=None,
    )
