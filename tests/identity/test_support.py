"""Support staff: their own login, tenant search, and acting as a tenant user, read-only unless asked, audited."""

from __future__ import annotations

import uuid

import jwt
import pytest

from tests.conftest import sign_up
from tests.identity.members import add_member
from tests.identity.support_helpers import (
    SUPPORT_PASSWORD,
    audit_log,
    create_support_user,
    impersonate,
    support_headers,
)

CUSTOMERS = "/api/contacts/v1/customers"
SUPPORT = "/api/identity/v1/support"


@pytest.fixture
async def support(client, stack) -> dict[str, str]:
    return await support_headers(client, stack)


async def test_support_tokens_and_tenant_tokens_do_not_cross(client, stack, support, tenant_a):
    assert (await client.get(CUSTOMERS, headers=support)).status_code == 401
    assert (await client.get("/api/identity/v1/audit-log", headers=support)).status_code == 401
    refused = await client.get(f"{SUPPORT}/tenants", headers=tenant_a.headers, params={"q": "x"})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{SUPPORT}/tenants", params={"q": "x"})).status_code == 401


async def test_support_login_refuses_a_wrong_password_and_tenant_users(client, stack, tenant_a):
    email = create_support_user(stack)
    wrong = await client.post(f"{SUPPORT}/login", json={"email": email, "password": SUPPORT_PASSWORD + "x"})
    assert wrong.status_code == 401
    tenant_user = await client.post(f"{SUPPORT}/login", json={"email": tenant_a.email, "password": tenant_a.password})
    assert tenant_user.status_code == 401
    good = await client.post(f"{SUPPORT}/login", json={"email": email, "password": SUPPORT_PASSWORD})
    assert good.status_code == 200 and SUPPORT_PASSWORD not in good.text


async def test_search_tenants_by_name_slug_owner_email_and_id(client, support, tenant_a, tenant_b):
    me = (await client.get("/api/identity/v1/me", headers=tenant_a.headers)).json()
    slug = me["tenant"]["slug"]
    for q in (slug, tenant_a.email.upper(), str(tenant_a.tenant_id)):
        response = await client.get(f"{SUPPORT}/tenants", headers=support, params={"q": q})
        assert response.status_code == 200, response.text
        found = {item["id"]: item for item in response.json()}
        assert str(tenant_a.tenant_id) in found, q
        assert str(tenant_b.tenant_id) not in found, q
        assert found[str(tenant_a.tenant_id)]["owner_email"] == tenant_a.email
    marker = uuid.uuid4().hex[:8]
    named = await sign_up(client, f"Công ty Tìm Kiếm {marker}")
    by_name = await client.get(f"{SUPPORT}/tenants", headers=support, params={"q": f"TÌM KIẾM {marker}"})
    assert [item["id"] for item in by_name.json()] == [str(named.tenant_id)]
    assert (await client.get(f"{SUPPORT}/tenants", headers=support, params={"q": "%"})).status_code == 200
    assert (await client.get(f"{SUPPORT}/tenants", headers=support)).status_code == 400


async def test_tenant_detail_shows_plan_usage_and_status(client, support, tenant_a, tenant_b):
    for name in ("Một", "Hai"):
        await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": name})
    await client.post(CUSTOMERS, headers=tenant_b.headers, json={"name": "Của B"})
    detail = await client.get(f"{SUPPORT}/tenants/{tenant_a.tenant_id}", headers=support)
    assert detail.status_code == 200
    body = detail.json()
    assert (body["plan"], body["status"], body["usage"]) == ("trial", "active", {"members": 1, "customers": 2})
    assert (await client.get(f"{SUPPORT}/tenants/{uuid.uuid4()}", headers=support)).status_code == 404


