"""The company's settings: time zone and daily job hour, per tenant, validated, audited."""

from tests.identity.members import add_member
from tests.identity.support_helpers import audit_log

URL = "/api/identity/v1/tenant/settings"


async def test_settings_default_to_vietnam_and_change_per_tenant(client, tenant_a, tenant_b):
    settings = (await client.get(URL, headers=tenant_a.headers)).json()
    assert settings["time_zone"] == "Asia/Ho_Chi_Minh"
    assert settings["daily_jobs_hour"] == 1
    changed = await client.patch(URL, headers=tenant_a.headers,
                                 json={"time_zone": "Europe/Berlin", "daily_jobs_hour": 6, "name": "  A mới  "})
    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "Europe/Berlin"
    assert changed.json()["name"] == "A mới"
    assert (await client.get(URL, headers=tenant_b.headers)).json()["time_zone"] == "Asia/Ho_Chi_Minh"
    entries = await audit_log(client, tenant_a.headers, action="tenant.settings_update")
    assert entries[0]["before"]["time_zone"] == "Asia/Ho_Chi_Minh"
    assert entries[0]["after"]["time_zone"] == "Europe/Berlin"


async def test_unknown_zone_and_hour_out_of_range_name_the_field(client, tenant_a):
    zone = await client.patch(URL, headers=tenant_a.headers, json={"time_zone": "Mars/Olympus"})
    assert zone.status_code == 422
    assert zone.headers["content-type"].startswith("application/problem+json")
    assert zone.json()["errors"][0]["field"] == "time_zone"
    hour = await client.patch(URL, headers=tenant_a.headers, json={"daily_jobs_hour": 24})
    assert hour.status_code == 422
    assert hour.json()["errors"][0]["field"] == "daily_jobs_hour"
    assert (await client.get(URL, headers=tenant_a.headers)).json()["time_zone"] == "Asia/Ho_Chi_Minh"


async def test_only_managers_of_the_org_change_settings(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson")
    assert (await client.get(URL, headers=seller.headers)).status_code == 200
    refused = await client.patch(URL, headers=seller.headers, json={"daily_jobs_hour": 3})
    assert refused.status_code == 403
