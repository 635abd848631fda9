"""`Idempotency-Key` on POST: replays, conflicts, concurrency, tenants, and failures leave no key."""

from __future__ import annotations

import asyncio
import uuid


def _with_key(user, key: str) -> dict[str, str]:
    return {**user.headers, "Idempotency-Key": key}


async def _count(client, user) -> int:
    summary = await client.get("/api/reporting/v1/indicators/lifecycle", headers=user.headers)
    return int(summary.json()["total"])


async def test_the_same_key_and_body_replays_the_first_response(client, tenant_a):
    key = str(uuid.uuid4())
    first = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key),
                              json={"name": "Một lần thôi"})
    again = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key),
                              json={"name": "Một lần thôi"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(client, tenant_a) == 1


async def test_the_same_key_with_another_body_is_422(client, tenant_a):
    key = str(uuid.uuid4())
    await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key), json={"name": "A"})
    other = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key), json={"name": "B"})
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await _count(client, tenant_a) == 1


async def test_concurrent_requests_with_one_key_create_one_row(client, tenant_a):
    key = str(uuid.uuid4())
    responses = await asyncio.gather(*(
        client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key), json={"name": "Đồng thời"})
        for _ in range(8)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _count(client, tenant_a) == 1


async def test_keys_belong_to_one_tenant(client, tenant_a, tenant_b):
    key = str(uuid.uuid4())
    a = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key), json={"name": "X"})
    b = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_b, key), json={"name": "X"})
    assert a.json()["id"] != b.json()["id"]
    assert "idempotent-replayed" not in b.headers


async def test_a_failed_request_leaves_no_key_behind(client, tenant_a):
    key = str(uuid.uuid4())
    bad = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key),
                            json={"name": "Sai số", "phone": "123"})
    assert bad.status_code == 422
    fixed = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, key),
                              json={"name": "Sai số", "phone": "0912345678"})
    assert fixed.status_code == 201
    assert await _count(client, tenant_a) == 1


async def test_an_overlong_key_is_refused(client, tenant_a):
    response = await client.post("/api/contacts/v1/customers", headers=_with_key(tenant_a, "k" * 300),
                                 json={"name": "X"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "header.idempotency-key"
    assert await _count(client, tenant_a) == 0
