"""Territories per tenant."""


async def test_territories_are_per_tenant_and_province_codes_checked(client, tenant_a, tenant_b):
    created = await client.post("/api/partners/v1/territories", headers=tenant_a.headers,
                                json={"name": "Miền Trung", "province_codes": ["48", "46", "48"]})
    assert created.status_code == 201, created.text
    assert created.json()["province_codes"] == ["46", "48"]
    assert len((await client.get("/api/partners/v1/territories", headers=tenant_a.headers)).json()) == 1
    assert (await client.get("/api/partners/v1/territories", headers=tenant_b.headers)).json() == []
    bad = await client.post("/api/partners/v1/territories", headers=tenant_a.headers,
                            json={"name": "Sai", "province_codes": ["HN"]})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"].startswith("province_codes")
