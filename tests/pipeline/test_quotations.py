"""Quotations over HTTP with two tenants: totals to the last đồng with a policy, revisions after a send and
their comparison, the PDF in Vietnamese, acceptance announced once, and expiry (on read and by the job)."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pypdf

from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer, fields_at_fault
from tests.pipeline.helpers import API, add_opportunity, default_stages
from tests.pipeline.sales import as_tenant, create_product, days, events, ok, run_periodic

CUSTOMER_NAME = "Công ty TNHH Hoà Bình Xanh"


async def quotation(client: httpx.AsyncClient, user: TenantUser, customer: dict[str, Any], **body: Any) -> Any:
    body = {"customer_id": customer["id"], "valid_until": days(30),
            "lines": [{"description": "Phí tư vấn", "quantity": 1, "unit_price": 1_000_000, "tax_percent": 10}],
            **body}
    return await ok(await client.post(f"{API}/quotations", headers=user.headers, json=body), 201)


async def send(client: httpx.AsyncClient, user: TenantUser, quotation_id: str, to: str = "mua-hang@hoabinh.vn") -> Any:
    return await ok(await client.post(f"{API}/quotations/{quotation_id}/send", headers=user.headers,
                                      json={"to": [to]}))


async def test_totals_to_the_last_dong_with_discounts_taxes_and_a_policy(client, tenant_a, tenant_b):
    dealers = await ok(await client.post("/api/contacts/v1/groups", headers=tenant_a.headers,
                                         json={"name": "Đại lý"}), 201)
    north = await ok(await client.post("/api/contacts/v1/groups", headers=tenant_a.headers,
                                       json={"name": "Đại lý miền Bắc", "parent_id": dealers["id"]}), 201)
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    await ok(await client.post(f"/api/contacts/v1/groups/{north['id']}/customers", headers=tenant_a.headers,
                               json={"customer_ids": [customer["id"]]}))
    purifier = await create_product(client, tenant_a, code="MLN-01", name="Máy lọc nước", list_price=1_234_567,
                                    tax_rate=10, category="may-loc")
    cartridge = await create_product(client, tenant_a, code="LOI-05", name="Lõi lọc số 5", unit="bộ",
                                     list_price=99_999, tax_rate=8)
    policies = [
        # The dealers' group (the customer is in a subgroup) on the category, from 2 units: 5 %.
        {"name": "Chiết khấu đại lý", "customer_group_id": dealers["id"], "category": "may-loc",
         "min_quantity": 2, "percent": 5},
        # Everyone, everything: 3 %. Same priority as the one above, which takes more, so it loses there.
        {"name": "Tri ân khách hàng", "percent": 3},
        # Would win on priority, but is not in force yet.
        {"name": "Khuyến mãi tháng sau", "percent": 50, "priority": 10, "valid_from": days(31)},
        # In force and the highest priority, but for 100 units or more.
        {"name": "Mua sỉ", "percent": 20, "priority": 10, "min_quantity": 100},
    ]
    ids = {}
    for policy in policies:
        created = await ok(await client.post(f"{API}/price-policies", headers=tenant_a.headers,
                                             json={"valid_from": days(0), **policy}), 201)
        ids[policy["name"]] = created["id"]

    body = await quotation(client, tenant_a, customer, lines=[
        {"product_id": purifier["id"], "quantity": 3, "discount_percent": 2.5},
        {"product_id": cartridge["id"], "quantity": "1.5"},
        {"description": "Phí lắp đặt", "quantity": 1, "unit_price": 500_000, "discount_percent": 10,
         "tax_percent": 10},
    ])
    assert body["number"].startswith("BG") and len(body["number"]) == 8
    assert (body["customer_name"], body["state"], body["revision"], body["currency"]) == (
        CUSTOMER_NAME, "draft", 1, "VND")
    # By hand, each step rounded half-up to a đồng:
    # 1) 3 × 1,234,567 = 3,703,701; dealers' 5 % = 185,185.05 → 185,185; 2.5 % of 3,518,516 = 87,962.9 → 87,963;
    #    net 3,430,553; VAT 10 % = 343,055.3 → 343,055; total 3,773,608.
    # 2) 1.5 × 99,999 = 149,998.5 → 149,999; everyone's 3 % = 4,499.97 → 4,500; net 145,499;
    #    8 % = 11,639.92 → 11,640; total 157,139.
    # 3) 500,000; no policy on a line without a product; 10 % = 50,000; net 450,000; tax 45,000; total 495,000.
    expected = [
        (3_703_701, "Chiết khấu đại lý", 185_185, 87_963, 3_430_553, 343_055, 3_773_608),
        (149_999, "Tri ân khách hàng", 4_500, 0, 145_499, 11_640, 157_139),
        (500_000, None, 0, 50_000, 450_000, 45_000, 495_000),
    ]
    assert [(line["gross"], line["policy"] and line["policy"]["name"], line["policy"]["amount"] if line["policy"]
             else 0, line["discount"], line["net"], line["tax"], line["total"]) for line in body["lines"]] == expected
    assert body["lines"][0]["policy"]["id"] == ids["Chiết khấu đại lý"]
    assert (body["lines"][1]["unit_price"], body["lines"][1]["tax_percent"], body["lines"][1]["unit"]) == (
        99_999, "8.00", "bộ")
    assert {key: body[key] for key in ("subtotal", "discount_total", "untaxed_total", "tax_total", "total")} == {
        "subtotal": 4_353_700, "discount_total": 327_648, "untaxed_total": 4_026_052, "tax_total": 399_695,
        "total": 4_425_747}

    # Tenant B sees none of it.
    quotation_id = body["id"]
    for method, path, json_body in (("GET", "", None), ("PATCH", "", {"notes": "x"}),
                                    ("POST", "/send", {"to": ["a@b.vn"]}), ("POST", "/accept", None),
                                    ("GET", "/pdf", None), ("GET", "/revisions", None),
                                    ("GET", "/compare?from=1&to=1", None), ("GET", "/sends", None)):
        response = await client.request(method, f"{API}/quotations/{quotation_id}{path}", headers=tenant_b.headers,
                                        json=json_body)
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get(f"{API}/quotations", headers=tenant_b.headers)).json()["items"] == []
    other = await create_customer(client, tenant_b, name="Khách của B")
    response = await client.post(f"{API}/quotations", headers=tenant_b.headers, json={
        "customer_id": other["id"], "valid_until": days(5),
        "lines": [{"product_id": purifier["id"], "quantity": 1}]})
    assert fields_at_fault(response) == ["lines[0].product_id"]


async def test_bad_quotation_input_names_the_field(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Khách lẻ")
    usd = await create_product(client, tenant_a, currency="USD", list_price=1999)
    line = {"description": "Dịch vụ", "quantity": 1, "unit_price": 1}
    for body, fields in (
            ({"lines": [{**line, "quantity": 0}]}, ["lines[0].quantity"]),
            ({"lines": [line, {**line, "discount_percent": 120}]}, ["lines[1].discount_percent"]),
            ({"lines": [{"quantity": 1, "unit_price": 5}]}, ["lines[0].description"]),
            ({"lines": [{"product_id": usd["id"], "quantity": 1}]}, ["lines[0].unit_price"]),
            ({"lines": [{"product_id": str(uuid.uuid4()), "quantity": 1}]}, ["lines[0].product_id"]),
            ({"valid_until": days(-1)}, ["valid_until"]),
            ({"customer_id": None}, ["customer_id"]),
            ({"customer_id": str(uuid.uuid4())}, ["customer_id"]),
            ({"lines": []}, ["lines"]),
            ({"lines": [{**line, "quantity": "ba"}]}, ["lines[0].quantity"])):
        response = await client.post(f"{API}/quotations", headers=tenant_a.headers, json={
            "customer_id": customer["id"], "valid_until": days(3), "lines": [line], **body})
        assert response.status_code == 422, (body, response.text)
        assert fields_at_fault(response) == fields, body
    assert (await client.get(f"{API}/quotations", headers=tenant_a.headers)).json()["items"] == []  # nothing half-made


async def test_edit_after_send_makes_a_revision_and_revisions_compare(client, tenant_a, owner_conn):
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    product = await create_product(client, tenant_a, code="DV-01", name="Bảo trì", list_price=300_000)
    body = await quotation(client, tenant_a, customer, lines=[
        {"product_id": product["id"], "quantity": 2}, {"description": "Vận chuyển", "quantity": 1,
                                                       "unit_price": 50_000}])
    path = f"{API}/quotations/{body['id']}"
    # Before the first send an edit stays in revision 1.
    edited = await ok(await client.patch(path, headers=tenant_a.headers, json={"notes": "Giá đã gồm VAT"}))
    assert (edited["revision"], edited["notes"]) == (1, "Giá đã gồm VAT")
    assert len(await ok(await client.get(f"{path}/revisions", headers=tenant_a.headers))) == 1

    sent = await send(client, tenant_a, body["id"])
    assert (sent["state"], sent["send_count"], sent["revision"]) == ("sent", 1, 1)
    revised = await ok(await client.patch(path, headers=tenant_a.headers, json={"lines": [
        {"product_id": product["id"], "quantity": 3}, {"description": "Lắp đặt", "quantity": 1,
                                                       "unit_price": 200_000}]}))
    assert (revised["state"], revised["revision"], revised["total"]) == ("draft", 2, 1_100_000)
    again = await send(client, tenant_a, body["id"], "giam-doc@hoabinh.vn")
    assert (again["state"], again["send_count"], again["revision"]) == ("sent", 2, 2)
    third = await ok(await client.patch(path, headers=tenant_a.headers, json={"valid_until": days(45)}))
    assert third["revision"] == 3

    revisions = await ok(await client.get(f"{path}/revisions", headers=tenant_a.headers))
    assert [(r["revision"], r["total"]) for r in revisions] == [(1, 650_000), (2, 1_100_000), (3, 1_100_000)]
    first = await ok(await client.get(f"{path}/revisions/1", headers=tenant_a.headers))
    assert [line["quantity"] for line in first["lines"]] == ["2", "1"]
    comparison = await ok(await client.get(f"{path}/compare", headers=tenant_a.headers,
                                           params={"from": 1, "to": 2}))
    assert (comparison["total_before"], comparison["total_after"]) == (650_000, 1_100_000)
    assert [(c["change"], c["key"], c["fields"]) for c in comparison["lines"]] == [
        ("changed", "DV-01", ["quantity", "total"]), ("removed", "Vận chuyển", []), ("added", "Lắp đặt", [])]
    missing = await client.get(f"{path}/compare", headers=tenant_a.headers, params={"from": 1, "to": 9})
    assert missing.status_code == 404
    assert fields_at_fault(missing) == ["to"]

    sends = await ok(await client.get(f"{path}/sends", headers=tenant_a.headers))
    assert [(s["revision"], s["recipients"]) for s in sends] == [
        (1, ["mua-hang@hoabinh.vn"]), (2, ["giam-doc@hoabinh.vn"])]
    assert all(s["sent_by"] for s in sends)
    mails = await owner_conn.fetch("SELECT to_address, subject FROM mail_outbox WHERE to_address = ANY($1) "
                                   "ORDER BY created_at", ["mua-hang@hoabinh.vn", "giam-doc@hoabinh.vn"])
    assert [row["subject"] for row in mails][-2:] == [f"Báo giá {body['number']} từ Công ty An Phát"] * 2


async def test_the_pdf_opens_and_reads_in_vietnamese(client, tenant_a):
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    body = await quotation(client, tenant_a, customer, notes="Bảo hành 24 tháng, giao hàng tận nơi")
    await send(client, tenant_a, body["id"])
    download = await ok(await client.get(f"{API}/quotations/{body['id']}/pdf", headers=tenant_a.headers))
    assert download["file_name"] == f"{body['number']}-r1.pdf"
    pdf = await client.get(download["url"])
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (CUSTOMER_NAME, body["number"], "Phí tư vấn", "1.100.000 ₫", "Bảo hành 24 tháng"):
        assert expected in text, (expected, text)


async def test_a_bundle_is_priced_as_one_line_and_lists_its_parts_on_the_quotation_and_its_pdf(client, tenant_a):
    printer = await create_product(client, tenant_a, code="MI-01", name="Máy in laser", list_price=3_000_000)
    toner = await create_product(client, tenant_a, code="MUC-01", name="Hộp mực đen", list_price=400_000)
    bundle = await create_product(client, tenant_a, code="BO-IN", name="Bộ máy in văn phòng", list_price=3_500_000,
                                  tax_rate="10")
    await ok(await client.put(f"{API}/products/{bundle['id']}/components", headers=tenant_a.headers,
                              json=[{"product_id": printer["id"], "quantity": "1"},
                                    {"product_id": toner["id"], "quantity": "2"}]))
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    body = await quotation(client, tenant_a, customer, lines=[{"product_id": bundle["id"], "quantity": 3}])
    [line] = body["lines"]
    assert (line["unit_price"], line["total"]) == (3_500_000, 11_550_000)  # one price for the bundle
    assert [(p["code"], p["name"], Decimal(p["quantity"])) for p in line["parts"]] == [
        ("MI-01", "Máy in laser", Decimal(3)), ("MUC-01", "Hộp mực đen", Decimal(6))]  # per line: 3 bundles
    await send(client, tenant_a, body["id"])
    download = await ok(await client.get(f"{API}/quotations/{body['id']}/pdf", headers=tenant_a.headers))
    pdf = await client.get(download["url"])
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("BO-IN", "3 × MI-01 Máy in laser", "6 × MUC-01 Hộp mực đen", "11.550.000 ₫"):
        assert expected in text, (expected, text)


async def test_accepting_announces_once_and_decisions_are_final(client, tenant_a, owner_conn):
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    body = await quotation(client, tenant_a, customer)
    path = f"{API}/quotations/{body['id']}"
    early = await client.post(f"{path}/accept", headers=tenant_a.headers)
    assert early.status_code == 409  # a draft has not been offered yet
    await send(client, tenant_a, body["id"])
    accepted = await ok(await client.post(f"{path}/accept", headers=tenant_a.headers))
    assert accepted["state"] == "accepted" and accepted["decided_at"]
    for method, suffix, json_body in (("POST", "/accept", None), ("POST", "/reject", {}),
                                      ("PATCH", "", {"notes": "x"}), ("POST", "/send", {"to": ["a@b.vn"]})):
        response = await client.request(method, f"{path}{suffix}", headers=tenant_a.headers, json=json_body)
        assert response.status_code == 409, (suffix, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    announced = [event for event in await events(owner_conn, tenant_a, "quotation.accepted")
                 if event["id"] == body["id"]]
    assert len(announced) == 1
    assert (announced[0]["total"], announced[0]["customer_name"]) == (1_100_000, CUSTOMER_NAME)
    assert [(line["description"], line["quantity"], line["net"]) for line in announced[0]["lines"]] == [
        ("Phí tư vấn", "1", 1_000_000)]

    rejected = await quotation(client, tenant_a, customer)
    await send(client, tenant_a, rejected["id"])
    answer = await ok(await client.post(f"{API}/quotations/{rejected['id']}/reject", headers=tenant_a.headers,
                                        json={"reason": "Giá cao"}))
    assert (answer["state"], answer["rejection_reason"]) == ("rejected", "Giá cao")
    assert [e["id"] for e in await events(owner_conn, tenant_a, "quotation.rejected")] == [rejected["id"]]


async def test_sent_quotations_expire_on_read_and_by_the_job_once(client, stack, tenant_a, tenant_b, owner_conn):
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    on_read, by_job, draft = [await quotation(client, tenant_a, customer) for _ in range(3)]
    b_customer = await create_customer(client, tenant_b, name="Khách B")
    b_quotation = await quotation(client, tenant_b, b_customer)
    for item, user in ((on_read, tenant_a), (by_job, tenant_a), (b_quotation, tenant_b)):
        await send(client, user, item["id"])
    past = [uuid.UUID(item["id"]) for item in (on_read, by_job, draft)]
    await as_tenant(owner_conn, tenant_a)
    await owner_conn.execute("UPDATE quotation SET valid_until = current_date - 2 WHERE id = ANY($1)", past)

    read = await ok(await client.get(f"{API}/quotations/{on_read['id']}", headers=tenant_a.headers))
    assert read["state"] == "expired"
    run_periodic(stack, "services.pipeline.jobs:expire_quotations")
    states = [(await ok(await client.get(f"{API}/quotations/{item['id']}", headers=user.headers)))["state"]
              for item, user in ((on_read, tenant_a), (by_job, tenant_a), (draft, tenant_a), (b_quotation, tenant_b))]
    assert states == ["expired", "expired", "draft", "sent"]  # a draft was never offered; B's is still valid
    expired = [event["id"] for event in await events(owner_conn, tenant_a, "quotation.expired")]
    assert sorted(expired) == sorted([on_read["id"], by_job["id"]])

    run_periodic(stack, "services.pipeline.jobs:expire_quotations")  # the second run changes nothing
    assert len(await events(owner_conn, tenant_a, "quotation.expired")) == 2
    refused = await client.post(f"{API}/quotations/{by_job['id']}/accept", headers=tenant_a.headers)
    assert refused.status_code == 409


async def test_a_quotation_too_long_for_one_event_is_accepted_and_says_its_lines_are_omitted(client, tenant_a,
                                                                                            owner_conn):
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    lines = [{"description": f"Hạng mục {n}: " + "thi công lắp đặt hệ thống lọc nước " * 10, "quantity": 1,
              "unit_price": 10_000} for n in range(80)]
    body = await quotation(client, tenant_a, customer, lines=lines)
    await send(client, tenant_a, body["id"])
    await ok(await client.post(f"{API}/quotations/{body['id']}/accept", headers=tenant_a.headers))
    [event] = [event for event in await events(owner_conn, tenant_a, "quotation.accepted") if event["id"] == body["id"]]
    assert (event["lines"], event["lines_omitted"], event["total"]) == ([], True, 800_000)


async def test_a_quotation_from_an_opportunity_carries_it_over_and_accepting_wins_it(client, tenant_a, tenant_b,
                                                                                     owner_conn):
    await default_stages(client, tenant_a)
    customer = await create_customer(client, tenant_a, name=CUSTOMER_NAME)
    person = await ok(await client.post(f"/api/contacts/v1/customers/{customer['id']}/persons",
                                        headers=tenant_a.headers, json={"name": "Chị Nguyễn Thị Hoà"}), 201)
    opportunity = await add_opportunity(client, tenant_a, name="Lọc nước cho nhà máy", customer_id=customer["id"],
                                        contact_person_id=person["id"], expected_revenue=50_000_000)
    body = await quotation(client, tenant_a, customer, customer_id=None, opportunity_id=opportunity["id"])
    assert (body["opportunity_id"], body["customer_id"], body["customer_name"], body["contact_person_id"]) == (
        opportunity["id"], customer["id"], CUSTOMER_NAME, person["id"])
    listed = await ok(await client.get(f"{API}/quotations", headers=tenant_a.headers,
                                       params={"opportunity_id": opportunity["id"]}))
    assert [item["id"] for item in listed["items"]] == [body["id"]]

    await send(client, tenant_a, body["id"])
    await ok(await client.post(f"{API}/quotations/{body['id']}/accept", headers=tenant_a.headers))
    won = await ok(await client.get(f"{API}/opportunities/{opportunity['id']}", headers=tenant_a.headers))
    assert (won["state"], won["probability"]) == ("won", 100)
    assert [event["id"] for event in await events(owner_conn, tenant_a, "quotation.accepted")] == [body["id"]]
    assert [event["id"] for event in await events(owner_conn, tenant_a, "opportunity.won")] == [opportunity["id"]]
    again = await client.post(f"{API}/quotations/{body['id']}/accept", headers=tenant_a.headers)
    assert again.status_code == 409
    assert len(await events(owner_conn, tenant_a, "quotation.accepted")) == 1

    # A won opportunity, a lead without a customer, another tenant's opportunity, another customer: refused.
    lead = await add_opportunity(client, tenant_a, kind="lead", name="Khách vãng lai")
    other = await create_customer(client, tenant_a, name="Công ty khác")
    b_customer = await create_customer(client, tenant_b, name="Khách B")
    for user, fields, field in ((tenant_a, {"opportunity_id": opportunity["id"]}, "opportunity_id"),
                                (tenant_a, {"opportunity_id": lead["id"]}, "opportunity_id"),
                                (tenant_b, {"opportunity_id": opportunity["id"], "customer_id": b_customer["id"]},
                                 "opportunity_id")):
        response = await client.post(f"{API}/quotations", headers=user.headers, json={
            "valid_until": days(5), "lines": [{"description": "X", "quantity": 1, "unit_price": 1}], **fields})
        assert fields_at_fault(response) == [field], fields
    fresh = await add_opportunity(client, tenant_a, name="Cơ hội mới", customer_id=customer["id"])
    mismatch = await client.post(f"{API}/quotations", headers=tenant_a.headers, json={
        "opportunity_id": fresh["id"], "customer_id": other["id"], "valid_until": days(5),
        "lines": [{"description": "X", "quantity": 1, "unit_price": 1}]})
    assert fields_at_fault(mismatch) == ["customer_id"]
