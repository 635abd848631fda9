"""Support accounts for tests, created the way an operator does: with the `crm support create-user` command."""

from __future__ import annotations

import subprocess
import sys
import uuid
from typing import Any

import httpx

from tests.conftest import ROOT, TestStack

SUPPORT_PASSWORD = "mat-khau-ho-tro-2026"


def create_support_user(stack: TestStack) -> str:
    email = f"support-{uuid.uuid4().hex[:10]}@crm.local"
    result = subprocess.run([sys.executable, "-m", "infra.cli", "support", "create-user", email, "--password-stdin"],
                            input=SUPPORT_PASSWORD + "\n", env=stack.env, cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert SUPPORT_PASSWORD not in result.stdout + result.stderr
    return email


async def support_headers(client: httpx.AsyncClient, stack: TestStack) -> dict[str, str]:
    email = create_support_user(stack)
    response = await client.post("/api/identity/v1/support/login", json={"email": email, "password": SUPPORT_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def impersonate(client: httpx.AsyncClient, support: dict[str, str], tenant_id: uuid.UUID, reason: str,
                      write: bool = False) -> dict[str, str]:
    response = await client.post("/api/identity/v1/support/impersonations", headers=support,
                                 json={"tenant_id": str(tenant_id), "reason": reason, "write": write})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def audit_log(client: httpx.AsyncClient, headers: dict[str, str], **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/api/identity/v1/audit-log", headers=headers, params={"limit": 200, **filters})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items
