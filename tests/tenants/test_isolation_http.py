"""Isolation through the HTTP app: concurrent requests of two tenants never see each other's rows."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import TenantUser


async def _seed(client: httpx.AsyncClient, user: TenantUser, prefix: str, count: int) -> set[str]:
    ids = set()
    for n in range(count):
        response = await client.post("/api/contacts/v1/customers", headers=user.headers,
                                     json={"name": f"{prefix} {n}"})
        assert response.status_code == 201, response.text
        ids.add(response.json()["id"])
    return ids


async def test_200_concurrent_requests_alternating_tenants_never_leak(server, tenant_a, tenant_b):
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=server, timeout=60, limits=limits) as client:
        ids_a = await _seed(client, tenant_a, "An Phát khách", 3)
        ids_b = await _seed(client, tenant_b, "Bình Minh khách", 4)

        async def fetch(user: TenantUser) -> tuple[TenantUser, set[str]]:
            response = await client.get("/api/contacts/v1/customers", headers=user.headers)
            assert response.status_code == 200, response.text
            return user, {item["id"] for item in response.json()["items"]}

        results = await asyncio.gather(*(fetch(tenant_a if n % 2 == 0 else tenant_b) for n in range(200)))
    assert len(results) == 200
    for user, seen in results:
        assert seen == (ids_a if user is tenant_a else ids_b)


async def test_another_tenants_object_answers_404_never_403(client, tenant_a, tenant_b):
    created = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                json={"name": "Bí mật của An Phát"})
    customer_id = created.json()["id"]
    for method, body in (("GET", None), ("PATCH", {"name": "Đổi tên"}), ("DELETE", None)):
        response = await client.request(method, f"/api/contacts/v1/customers/{customer_id}",
                                        headers=tenant_b.headers, json=body)
        assert response.status_code == 404, (method, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    still_there = await client.get(f"/api/contacts/v1/customers/{customer_id}", headers=tenant_a.headers)
    assert still_there.json()["name"] == "Bí mật của An Phát"
