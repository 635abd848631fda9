"""Collaborator results per period: leads referred, converted, revenue and commission (by the policy version in
force on the day of each sale, product > category > tier) to the last đồng; referrals checked to be ours."""

from __future__ import annotations

import datetime

from tests.contacts.helpers import create_customer, fields_at_fault
from tests.partners.helpers import API, new_partner
from tests.pipeline.helpers import API as PIPELINE
from tests.pipeline.helpers import act, add_opportunity, default_stages
from tests.pipeline.sales import TODAY, create_product, ok
from tests.pipeline.test_quotations import send

MONTH = TODAY.replace(day=1)
RULES = {"commissions": [{"rate_percent": 3.5}, {"tier": "gold", "rate_percent": 5},
                         {"category": "may-loc", "rate_percent": 7.25}, {"product_code": "ML-01", "rate_percent": 10}]}


def previous_month(day: datetime.date) -> datetime.date:
    return (day - datetime.timedelta(days=1)).replace(day=1)


async def test_results_count_referrals_and_commission_to_the_last_dong(client, tenant_a, tenant_b):
    await default_stages(client, tenant_a)
    policy = await ok(await client.post(f"{API}/policies", headers=tenant_a.headers, json={
        "name": "Hoa hồng CTV", "valid_from": "2020-01-01", "rules": RULES}), 201)
    # A later version (from tomorrow) never changes what today's sales earned.
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    await ok(await client.post(f"{API}/policies/{policy['id']}/versions", headers=tenant_a.headers, json={
        "valid_from": tomorrow, "rules": {"commissions": [{"rate_percent": 50}]}}), 201)
    ctv = await new_partner(client, tenant_a, "CTV Nguyễn Văn A", kind="collaborator", tier="gold",
                            policy_id=policy["id"])
    other = await new_partner(client, tenant_a, "CTV Trần Thị B", kind="collaborator")
    dealer = await new_partner(client, tenant_a, "Đại lý Không Giới Thiệu")
    foreign = await new_partner(client, tenant_b, "CTV của công ty B", kind="collaborator")
    buyer = await create_customer(client, tenant_a, name="Khách Mua Qua CTV")

    referred = {"referred_by_partner_id": ctv["id"]}
    lead = await add_opportunity(client, tenant_a, kind="lead", name="Lead giới thiệu", **referred)
    assert lead["referred_by_partner_id"] == ctv["id"]
    quoted = await add_opportunity(client, tenant_a, name="Mua máy lọc", customer_id=buyer["id"], **referred)
    won = await add_opportunity(client, tenant_a, name="Dự án lớn", customer_id=buyer["id"],
                                expected_revenue=10_000_001, **referred)
    later = await add_opportunity(client, tenant_a, name="Giới thiệu sau")
    await add_opportunity(client, tenant_a, name="Của CTV khác", referred_by_partner_id=other["id"],
                          expected_revenue=5_000_000)
    patched = await client.patch(f"{PIPELINE}/opportunities/{later['id']}", headers=tenant_a.headers, json=referred)
    assert patched.status_code == 200 and patched.json()["referred_by_partner_id"] == ctv["id"], patched.text

    # Another tenant's partner, or no partner at all: 422 naming the field, nothing written.
    for partner_id in (foreign["id"], buyer["id"]):
        refused = await client.post(f"{PIPELINE}/opportunities", headers=tenant_a.headers,
                                    json={"name": "Sai", "referred_by_partner_id": partner_id})
        assert refused.status_code == 422 and fields_at_fault(refused) == ["referred_by_partner_id"], refused.text
        refused = await client.patch(f"{PIPELINE}/opportunities/{later['id']}", headers=tenant_a.headers,
                                     json={"referred_by_partner_id": partner_id})
        assert refused.status_code == 422 and fields_at_fault(refused) == ["referred_by_partner_id"]

    purifier = await create_product(client, tenant_a, code="ML-01", list_price=1_234_567, category="may-loc")
    cartridge = await create_product(client, tenant_a, code="LOI-05", list_price=99_999, category="may-loc")
    offer = await ok(await client.post(f"{PIPELINE}/quotations", headers=tenant_a.headers, json={
        "opportunity_id": quoted["id"], "valid_until": tomorrow, "lines": [
            {"product_id": purifier["id"], "quantity": 1, "tax_percent": 10},
            {"product_id": cartridge["id"], "quantity": 3, "tax_percent": 10},
            {"description": "Lắp đặt", "quantity": 1, "unit_price": 333_333, "tax_percent": 10}]}), 201)
    await send(client, tenant_a, offer["id"])
    await ok(await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers))
    await act(client, tenant_a, won["id"], "won")

    params = {"period": "month", "period_start": MONTH.isoformat()}
    result = await ok(await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers, params=params))
    # Lines: ML-01 1,234,567 × 10 % (product) = 123,456.7 → 123,457; LOI-05 3 × 99,999 = 299,997 × 7.25 %
    # (category) = 21,749.7825 → 21,750; installation 333,333 × 5 % (gold tier) = 16,666.65 → 16,667; the
    # opportunity won without a quotation 10,000,001 × 5 % = 500,000.05 → 500,000.
    assert (result["leads_referred"], result["qualified"], result["won"], result["converted"]) == (4, 3, 2, 3)
    assert result["conversion_percent"] == 75.0
    assert result["revenue"] == 1_234_567 + 299_997 + 333_333 + 10_000_001 == 11_867_898
    assert result["commission"] == 123_457 + 21_750 + 16_667 + 500_000 == 661_874
    month_end = (MONTH + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    assert (result["period_start"], result["period_end"]) == (MONTH.isoformat(), month_end.isoformat())

    everyone = await ok(await client.get(f"{API}/results", headers=tenant_a.headers, params=params))
    assert [(r["customer_name"], r["leads_referred"], r["revenue"], r["commission"]) for r in everyone] == [
        ("CTV Nguyễn Văn A", 4, 11_867_898, 661_874), ("CTV Trần Thị B", 1, 0, 0)]
    all_kinds = await ok(await client.get(f"{API}/results", headers=tenant_a.headers,
                                          params={**params, "kind": "dealer"}))
    assert [(r["partner_id"], r["leads_referred"]) for r in all_kinds] == [(dealer["id"], 0)]
    year = await ok(await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers,
                                     params={"period": "year", "period_start": f"{TODAY.year}-01-01"}))
    assert (year["leads_referred"], year["commission"]) == (4, 661_874)
    before = await ok(await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers, params={
        "period": "month", "period_start": previous_month(MONTH).isoformat()}))
    assert (before["leads_referred"], before["revenue"], before["commission"]) == (0, 0, 0)
    usd = await ok(await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers,
                                    params={**params, "currency": "USD"}))
    assert (usd["revenue"], usd["commission"]) == (0, 0)

    # A referral taken away no longer counts.
    await ok(await client.patch(f"{PIPELINE}/opportunities/{later['id']}", headers=tenant_a.headers,
                                json={"referred_by_partner_id": None}))
    again = await ok(await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers, params=params))
    assert (again["leads_referred"], again["converted"], again["commission"]) == (3, 2, 661_874)

    # Tenant B sees none of it.
    assert (await client.get(f"{API}/results/{ctv['id']}", headers=tenant_b.headers,
                             params=params)).status_code == 404
    theirs = await ok(await client.get(f"{API}/results", headers=tenant_b.headers, params=params))
    assert [(r["partner_id"], r["leads_referred"]) for r in theirs] == [(foreign["id"], 0)]


async def test_a_period_must_start_on_its_first_day(client, tenant_a):
    ctv = await new_partner(client, tenant_a, "CTV Kỳ Sai", kind="collaborator")
    wrong = await client.get(f"{API}/results/{ctv['id']}", headers=tenant_a.headers,
                             params={"period": "quarter", "period_start": "2026-02-01"})
    assert wrong.status_code == 422 and fields_at_fault(wrong) == ["period_start"]
    unknown = await client.get(f"{API}/results", headers=tenant_a.headers,
                               params={"period": "week", "period_start": "2026-02-01"})
    assert unknown.status_code in (400, 422), unknown.text
