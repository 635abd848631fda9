"""Plan quotas at the point of use, through the one shared check (tenants/quotas.py): customers, seats, webhook
endpoints, custom attributes and storage answer 402 naming the quota, the usage, the limit and the upgrade path;
the counts stay exact under concurrent creates and follow deletes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail
from tenants import quotas
from tenants.context import tenant_transaction

CUSTOMERS = "/api/contacts/v1/customers"
USAGE = "/api/identity/v1/billing/usage"
IDENTITY = "/api/identity/v1"


async def limit_to(owner_conn, tenant, quota: str, room: int) -> None:
    """Leave `room` more of `quota` to `tenant` (its counter's limit; the plan itself is shared)."""
    async with owner_conn.transaction():
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.tenant_id))
        await owner_conn.execute("UPDATE tenant_quota SET quota_limit = used + $2 WHERE quota = $1", quota, room)


async def usage(client, tenant) -> dict[str, dict[str, Any]]:
    response = await client.get(USAGE, headers=tenant.headers)
    assert response.status_code == 200, response.text
    return {item["quota"]: item for item in response.json()["quotas"]}


def assert_quota_problem(response, quota: str, used: int, limit: int) -> None:
    assert response.status_code == 402, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert (body["code"], body["quota"], body["usage"], body["limit"]) == ("quota_exceeded", quota, used, limit)
    assert body["upgrade_url"] == "/api/identity/v1/billing/checkout"
    assert body["errors"][0]["field"] == quota
    assert body["upgrade_url"] in body["i18n"]["vi"]["detail"] and body["upgrade_url"] in body["i18n"]["en"]["detail"]


async def test_twenty_concurrent_customer_creates_at_the_limit_minus_five_create_exactly_five(
        client, owner_conn, tenant_a, tenant_b):
    for n in range(3):
        assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": f"Có sẵn {n}"})).status_code == 201
    await limit_to(owner_conn, tenant_a, "customers", 5)
    responses = await asyncio.gather(*(
        client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": f"Đồng thời {n}"}) for n in range(20)))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 5 + [402] * 15
    assert_quota_problem(next(r for r in responses if r.status_code == 402), "customers", 8, 8)
    listed = (await client.get(CUSTOMERS, headers=tenant_a.headers, params={"limit": 200})).json()["items"]
    assert len(listed) == 8
    assert (await usage(client, tenant_a))["customers"] == {"quota": "customers", "used": 8, "limit": 8}
    assert (await usage(client, tenant_b))["customers"]["used"] == 0  # the other tenant's count is its own

    # A delete gives the room back; the next create takes it.
    assert (await client.delete(f"{CUSTOMERS}/{listed[0]['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await usage(client, tenant_a))["customers"]["used"] == 7
    assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Thay thế"})).status_code == 201
    over = await client.post(CUSTOMERS, headers={**tenant_a.headers, "Accept-Language": "en"}, json={"name": "Quá"})
    assert_quota_problem(over, "customers", 8, 8)
    assert over.json()["detail"].startswith("Your plan allows 8 customers")


async def test_webhook_endpoints_and_custom_attributes_over_the_plan_answer_402(client, owner_conn, tenant_a):
    await limit_to(owner_conn, tenant_a, "webhook_endpoints", 1)
    await limit_to(owner_conn, tenant_a, "custom_attributes", 1)
    endpoint = {"url": "https://erp.example.vn/hooks", "event_types": ["customer.created"]}
    assert (await client.post("/api/webhooks/v1/endpoints", headers=tenant_a.headers, json=endpoint)).status_code == 201
    over = await client.post("/api/webhooks/v1/endpoints", headers=tenant_a.headers, json=endpoint)
    assert_quota_problem(over, "webhook_endpoints", 1, 1)

    attribute = {"key": "quy_mo", "label_vi": "Quy mô", "label_en": "Size", "type": "number"}
    created = await client.post("/api/contacts/v1/attributes", headers=tenant_a.headers, json=attribute)
    assert created.status_code == 201, created.text
    over = await client.post("/api/contacts/v1/attributes", headers=tenant_a.headers, json={**attribute, "key": "b"})
    assert_quota_problem(over, "custom_attributes", 1, 1)
    deleted = await client.delete(f"/api/contacts/v1/attributes/{created.json()['id']}", headers=tenant_a.headers)
    assert deleted.status_code in (200, 204), deleted.text
    assert (await usage(client, tenant_a))["custom_attributes"]["used"] == 0


async def test_seats_invitations_over_the_plan_answer_402_and_deactivation_frees_a_seat(
        client, owner_conn, mailbox, tenant_a):
    await limit_to(owner_conn, tenant_a, "seats", 1)  # the owner and one more
    email = f"ghe-{uuid.uuid4().hex[:8]}@example.vn"
    assert (await client.post(f"{IDENTITY}/invitations", headers=tenant_a.headers,
                              json={"email": email, "role": "salesperson"})).status_code == 201
    second = await client.post(f"{IDENTITY}/invitations", headers=tenant_a.headers,
                               json={"email": f"x-{email}", "role": "salesperson"})
    assert_quota_problem(second, "seats", 1, 2)  # the open invitation may take the last seat
    await deliver_pending_mail(get_settings())
    accepted = await client.post(f"{IDENTITY}/invitations/accept", json={
        "token": mailbox.token_for(email, "/accept-invitation"), "password": "mat-khau-nhan-vien-1",
        "full_name": "Người Thứ Hai"})
    assert accepted.status_code == 200, accepted.text
    assert (await usage(client, tenant_a))["seats"] == {"quota": "seats", "used": 2, "limit": 2}
    member_id = (await client.get(f"{IDENTITY}/me", headers={
        "Authorization": f"Bearer {accepted.json()['access_token']}"})).json()["user_id"]
    deactivated = await client.post(f"{IDENTITY}/members/{member_id}/deactivate", headers=tenant_a.headers)
    assert deactivated.status_code == 204
    assert (await usage(client, tenant_a))["seats"]["used"] == 1
    again = await client.post(f"{IDENTITY}/invitations", headers=tenant_a.headers,
                              json={"email": f"y-{email}", "role": "salesperson"})
    assert again.status_code == 201, again.text


async def test_storage_is_checked_with_the_bytes_to_add_and_shown_in_usage(client, tenant_a):
    async with tenant_transaction(tenant_a.tenant_id):
        await quotas.consume("storage_bytes", 5_000)
    async with tenant_transaction(tenant_a.tenant_id):
        with pytest.raises(quotas.QuotaExceeded) as refused:
            await quotas.consume("storage_bytes", 1024**3)
    assert refused.value.status == 402 and refused.value.extensions["usage"] == 5_000
    assert (await usage(client, tenant_a))["storage_bytes"] == {"quota": "storage_bytes", "used": 5_000,
                                                                "limit": 1024**3}
    async with tenant_transaction(tenant_a.tenant_id):
        await quotas.release("storage_bytes", 5_000)
    assert (await usage(client, tenant_a))["storage_bytes"]["used"] == 0
