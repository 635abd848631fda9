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


TERRITORIES = "/api/partners/v1/territories"


async def test_districts_coverage_and_a_proposal_from_an_address(client, tenant_a, tenant_b):
    from tests.identity.members import add_member
    from tests.partners.helpers import new_partner

    south = (await client.post(TERRITORIES, headers=tenant_a.headers,
                               json={"name": "Miền Nam", "province_codes": ["79", "74"]})).json()
    district = (await client.post(TERRITORIES, headers=tenant_a.headers, json={
        "name": "Quận 1 và Thủ Đức", "districts": [{"province_code": "79", "district": "Quận 1"},
                                                  {"province_code": "79", "district": "Thành phố Thủ Đức"}]})).json()
    hanoi = (await client.post(TERRITORIES, headers=tenant_a.headers,
                               json={"name": "Hà Nội", "province_codes": ["01"]})).json()
    coverage = (await client.get(f"{TERRITORIES}/coverage", headers=tenant_a.headers)).json()
    assert {(o["province_code"], o["district"]) for o in coverage["overlaps"]} == {
        ("79", "Quận 1"), ("79", "Thành phố Thủ Đức")}
    assert "01" not in coverage["gaps"] and "79" not in coverage["gaps"] and "48" in coverage["gaps"]
    assert len(coverage["gaps"]) == 63 - 3

    busy, free = await add_member(tenant_a, "salesperson"), await add_member(tenant_a, "salesperson")
    for member, code in ((busy, "NV01"), (free, "NV02")):
        made = await client.post("/api/identity/v1/salespeople", headers=tenant_a.headers, json={
            "user_id": str(member.user_id), "employee_code": code, "territory_ids": [district["id"]]})
        assert made.status_code == 201, made.text
    await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                      json={"name": "Khách của NV01", "owner_id": str(busy.user_id)})
    dealer = await new_partner(client, tenant_a, "Đại lý Sài Gòn", territory_ids=[south["id"]], status="active")
    proposal = await client.post(f"{TERRITORIES}/proposal", headers=tenant_a.headers,
                                 json={"province_code": "79", "district": "quan 1"})
    assert proposal.status_code == 200, proposal.text
    assert proposal.json() == {"territory_ids": [district["id"], south["id"]], "owner_id": str(free.user_id),
                               "dealer_ids": [dealer["id"]]}
    elsewhere = (await client.post(f"{TERRITORIES}/proposal", headers=tenant_a.headers,
                                   json={"province_code": "01"})).json()
    assert elsewhere == {"territory_ids": [hanoi["id"]], "owner_id": None, "dealer_ids": []}
    assert (await client.post(f"{TERRITORIES}/proposal", headers=tenant_b.headers,
                              json={"province_code": "79"})).json()["territory_ids"] == []
    assert (await client.get(f"{TERRITORIES}/{south['id']}", headers=tenant_b.headers)).status_code == 404

    removed = await client.delete(f"{TERRITORIES}/{south['id']}", headers=tenant_a.headers)
    assert removed.status_code == 204
    after = (await client.get(f"/api/partners/v1/partners/{dealer['id']}", headers=tenant_a.headers)).json()
    assert after["territory_ids"] == []
