"""Partner profiles, their hierarchy and status, and the customer parent/subsidiary tree, with two tenants."""

from __future__ import annotations

from tests.contacts.helpers import create_customer, fields_at_fault
from tests.partners.helpers import API, events_of, new_partner


async def test_a_customer_becomes_a_dealer_once_and_tenant_b_sees_nothing(client, app_conn, tenant_a, tenant_b):
    dealer = await new_partner(client, tenant_a, "Đại lý Minh Châu", tier="gold")
    assert (dealer["kind"], dealer["tier"], dealer["status"]) == ("dealer", "gold", "applied")
    assert dealer["customer_name"] == "Đại lý Minh Châu"
    again = await client.post(f"{API}/partners", headers=tenant_a.headers,
                              json={"customer_id": dealer["customer_id"], "kind": "collaborator"})
    assert again.status_code == 409 and fields_at_fault(again) == ["customer_id"]
    assert (await client.get(f"{API}/partners/{dealer['id']}", headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{API}/partners", headers=tenant_b.headers)).json()["items"] == []
    foreign = await client.post(f"{API}/partners", headers=tenant_b.headers,
                                json={"customer_id": dealer["customer_id"], "kind": "dealer"})
    assert foreign.status_code == 422 and fields_at_fault(foreign) == ["customer_id"]
    created = await events_of(app_conn, tenant_a.tenant_id, "partner.created")
    assert [event["id"] for event in created] == [dealer["id"]]


async def test_status_follows_its_transitions_and_each_change_is_an_event(client, app_conn, tenant_a):
    partner = await new_partner(client, tenant_a, "CTV Lê Thị Hoa", kind="collaborator")
    url = f"{API}/partners/{partner['id']}"
    for status in ("active", "suspended", "active", "ended"):
        response = await client.patch(url, headers=tenant_a.headers, json={"status": status})
        assert response.status_code == 200, response.text
    back = await client.patch(url, headers=tenant_a.headers, json={"status": "active"})
    assert back.status_code == 409 and fields_at_fault(back) == ["status"]
    changes = await events_of(app_conn, tenant_a.tenant_id, "partner.status_changed")
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("applied", "active"), ("active", "suspended"), ("suspended", "active"), ("active", "ended")]


async def test_hierarchy_dealer_sub_dealer_collaborator_refuses_cycles(client, tenant_a):
    dealer = await new_partner(client, tenant_a, "Đại lý cấp 1")
    sub = await new_partner(client, tenant_a, "Đại lý cấp 2", parent_id=dealer["id"])
    helper = await new_partner(client, tenant_a, "CTV Trần Văn Bình", kind="collaborator", parent_id=sub["id"])
    under_collaborator = await client.post(f"{API}/partners", headers=tenant_a.headers, json={
        "customer_id": (await create_customer(client, tenant_a, name="Khác"))["id"], "kind": "collaborator",
        "parent_id": helper["id"]})
    assert under_collaborator.status_code == 422 and fields_at_fault(under_collaborator) == ["parent_id"]
    cycle = await client.patch(f"{API}/partners/{dealer['id']}", headers=tenant_a.headers,
                               json={"parent_id": sub["id"]})
    assert cycle.status_code == 422 and cycle.json()["errors"][0]["code"] == "cycle"
    tree = (await client.get(f"{API}/partners/{dealer['id']}/tree", headers=tenant_a.headers)).json()
    assert [(node["name"], node["depth"]) for node in tree] == [
        ("Đại lý cấp 1", 0), ("Đại lý cấp 2", 1), ("CTV Trần Văn Bình", 2)]
    listed = (await client.get(f"{API}/partners", headers=tenant_a.headers, params={"parent_id": sub["id"]})).json()
    assert [p["id"] for p in listed["items"]] == [helper["id"]]


async def test_bad_input_names_the_field(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Sai dữ liệu")
    wrong_kind = await client.post(f"{API}/partners", headers=tenant_a.headers,
                                   json={"customer_id": customer["id"], "kind": "reseller"})
    assert wrong_kind.status_code == 422 and fields_at_fault(wrong_kind) == ["kind"]
    unknown_territory = await client.post(f"{API}/partners", headers=tenant_a.headers, json={
        "customer_id": customer["id"], "kind": "dealer", "territory_ids": ["0190aaaa-0000-7000-8000-000000000000"]})
    assert fields_at_fault(unknown_territory) == ["territory_ids[0]"]
    not_json = await client.post(f"{API}/partners", headers={**tenant_a.headers, "content-type": "application/json"},
                                 content=b"{not json")
    assert not_json.status_code == 400


async def test_customer_subsidiaries_roll_up_revenue_and_debt(client, tenant_a, tenant_b):
    parent = await create_customer(client, tenant_a, name="Tập đoàn Sao Mai")
    child = await create_customer(client, tenant_a, name="Công ty con Sao Mai Miền Nam")
    grandchild = await create_customer(client, tenant_a, name="Chi nhánh Cần Thơ")
    for customer, above in ((child, parent), (grandchild, child)):
        response = await client.put(f"{API}/accounts/{customer['id']}/parent", headers=tenant_a.headers,
                                    json={"parent_customer_id": above["id"]})
        assert response.status_code == 200, response.text
    cycle = await client.put(f"{API}/accounts/{parent['id']}/parent", headers=tenant_a.headers,
                             json={"parent_customer_id": grandchild["id"]})
    assert cycle.status_code == 422 and fields_at_fault(cycle) == ["parent_customer_id"]
    postings = ((parent, 1_000_000, 400_000), (child, 2_500_000, 0), (grandchild, 700_000, 700_000))
    for customer, invoice, paid in postings:
        for kind, amount in (("invoice", invoice), ("payment", paid)):
            if amount:
                posted = await client.post(f"{API}/ledger", headers=tenant_a.headers, json={
                    "customer_id": customer["id"], "kind": kind, "reference": f"{kind}-{customer['id']}",
                    "amount": amount, "document_date": "2026-11-02"})
                assert posted.status_code == 201, posted.text
    whole = (await client.get(f"{API}/accounts/{parent['id']}/roll-up", headers=tenant_a.headers)).json()
    assert (whole["revenue"], whole["debt"]) == (4_200_000, 3_100_000)
    alone = (await client.get(f"{API}/accounts/{parent['id']}/roll-up", headers=tenant_a.headers,
                              params={"include_children": "false"})).json()
    assert (alone["revenue"], alone["debt"]) == (1_000_000, 600_000)
    assert (await client.get(f"{API}/accounts/{parent['id']}/tree", headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{API}/accounts/{parent['id']}/roll-up", headers=tenant_b.headers)).status_code == 404


async def test_partner_attributes_come_from_the_shared_engine(client, tenant_a, tenant_b):
    defined = await client.post(f"{API}/attributes", headers=tenant_a.headers, json={
        "key": "kenh_phan_phoi", "label_vi": "Kênh phân phối", "label_en": "Channel", "type": "select",
        "options": [{"value": "si", "label_vi": "Sỉ", "label_en": "Wholesale"},
                    {"value": "le", "label_vi": "Lẻ", "label_en": "Retail"}]})
    assert defined.status_code == 201, defined.text
    assert (await client.get("/api/contacts/v1/attributes", headers=tenant_a.headers)).json() == []
    dealer = await new_partner(client, tenant_a, "Đại lý Thuộc Tính", attributes={"kenh_phan_phoi": "si"})
    assert dealer["attributes"] == {"kenh_phan_phoi": "si"}
    wrong = await client.patch(f"{API}/partners/{dealer['id']}", headers=tenant_a.headers,
                               json={"attributes": {"kenh_phan_phoi": "online"}})
    assert wrong.status_code == 422 and fields_at_fault(wrong) == ["attributes.kenh_phan_phoi"]
    customer_side = await create_customer(client, tenant_a, name="Không phải đối tác")
    unknown = await client.patch(f"/api/contacts/v1/customers/{customer_side['id']}", headers=tenant_a.headers,
                                 json={"attributes": {"kenh_phan_phoi": "si"}})
    assert unknown.status_code == 422  # a partner attribute is not a customer attribute
    removed = await client.delete(f"{API}/attributes/{defined.json()['id']}", headers=tenant_a.headers)
    assert removed.json() == {"key": "kenh_phan_phoi", "records_affected": 1}
    after = (await client.get(f"{API}/partners/{dealer['id']}", headers=tenant_a.headers)).json()
    assert after["attributes"] == {}
    assert (await client.get(f"{API}/attributes", headers=tenant_b.headers)).json() == []
