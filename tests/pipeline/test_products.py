"""The catalogue: products by code (the ERP's upsert), bundles without cycles, price policies; two tenants."""

from __future__ import annotations

from tests.contacts.helpers import fields_at_fault
from tests.pipeline.helpers import API
from tests.pipeline.sales import create_product, days, ok


async def test_erp_upserts_products_by_code_per_tenant(client, tenant_a, tenant_b):
    body = {"name": "Máy lọc nước Karofi", "unit": "chiếc", "list_price": 5_490_000, "tax_rate": 10,
            "category": "may-loc"}
    created = await client.put(f"{API}/products/by-code/KRF-01", headers=tenant_a.headers, json=body)
    product = await ok(created, 201)
    assert (product["code"], product["list_price"], product["currency"], product["tax_rate"]) == (
        "KRF-01", 5_490_000, "VND", "10.00")
    replaced = await ok(await client.put(f"{API}/products/by-code/KRF-01", headers=tenant_a.headers,
                                         json={**body, "list_price": 5_290_000, "active": False}))
    assert (replaced["id"], replaced["list_price"], replaced["active"]) == (product["id"], 5_290_000, False)
    # The same code is another product in tenant B, and A's product is not B's to see.
    other = await ok(await client.put(f"{API}/products/by-code/KRF-01", headers=tenant_b.headers, json=body), 201)
    assert other["id"] != product["id"]
    assert (await client.get(f"{API}/products/{product['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.patch(f"{API}/products/{product['id']}", headers=tenant_b.headers,
                               json={"name": "X"})).status_code == 404
    duplicate = await client.post(f"{API}/products", headers=tenant_a.headers, json={**body, "code": "KRF-01"})
    assert duplicate.status_code == 409
    assert fields_at_fault(duplicate) == ["code"]
    listed = await ok(await client.get(f"{API}/products", headers=tenant_a.headers, params={"active": "false"}))
    assert [item["code"] for item in listed["items"]] == ["KRF-01"]


async def test_bad_product_input_names_the_field(client, tenant_a):
    for body, field in (({"tax_rate": 101}, "tax_rate"), ({"tax_rate": "7.125"}, "tax_rate"),
                        ({"list_price": -1}, "list_price"), ({"currency": "dong"}, "currency"),
                        ({"colour": "red"}, "colour")):
        response = await client.post(f"{API}/products", headers=tenant_a.headers,
                                     json={"code": "X-1", "name": "X", "unit": "cái", "list_price": 1, **body})
        assert response.status_code == 422, (body, response.text)
        assert fields_at_fault(response) == [field]
    bad_code = await client.put(f"{API}/products/by-code/c%C3%B3 d%E1%BA%A5u", headers=tenant_a.headers,
                                json={"name": "X", "unit": "cái", "list_price": 1})
    assert bad_code.status_code == 422, bad_code.text
    assert fields_at_fault(bad_code) == ["code"]


async def test_bundles_list_their_parts_and_refuse_cycles(client, tenant_a, tenant_b):
    pump, filter_, combo = [await create_product(client, tenant_a, name=name) for name in
                            ("Bơm tăng áp", "Lõi lọc", "Combo lọc nước")]
    outer = await create_product(client, tenant_a, name="Gói gia đình")
    bundle = await ok(await client.put(f"{API}/products/{combo['id']}/components", headers=tenant_a.headers,
                                       json=[{"product_id": pump["id"], "quantity": 1},
                                             {"product_id": filter_["id"], "quantity": "3"}]))
    assert [(part["name"], part["quantity"]) for part in bundle["components"]] == [("Bơm tăng áp", "1.000"),
                                                                                   ("Lõi lọc", "3.000")]
    await ok(await client.put(f"{API}/products/{outer['id']}/components", headers=tenant_a.headers,
                              json=[{"product_id": combo["id"], "quantity": 2}]))
    # combo → outer would close the loop outer → combo → outer; so would a bundle of itself.
    for bundle_id, part_id in ((combo["id"], outer["id"]), (pump["id"], pump["id"])):
        response = await client.put(f"{API}/products/{bundle_id}/components", headers=tenant_a.headers,
                                    json=[{"product_id": part_id, "quantity": 1}])
        assert response.status_code == 422, response.text
        assert fields_at_fault(response) == ["components"]
    stranger = await create_product(client, tenant_b)
    response = await client.put(f"{API}/products/{combo['id']}/components", headers=tenant_a.headers,
                                json=[{"product_id": stranger["id"], "quantity": 1}])
    assert fields_at_fault(response) == ["components[0].product_id"]
    assert (await client.put(f"{API}/products/{combo['id']}/components", headers=tenant_b.headers,
                             json=[])).status_code == 404


async def test_price_policies_are_time_boxed_and_per_tenant(client, tenant_a, tenant_b):
    product = await create_product(client, tenant_a)
    policy = await ok(await client.post(f"{API}/price-policies", headers=tenant_a.headers, json={
        "name": "Khuyến mãi Tết", "kind": "promotion", "valid_from": days(0), "valid_to": days(30),
        "product_id": product["id"], "percent": 7.5, "min_quantity": 2}), 201)
    assert (policy["percent"], policy["min_quantity"]) == ("7.50", "2.000")
    await ok(await client.post(f"{API}/price-policies", headers=tenant_a.headers, json={
        "name": "Mùa hè", "valid_from": days(60), "amount": 10_000, "currency": "VND"}), 201)
    in_force = await ok(await client.get(f"{API}/price-policies", headers=tenant_a.headers,
                                         params={"on": days(1)}))
    assert [item["name"] for item in in_force["items"]] == ["Khuyến mãi Tết"]
    assert (await client.get(f"{API}/price-policies/{policy['id']}", headers=tenant_b.headers)).status_code == 404
    for body, field in (({"percent": 5, "amount": 100, "currency": "VND"}, "percent"),
                        ({"amount": 100}, "currency"), ({"percent": 5, "valid_to": days(-1)}, "valid_to"),
                        ({"percent": 5, "customer_group_id": product["id"]}, "customer_group_id")):
        response = await client.post(f"{API}/price-policies", headers=tenant_a.headers,
                                     json={"name": "X", "valid_from": days(0), **body})
        assert response.status_code == 422, response.text
        assert fields_at_fault(response) == [field]
    ended = await ok(await client.patch(f"{API}/price-policies/{policy['id']}", headers=tenant_a.headers,
                                        json={"valid_to": days(0)}))
    assert ended["valid_to"] == days(0)
    assert (await client.delete(f"{API}/price-policies/{policy['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.delete(f"{API}/price-policies/{policy['id']}", headers=tenant_a.headers)).status_code == 204
