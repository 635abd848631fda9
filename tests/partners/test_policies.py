"""Partner policies: versions by date, the most specific rule, history never rewritten."""

from __future__ import annotations

from typing import Any

from tests.contacts.helpers import fields_at_fault
from tests.partners.helpers import API

RULES_2026 = {"commissions": [{"rate_percent": 5}, {"tier": "gold", "rate_percent": 7},
                              {"category": "Máy lọc nước", "rate_percent": 8},
                              {"product_code": "ML-01", "rate_percent": 10}],
              "discounts": [{"tier": "gold", "discount_percent": 12}, {"tier": "standard", "discount_percent": 5}],
              "payment_terms_days": 30}


async def test_the_version_in_force_on_a_date_is_applied(client, tenant_a, tenant_b):
    created = await client.post(f"{API}/policies", headers=tenant_a.headers, json={
        "name": "Chính sách đại lý 2026", "valid_from": "2026-01-01", "rules": RULES_2026})
    assert created.status_code == 201, created.text
    policy = created.json()
    url = f"{API}/policies/{policy['id']}"
    later = await client.post(f"{url}/versions", headers=tenant_a.headers, json={
        "valid_from": "2026-07-01", "rules": {"commissions": [{"rate_percent": 6}], "payment_terms_days": 45}})
    assert later.status_code == 201, later.text
    versions = later.json()["versions"]
    assert [(v["version"], v["valid_from"], v["valid_to"]) for v in versions] == [
        (1, "2026-01-01", "2026-07-01"), (2, "2026-07-01", None)]
    assert versions[0]["rules"]["commissions"] == created.json()["versions"][0]["rules"]["commissions"]

    async def terms(on: str, **query: str) -> dict[str, Any]:
        response = await client.get(f"{url}/terms", headers=tenant_a.headers, params={"on": on, **query})
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    product = await terms("2026-06-30", tier="gold", product_code="ML-01", category="Máy lọc nước")
    assert (product["version"], product["commission_percent"], product["commission_rule"]) == (1, 10, "product")
    assert (product["discount_percent"], product["payment_terms_days"]) == (12, 30)
    category = await terms("2026-06-30", tier="standard", product_code="KHAC", category="Máy lọc nước")
    assert (category["commission_percent"], category["commission_rule"]) == (8, "category")
    tier = await terms("2026-03-01", tier="gold")
    assert (tier["commission_percent"], tier["commission_rule"]) == (7, "tier")
    july = await terms("2026-07-01", tier="gold", product_code="ML-01")
    assert (july["version"], july["commission_percent"], july["payment_terms_days"]) == (2, 6, 45)
    before = await client.get(f"{url}/terms", headers=tenant_a.headers, params={"on": "2025-12-31", "tier": "gold"})
    assert before.status_code == 404

    rewrite = await client.post(f"{url}/versions", headers=tenant_a.headers,
                                json={"valid_from": "2026-03-01", "rules": {}})
    assert rewrite.status_code == 422 and fields_at_fault(rewrite) == ["valid_from"]
    assert (await client.get(url, headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{url}/terms", headers=tenant_b.headers,
                             params={"on": "2026-03-01", "tier": "gold"})).status_code == 404


async def test_rules_are_validated_field_by_field(client, tenant_a):
    bad = await client.post(f"{API}/policies", headers=tenant_a.headers, json={
        "name": "Sai", "valid_from": "2026-01-01", "rules": {"commissions": [{"rate_percent": 150}]}})
    assert bad.status_code == 422
    assert fields_at_fault(bad) == ["rules.commissions[0].rate_percent"]
