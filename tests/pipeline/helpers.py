"""Shared steps of the pipeline tests: stages, teams, opportunities over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import TenantUser

API = "/api/pipeline/v1"


async def add_stages(client: httpx.AsyncClient, user: TenantUser, *stages: tuple[str, int, bool],
                     **common: Any) -> list[dict[str, Any]]:
    """Stages named (English name, probability, is_won), Vietnamese name "GĐ <name>"."""
    created = []
    for name, probability, is_won in stages:
        response = await client.post(f"{API}/stages", headers=user.headers, json={
            "name_vi": f"GĐ {name}", "name_en": name, "probability": probability, "is_won": is_won, **common})
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def default_stages(client: httpx.AsyncClient, user: TenantUser) -> list[dict[str, Any]]:
    return await add_stages(client, user, ("New", 10, False), ("Proposal", 50, False), ("Won", 100, True))


async def add_team(client: httpx.AsyncClient, user: TenantUser, name: str, **body: Any) -> dict[str, Any]:
    response = await client.post("/api/identity/v1/sales-teams", headers=user.headers, json={"name": name, **body})
    assert response.status_code == 201, response.text
    team: dict[str, Any] = response.json()
    return team


async def add_opportunity(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> dict[str, Any]:
    response = await client.post(f"{API}/opportunities", headers=user.headers, json={"name": "Cơ hội", **body})
    assert response.status_code == 201, response.text
    opportunity: dict[str, Any] = response.json()
    return opportunity


async def act(client: httpx.AsyncClient, user: TenantUser, opportunity_id: str, action: str,
              body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
    response = await client.post(f"{API}/opportunities/{opportunity_id}/{action}", headers=user.headers,
                                 json=body or {})
    assert response.status_code == status, response.text
    result: dict[str, Any] = response.json()
    return result
