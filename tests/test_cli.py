"""The `crm` command line and the OpenAPI documents of every service."""

from __future__ import annotations

import subprocess
import sys

import pytest

from infra.serve import SERVICES


@pytest.mark.parametrize("command", ["stack", "migrate", "serve", "worker", "seed-demo", "settings", "run"])
def test_every_command_has_help(command):
    result = subprocess.run([sys.executable, "-m", "infra.cli", command, "--help"], capture_output=True,
                            text=True)
    assert result.returncode == 0
    assert result.stdout.startswith(f"usage: crm {command}")


async def test_migrate_twice_changes_nothing(stack):
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "infra.cli", "migrate"], env=stack.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "row-level security on" in result.stdout


async def test_seed_demo_is_idempotent_and_the_demo_login_works(stack, client):
    for _ in range(2):
        result = subprocess.run([sys.executable, "-m", "infra.cli", "seed-demo"], env=stack.env,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
    login = await client.post("/api/identity/v1/login",
                              json={"email": "demo@crm.local", "password": "demo-password-2026"})
    assert login.status_code == 200
    headers = {"authorization": f"Bearer {login.json()['access_token']}"}
    customers = (await client.get("/api/contacts/v1/customers", headers=headers)).json()["items"]
    assert len(customers) == 5
    assert len((await client.get("/api/pipeline/v1/stages", headers=headers)).json()) == 4


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_serves_its_openapi_and_docs(client, service):
    spec = await client.get(f"/api/{service}/docs/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert paths and all(path.startswith(f"/api/{service}/v1/") for path in paths)
    docs = await client.get(f"/api/{service}/docs")
    assert docs.status_code == 200 and "<html" in docs.text.lower()
    manifest = await client.get(f"/api/{service}/ui/manifest.json")
    assert manifest.json()["service"] == service


async def test_the_admin_shell_is_served_at_the_root(client):
    page = await client.get("/")
    assert page.status_code == 200
    assert "Phân hệ Khách hàng" in page.text
