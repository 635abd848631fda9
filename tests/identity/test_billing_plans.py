"""Plans as data, edited by support staff; a tenant's plan set by support or by `crm billing set-plan` in local
mode (no Stripe key: nothing calls Stripe); the rate limit and the quotas follow the plan."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest

from infra.problems import ProblemError
from infra.settings import get_settings
from services.identity.service.billing_stripe import client as stripe_client
from tests.conftest import ROOT
from tests.identity.billing_helpers import SUPPORT
from tests.identity.support_helpers import audit_log, support_headers

BILLING = "/api/identity/v1/billing"


@pytest.fixture
async def support(client, stack) -> dict[str, str]:
    return await support_headers(client, stack)


async def limits(client, tenant) -> dict[str, int | None]:
    response = await client.get(f"{BILLING}/usage", headers=tenant.headers)
    return {item["quota"]: item["limit"] for item in response.json()["quotas"]}


async def rate_limit(owner_conn, tenant) -> int:
    return int(await owner_conn.fetchval("SELECT requests_per_minute FROM tenant WHERE id = $1", tenant.tenant_id))


async def test_the_four_plans_are_seeded_and_readable_by_tenant_admins_and_support(client, support, tenant_a):
    for headers in (support, tenant_a.headers):
        path = f"{SUPPORT}/plans" if headers is support else f"{BILLING}/plans"
        plans = (await client.get(path, headers=headers)).json()
        assert [plan["code"] for plan in plans] == ["trial", "standard", "pro", "enterprise"]
    enterprise = plans[-1]
    assert enterprise["quotas"]["customers"] is None and "sso" in enterprise["features"]
    assert (await client.get(f"{SUPPORT}/plans", headers=tenant_a.headers)).status_code == 401


async def test_support_puts_a_tenant_on_a_plan_and_its_limits_follow(client, support, tenant_a, tenant_b, owner_conn):
    response = await client.put(f"{SUPPORT}/tenants/{tenant_a.tenant_id}/plan", headers=support,
                                json={"plan": "enterprise", "period": "yearly", "reason": "Hợp đồng ký ngoài Stripe"})
    assert response.status_code == 200, response.text
    assert (response.json()["plan"]["code"], response.json()["status"]) == ("enterprise", "active")
    assert (await limits(client, tenant_a))["customers"] is None
    assert await rate_limit(owner_conn, tenant_a) == 6000
    assert (await limits(client, tenant_b))["customers"] == 1000  # B stays on its trial
    entries = await audit_log(client, tenant_a.headers)
    change = next(e for e in entries if e["action"] == "subscription.update")
    assert change["actor_kind"] == "support" and change["support_reason"] == "Hợp đồng ký ngoài Stripe"
    detail = (await client.get(f"{SUPPORT}/tenants/{tenant_a.tenant_id}", headers=support)).json()
    assert detail["plan"] == "enterprise"

    unknown = await client.put(f"{SUPPORT}/tenants/{tenant_a.tenant_id}/plan", headers=support,
                               json={"plan": "gold", "reason": "Thử gói không có"})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (422, "plan")
    missing = await client.put(f"{SUPPORT}/tenants/{tenant_a.tenant_id.hex[:8]}-0000-7000-8000-000000000000/plan",
                               headers=support, json={"plan": "pro", "reason": "Không có công ty này"})
    assert missing.status_code == 404


async def test_support_edits_a_plan_and_the_tenants_on_it_get_its_limits(client, support, tenant_a, owner_conn):
    await client.put(f"{SUPPORT}/tenants/{tenant_a.tenant_id}/plan", headers=support,
                     json={"plan": "enterprise", "reason": "Chuẩn bị thử sửa gói"})
    edited = await client.patch(f"{SUPPORT}/plans/enterprise", headers=support,
                                json={"requests_per_minute": 5000, "customers": 2_000_000})
    assert edited.status_code == 200, edited.text
    try:
        assert await rate_limit(owner_conn, tenant_a) == 5000
        assert (await limits(client, tenant_a))["customers"] == 2_000_000
        assert any(e["action"] == "plan.update" for e in await audit_log(client, tenant_a.headers))
    finally:
        await client.patch(f"{SUPPORT}/plans/enterprise", headers=support,
                           json={"requests_per_minute": 6000, "customers": None})
    assert (await limits(client, tenant_a))["customers"] is None
    bad = await client.patch(f"{SUPPORT}/plans/enterprise", headers=support, json={"seats": -1})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "seats")
    assert (await client.patch(f"{SUPPORT}/plans/gold", headers=support, json={"seats": 1})).status_code == 404


async def test_local_mode_sets_the_plan_from_the_command_line_and_never_calls_stripe(
        client, stack, tenant_a, stripe_standin):
    slug = (await client.get("/api/identity/v1/tenant/settings", headers=tenant_a.headers)).json()["slug"]
    local = {key: value for key, value in stack.env.items() if key != "CRM_STRIPE_SECRET_KEY"}
    calls_before = len(stripe_standin.requests)
    result = subprocess.run([sys.executable, "-m", "infra.cli", "billing", "set-plan", slug, "pro"],
                            env=local, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    body = (await client.get(BILLING, headers=tenant_a.headers)).json()
    assert (body["plan"]["code"], body["status"], body["tenant_status"]) == ("pro", "active", "active")
    unknown = subprocess.run([sys.executable, "-m", "infra.cli", "billing", "set-plan", "khong-co-cong-ty", "pro"],
                             env=local, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert unknown.returncode == 1 and "not found" in unknown.stderr
    assert len(stripe_standin.requests) == calls_before
    without_key = msgspec.structs.replace(get_settings(), stripe_secret_key="")
    with pytest.raises(ProblemError) as refused:
        stripe_client(without_key)
    assert (refused.value.status, refused.value.code) == (409, "billing_not_configured")
