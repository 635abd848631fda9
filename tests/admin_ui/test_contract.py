"""The composition contract over HTTP: each service serves its manifest and page modules; the shell serves
the browser libraries that npm installed. No browser needed."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from infra.serve import SERVICES
from infra.ui import ManifestError, load_manifest


async def test_every_service_serves_its_manifest_and_the_modules_it_names(client: httpx.AsyncClient) -> None:
    listed = await client.get("/ui/services.json")
    assert listed.json()["services"] == list(SERVICES)
    pages = 0
    for service in SERVICES:
        manifest = await client.get(f"/api/{service}/ui/manifest.json")
        assert manifest.status_code == 200, service
        assert manifest.json()["service"] == service
        for page in manifest.json()["pages"]:
            module = await client.get(f"/api/{service}/ui/{page['module']}")
            assert module.status_code == 200, page
            assert module.headers["content-type"].startswith("text/javascript")
            assert f'customElements.define("{page["element"]}"' in module.text
            pages += 1
    assert pages >= 10


async def test_the_shell_serves_lit_from_the_npm_lockfile(client: httpx.AsyncClient) -> None:
    lock = json.loads((Path(__file__).parents[2] / "admin_ui" / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/lit"]["version"]
    lit = await client.get("/ui/vendor/lit/package.json")
    assert lit.status_code == 200 and lit.json()["version"] == version
    shell = await client.get("/")
    assert '"lit": "/ui/vendor/lit/index.js"' in shell.text
    assert "https://" not in shell.text  # nothing from a CDN


def test_a_broken_manifest_fails_naming_what_is_wrong(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"groups": {"org": {"vi": "Tổ chức", "en": "Org"}}, "pages": [
        {"id": "a", "title": {"vi": "A", "en": "A"}, "route": "a", "module": "a.js", "element": "x-a",
         "group": "nope", "permission": "members:fly"},
        {"id": "a", "title": {"vi": "B", "en": "B"}, "route": "b", "module": "b.js", "element": "x-b",
         "group": "org"}]}))
    (tmp_path / "b.js").write_text("")
    with pytest.raises(ManifestError) as raised:
        load_manifest(tmp_path)
    message = str(raised.value)
    for expected in ("no module a.js", "group nope", "unknown permission members:fly", "id a is used twice"):
        assert expected in message
    (tmp_path / "manifest.json").write_text(json.dumps({"pages": [{"id": "a", "unknown": 1}]}))
    with pytest.raises(ManifestError, match="unknown"):
        load_manifest(tmp_path)