async def test_support_reads_a_tenants_members_and_only_that_tenants(client, support, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson", "Nguyễn Văn Bán")
    await add_member(tenant_b, "salesperson", "Người của B")
    deactivated = await client.post(f"/api/identity/v1/members/{seller.user_id}/deactivate", headers=tenant_a.headers)
    assert deactivated.status_code == 204, deactivated.text
    login = await client.post("/api/identity/v1/login", json={"email": tenant_a.email, "password": tenant_a.password})
    assert login.status_code == 200, login.text
    url = f"{SUPPORT}/tenants/{tenant_a.tenant_id}/members"
    response = await client.get(url, headers=support)
    assert response.status_code == 200, response.text
    members = {item["email"]: item for item in response.json()["items"]}
    assert members.keys() == {tenant_a.email, seller.email}  # none of B's
    owner = members[tenant_a.email]
    assert (owner["role"], owner["is_active"]) == ("owner", True)
    assert owner["last_login_at"] is not None and members[seller.email]["last_login_at"] is None
    assert (members[seller.email]["full_name"], members[seller.email]["role"],
            members[seller.email]["is_active"]) == ("Nguyễn Văn Bán", "salesperson", False)
    first = await client.get(url, headers=support, params={"limit": 1})  # keyset pages
    second = await client.get(url, headers=support, params={"limit": 1, "cursor": first.json()["next_cursor"]})
    assert {first.json()["items"][0]["email"], second.json()["items"][0]["email"]} == members.keys()
    # Read-only and for support alone: a tenant's own token (even its owner's) is not a support token.
    no_token: dict[str, str] = {}
    for headers in (tenant_a.headers, tenant_b.headers, no_token):
        refused = await client.get(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.post(url, headers=support, json={})).status_code == 405
    assert (await client.get(f"{SUPPORT}/tenants/{uuid.uuid4()}/members", headers=support)).status_code == 404
    bad = await client.get(url, headers=support, params={"limit": 0})
    assert bad.status_code == 422 and "limit" in bad.text


async def test_read_only_impersonation_reads_cannot_write_and_is_audited(client, support, tenant_a, tenant_b):
    reason = "Khách báo lỗi danh sách khách hàng, ticket #4821"
    acting = await impersonate(client, support, tenant_a.tenant_id, reason)
    claims = jwt.decode(acting["Authorization"].split()[1], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 3600

    assert (await client.get(CUSTOMERS, headers=acting)).status_code == 200
    refused = await client.post(CUSTOMERS, headers=acting, json={"name": "Không được tạo"})
    assert refused.status_code == 403
    assert refused.json()["i18n"]["en"]["detail"].startswith("This support session is read-only")
    assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"] == []

    entries = await audit_log(client, tenant_a.headers)
    [start] = [e for e in entries if e["action"] == "support.impersonation_start"]
    assert start["actor_kind"] == "support" and start["support_reason"] == reason
    assert start["after"]["write"] is False
    requests = [e for e in entries if e["action"] == "support.request"]
    assert {(e["after"]["method"], e["after"]["status"]) for e in requests} == {("GET", 200), ("POST", 403)}
    assert all(e["support_staff_id"] == start["support_staff_id"] and e["support_reason"] == reason
               for e in requests)
    assert all(e["action"] not in ("support.request", "support.impersonation_start")
               for e in await audit_log(client, tenant_b.headers))


async def test_impersonation_with_write_works_and_is_audited(client, support, tenant_a):
    reason = "Nhập giúp khách hàng theo yêu cầu của chủ công ty"
    acting = await impersonate(client, support, tenant_a.tenant_id, reason, write=True)
    created = await client.post(CUSTOMERS, headers=acting, json={"name": "Tạo bởi hỗ trợ"})
    assert created.status_code == 201
    [entry] = await audit_log(client, tenant_a.headers, object_id=created.json()["id"])
    assert entry["action"] == "customer.create"
    assert entry["support_reason"] == reason and entry["support_staff_id"] is not None
    [start] = await audit_log(client, tenant_a.headers, action="support.impersonation_start")
    assert start["after"]["write"] is True and start["support_staff_id"] == entry["support_staff_id"]


async def test_impersonation_needs_a_reason_and_at_most_an_hour(client, support, tenant_a):
    base = {"tenant_id": str(tenant_a.tenant_id)}
    missing = await client.post(f"{SUPPORT}/impersonations", headers=support, json=base)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    too_long = await client.post(f"{SUPPORT}/impersonations", headers=support,
                                 json={**base, "reason": "kiểm tra lỗi", "minutes": 120})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "minutes"
    nowhere = await client.post(f"{SUPPORT}/impersonations", headers=support,
                                json={"tenant_id": str(uuid.uuid4()), "reason": "kiểm tra lỗi"})
    assert nowhere.status_code == 404
    assert await audit_log(client, tenant_a.headers, action="support.impersonation_start") == []
