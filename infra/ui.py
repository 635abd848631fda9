"""The server side of the admin UI's composition contract (DESIGN §7, README "How a service adds a page").

A service's `ui/` folder holds `manifest.json` and the ES modules of its pages. The service serves both under
its own prefix, `/api/<service>/ui/`; the shell reads the manifests at run time and mounts each page's custom
element. The manifest is checked when the service's app is built, so a broken one fails at start-up and in
tests, not in a browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from tenants.access import PERMISSIONS

Key = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=48)]
# Custom element names must contain a hyphen; by convention they start with the service's name.
ElementName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)+$", max_length=64)]
ModuleFile = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*\.js$", max_length=64)]
# Modules change with every deployment: the browser revalidates them (ETag) instead of caching blindly.
REVALIDATE = CacheControlHeader(no_cache=True)


class UiText(msgspec.Struct, forbid_unknown_fields=True):
    vi: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]
    en: Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class UiPage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    id: Key
    title: UiText
    route: Key  # the shell shows the page at `#/<service>/<route>`
    module: ModuleFile  # in the service's ui/ folder
    element: ElementName  # the custom element the module defines
    group: Key  # a menu group declared in the manifest's `groups`
    permission: str | None = None  # the shell hides the page from callers without it; the API still checks
    audience: Literal["tenant", "support"] = "tenant"


class UiManifest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    groups: dict[Key, UiText] = {}
    pages: list[UiPage] = []


class ManifestError(ValueError):
    pass


def load_manifest(ui_dir: Path) -> UiManifest:
    """The service's manifest, checked: each page's module exists, its group is declared, its permission is
    in the catalogue, and ids, routes and elements are unique."""
    path = ui_dir / "manifest.json"
    try:
        manifest = msgspec.json.decode(path.read_bytes(), type=UiManifest)
    except (OSError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ManifestError(f"{path}: {exc}") from exc
    problems = [f"page {page.id}: no module {page.module}" for page in manifest.pages
                if not (ui_dir / page.module).is_file()]
    problems += [f"page {page.id}: group {page.group} is not in groups" for page in manifest.pages
                 if page.group not in manifest.groups]
    problems += [f"page {page.id}: unknown permission {page.permission}" for page in manifest.pages
                 if page.permission is not None and page.permission not in PERMISSIONS]
    for field in ("id", "route", "element"):
        values = [getattr(page, field) for page in manifest.pages]
        problems += [f"{field} {value} is used twice" for value in sorted(set(values)) if values.count(value) > 1]
    if problems:
        raise ManifestError(f"{path}: " + "; ".join(problems))
    return manifest


def ui_handlers(service: str, ui_dir: Path) -> list[ControllerRouterHandler]:
    """`/api/<service>/ui/manifest.json` and the page modules beside it; public, like any static asset:
    the data a page shows comes from the service's API, which checks the caller."""
    body: dict[str, Any] = {"service": service, **msgspec.to_builtins(load_manifest(ui_dir))}

    @get(f"/api/{service}/ui/manifest.json", include_in_schema=False, sync_to_thread=False,
         cache_control=REVALIDATE)
    def manifest() -> dict[str, Any]:
        return body

    files = create_static_files_router(path=f"/api/{service}/ui", directories=[ui_dir], name=f"{service}-ui",
                                       cache_control=REVALIDATE)
    return [manifest, files]
