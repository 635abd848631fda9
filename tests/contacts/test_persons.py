"""Contact persons of company customers through HTTP, with two tenants."""

from __future__ import annotations

from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.identity.members import add_member


async def test_persons_of_a_company_with_one_primary(client, tenant_a):
    company = await create_customer(client, tenant_a, name="Công ty Hòa Bình")
    persons = f"{CUSTOMERS}/{company['id']}/persons"
    lan = await client.post(persons, headers=tenant_a.headers, json={
        "name": "Trần Thị Lan", "title": "Kế toán trưởng", "phones": [{"value": "0912345678"}],
        "emails": [{"value": "Lan@HoaBinh.vn"}], "primary": True})
    assert lan.status_code == 201, lan.text
    assert lan.json()["phones"] == [{"value": "+84912345678", "label": None, "primary": True}]
    assert lan.json()["emails"][0]["value"] == "lan@hoabinh.vn" and lan.json()["customer_id"] == company["id"]
    minh = await client.post(persons, headers=tenant_a.headers, json={"name": "Lê Minh", "title": "Giám đốc"})
    assert minh.status_code == 201 and minh.json()["primary"] is False

    second = await client.post(persons, headers=tenant_a.headers, json={"name": "Thứ hai", "primary": True})
    assert second.status_code == 409 and fields_at_fault(second) == ["primary"]
    promote = await client.patch(f"{persons}/{minh.json()['id']}", headers=tenant_a.headers, json={"primary": True})
    assert promote.status_code == 409

    # Unmark Lan, then Minh can be the primary one.
    assert (await client.patch(f"{persons}/{lan.json()['id']}", headers=tenant_a.headers,
                               json={"primary": False})).status_code == 200
    promoted = await client.patch(f"{persons}/{minh.json()['id']}", headers=tenant_a.headers,
                                  json={"primary": True, "title": "Tổng giám đốc"})
    assert promoted.status_code == 200 and promoted.json()["title"] == "Tổng giám đốc"
    listed = (await client.get(persons, headers=tenant_a.headers)).json()
    assert [(p["name"], p["primary"]) for p in listed] == [("Lê Minh", True), ("Trần Thị Lan", False)]

    two_phones = await client.patch(f"{persons}/{lan.json()['id']}", headers=tenant_a.headers, json={
        "phones": [{"value": "0912345678", "primary": True}, {"value": "0987654321", "primary": True}]})
    assert two_phones.status_code == 422 and fields_at_fault(two_phones) == ["phones[1].primary"]

    assert (await client.delete(f"{persons}/{lan.json()['id']}", headers=tenant_a.headers)).status_code == 204
    assert [p["name"] for p in (await client.get(persons, headers=tenant_a.headers)).json()] == ["Lê Minh"]


async def test_individuals_have_no_contact_persons(client, tenant_a):
    person = await create_customer(client, tenant_a, name="Nguyễn Văn An", kind="individual")
    refused = await client.post(f"{CUSTOMERS}/{person['id']}/persons", headers=tenant_a.headers,
                                json={"name": "Vợ anh An"})
    assert refused.status_code == 409


async def test_another_tenant_or_an_unseen_customer_gets_404(client, tenant_a, tenant_b):
    company = await create_customer(client, tenant_a, name="Công ty Bí Mật")
    persons = f"{CUSTOMERS}/{company['id']}/persons"
    person = (await client.post(persons, headers=tenant_a.headers, json={"name": "Người của A"})).json()
    one = f"{persons}/{person['id']}"
    assert (await client.get(persons, headers=tenant_b.headers)).status_code == 404
    assert (await client.post(persons, headers=tenant_b.headers, json={"name": "Chen ngang"})).status_code == 404
    assert (await client.patch(one, headers=tenant_b.headers, json={"name": "Đổi"})).status_code == 404
    assert (await client.delete(one, headers=tenant_b.headers)).status_code == 404
    # B's own company cannot reach A's person through its own customer id either.
    own = await create_customer(client, tenant_b, name="Công ty của B")
    assert (await client.patch(f"{CUSTOMERS}/{own['id']}/persons/{person['id']}", headers=tenant_b.headers,
                               json={"name": "Đổi"})).status_code == 404
    seller = await add_member(tenant_a, "salesperson", "Người bán khác")  # sees only their own customers
    assert (await client.get(persons, headers=seller.headers)).status_code == 404
    assert [p["name"] for p in (await client.get(persons, headers=tenant_a.headers)).json()] == ["Người của A"]
