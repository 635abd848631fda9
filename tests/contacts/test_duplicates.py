"""The duplicate engine over HTTP with two tenants: 409 by each rule and the confirm override, on create and
update; rules the tenant edits; tenants never see each other's matches; import matches through the engine;
the nightly scan stores pairs for review, and dismissing one keeps it dismissed."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import TenantUser
from tests.contacts.helpers import CUSTOMERS, create_customer
from tests.contacts.test_imports import csv_file, imported
from tests.identity.members import add_member
from tests.worker import run_for_each_tenant

RULES = "/api/contacts/v1/duplicate-rules"
DUPLICATES = "/api/contacts/v1/duplicates"
HANOI = [{"street": "1 Tràng Tiền", "province_code": "01"}]
SAIGON = [{"street": "1 Lê Lợi", "province_code": "79"}]


async def refused(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> dict[str, Any]:
    response = await client.post(CUSTOMERS, headers=user.headers | {"Accept-Language": "en"}, json=body)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["code"] == "duplicate" and problem["type"].endswith("/duplicate")
    assert problem["i18n"]["vi"]["detail"] and "confirm_duplicate" in problem["detail"]
    return problem


async def test_each_rule_answers_409_with_the_matches_unless_confirmed(client, tenant_a):
    first = await create_customer(client, tenant_a, name="Công ty Cổ phần Viettel", tax_code="0100109106",
                                  phone="0912 345 678", email="KeToan@Viettel.vn", addresses=HANOI)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"tax_code": "0100109106"}, ["tax_code"]),
        ({"phone": "+84 912.345.678"}, ["phone"]),
        ({"emails": [{"value": "other@x.vn"}, {"value": "ketoan@VIETTEL.vn"}]}, ["email"]),
        ({"name": "CONG TY CO PHAN VIETTEL", "addresses": HANOI}, ["name_province"]),
    ]
    for body, rules in cases:
        problem = await refused(client, tenant_a, **{"name": "Khác hẳn", **body})
        assert problem["matches"] == [{"id": first["id"], "code": first["code"], "name": first["name"],
                                       "rules": rules}], body
    # the same name in another province, a branch tax code: not duplicates
    await create_customer(client, tenant_a, name="Công ty Cổ phần Viettel", addresses=SAIGON)
    await create_customer(client, tenant_a, name="Chi nhánh", tax_code="0100109106-001")
    # several rules at once, listed together; confirmed, it is created
    problem = await refused(client, tenant_a, name="Viettel", tax_code="0100109106", phone="0912345678")
    assert [match["rules"] for match in problem["matches"]] == [["phone", "tax_code"]]
    confirmed = await create_customer(client, tenant_a, name="Viettel", tax_code="0100109106", confirm_duplicate=True)
    assert confirmed["tax_code"] == "0100109106"
    listed = (await client.get(CUSTOMERS, headers=tenant_a.headers, params={"q": "viettel"})).json()["items"]
    assert len(listed) == 3  # nothing written by the refused ones


async def test_an_update_that_makes_a_duplicate_is_refused_unless_confirmed(client, tenant_a):
    first = await create_customer(client, tenant_a, name="An Phát", email="ban.hang@anphat.vn")
    second = await create_customer(client, tenant_a, name="Bình Minh", phone="0987654321")
    url = f"{CUSTOMERS}/{second['id']}"
    response = await client.patch(url, headers=tenant_a.headers, json={"email": "Ban.Hang@AnPhat.vn"})
    assert response.status_code == 409, response.text
    assert [match["id"] for match in response.json()["matches"]] == [first["id"]]
    assert (await client.get(url, headers=tenant_a.headers)).json()["email"] is None
    # a change that keeps its own values is no duplicate of itself
    assert (await client.patch(url, headers=tenant_a.headers, json={"notes": "x", "phone": "0987 654 321"})
            ).status_code == 200
    response = await client.patch(url, headers=tenant_a.headers,
                                  json={"email": "ban.hang@anphat.vn", "confirm_duplicate": True})
    assert response.status_code == 200 and response.json()["email"] == "ban.hang@anphat.vn"
    # once confirmed, later changes of other fields are not refused again
    assert (await client.patch(url, headers=tenant_a.headers, json={"name": "Bình Minh 2"})).status_code == 200


async def test_rules_are_the_tenants_to_edit(client, tenant_a, tenant_b):
    rules = (await client.get(RULES, headers=tenant_a.headers)).json()
    assert [(rule["rule"], rule["enabled"]) for rule in rules] == [
        ("tax_code", True), ("phone", True), ("email", True), ("name_province", True)]
    assert all(rule["label_vi"] and rule["label_en"] for rule in rules)
    await create_customer(client, tenant_a, name="Số chung", phone="0912345678")
    response = await client.put(RULES, headers=tenant_a.headers, json={"rules": [{"rule": "phone", "enabled": False}]})
    assert response.status_code == 200, response.text
    assert {rule["rule"]: rule["enabled"] for rule in response.json()} == {
        "tax_code": True, "phone": False, "email": True, "name_province": True}
    await create_customer(client, tenant_a, name="Cùng số", phone="0912345678")  # no longer a duplicate
    # tenant B keeps its own rules
    await create_customer(client, tenant_b, name="Số của B", phone="0912345678")
    await refused(client, tenant_b, name="Lại số của B", phone="0912345678")
    bad = await client.put(RULES, headers=tenant_a.headers, json={"rules": [{"rule": "fax", "enabled": True}]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("rules")
    salesperson = await add_member(tenant_a, "salesperson")
    assert (await client.put(RULES, headers=salesperson.headers, json={"rules": []})).status_code == 403


async def test_tenants_never_match_each_other(client, tenant_a, tenant_b):
    await create_customer(client, tenant_a, name="Của A", tax_code="0100109106", email="a@a.vn")
    created = await create_customer(client, tenant_b, name="Của A", tax_code="0100109106", email="a@a.vn")
    assert created["tax_code"] == "0100109106"


async def test_import_matches_any_email_through_the_engine(client, stack, tenant_a):
    existing = await create_customer(client, tenant_a, name="Hai email",
                                     emails=[{"value": "chinh@x.vn"}, {"value": "phu@x.vn"}])
    job = await imported(client, stack, tenant_a, csv_file([["Tên", "Email"], ["Hai email mới", "PHU@x.vn"]]),
                         {"mapping": {"Tên": "name", "Email": "email"}, "match_on": "email",
                          "on_duplicate": "update"})
    assert (job["created"], job["updated"]) == (0, 1), job
    after = (await client.get(f"{CUSTOMERS}/{existing['id']}", headers=tenant_a.headers)).json()
    assert after["name"] == "Hai email mới"


async def test_the_nightly_scan_lists_pairs_and_dismissed_ones_stay_dismissed(client, stack, tenant_a, tenant_b):
    one = await create_customer(client, tenant_a, name="Hòa Bình", phone="0912000001")
    two = await create_customer(client, tenant_a, name="Hoà Bình (cũ)", phone="0912000001", confirm_duplicate=True)
    three = await create_customer(client, tenant_a, name="Hòa  Bình", addresses=HANOI)
    four = await create_customer(client, tenant_a, name="HOA BINH", addresses=HANOI, confirm_duplicate=True)
    await create_customer(client, tenant_a, name="Khác", phone="0912000002")
    await create_customer(client, tenant_b, name="B", phone="0912000001")
    run_for_each_tenant(stack, "services.contacts.jobs:scan_duplicates")
    pairs = (await client.get(DUPLICATES, headers=tenant_a.headers)).json()["items"]
    found = {frozenset((pair["customer_a"]["id"], pair["customer_b"]["id"])): pair["rules"] for pair in pairs}
    assert found == {frozenset((one["id"], two["id"])): ["phone"],
                     frozenset((three["id"], four["id"])): ["name_province"]}
    assert (await client.get(DUPLICATES, headers=tenant_b.headers)).json()["items"] == []
    phone_pair = next(pair for pair in pairs if pair["rules"] == ["phone"])
    assert (await client.post(f"{DUPLICATES}/{phone_pair['id']}/dismiss", headers=tenant_b.headers)).status_code == 404
    dismissed = await client.post(f"{DUPLICATES}/{phone_pair['id']}/dismiss", headers=tenant_a.headers)
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
    # the next night: the dismissed pair stays dismissed, a pair that no longer matches goes
    await client.patch(f"{CUSTOMERS}/{four['id']}", headers=tenant_a.headers, json={"addresses": SAIGON})
    run_for_each_tenant(stack, "services.contacts.jobs:scan_duplicates")
    assert (await client.get(DUPLICATES, headers=tenant_a.headers)).json()["items"] == []
    again = (await client.get(DUPLICATES, headers=tenant_a.headers, params={"status": "dismissed"})).json()["items"]
    assert [pair["id"] for pair in again] == [phone_pair["id"]]
