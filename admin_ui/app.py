"""The shell's app: the single page, its own modules, the browser libraries installed by npm, the list of
services whose manifests the shell reads, and health for the whole product when `crm serve all` runs it.

The pages themselves are not here: each service serves its own from `/api/<service>/ui/` (infra/ui.py).
"""

from __future__ import annotations

import logging
from pathlib import Path

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.response import File
from litestar.static_files import create_static_files_router

from infra.problems import EXCEPTION_HANDLERS
from infra.runtime import Runtime
from infra.serve import SERVICES
from infra.settings import Settings, get_settings
from infra.ui import REVALIDATE
from infra.web import health_handlers, runtime_lifespan

HERE = Path(__file__).parent
STATIC = HERE / "static"
# `npm ci` (run by `make setup`) installs admin_ui/package-lock.json here; nothing of it is in the repository.
VENDOR = HERE / "node_modules"
logger = logging.getLogger(__name__)


@get("/", include_in_schema=False, sync_to_thread=False, cache_control=REVALIDATE)
def index() -> File:
    return File(STATIC / "index.html", content_disposition_type="inline", media_type="text/html")


@get("/ui/services.json", include_in_schema=False, sync_to_thread=False, cache_control=REVALIDATE)
def services() -> dict[str, list[str]]:
    """Whose manifests to read. A service that does not answer is shown as unavailable, not left out."""
    return {"services": list(SERVICES)}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    if not (VENDOR / "lit").is_dir():
        logger.warning("admin_ui/node_modules is missing: run `make setup` (npm ci) for the admin UI to work")
    return Litestar(
        route_handlers=[
            index, services, *health_handlers([""]),
            create_static_files_router(path="/ui/vendor", directories=[VENDOR], name="vendor",
                                       cache_control=REVALIDATE),
            create_static_files_router(path="/ui", directories=[STATIC], name="shell", cache_control=REVALIDATE),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[runtime_lifespan],
        state=State({"settings": settings, "runtime": Runtime(settings)}),
        openapi_config=None,
    )
