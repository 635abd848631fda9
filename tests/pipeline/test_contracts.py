"""Contracts over HTTP with two tenants: from an accepted quotation or standalone, the allowed transitions, the
signed PDF's versions in S3, renewal reminders sent once, and expiry run twice."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer, fields_at_fault
from tests.identity.members import add_member
from tests.pipeline.helpers import API
from tests.pipeline.sales import as_tenant, days, events, ok, run_periodic

PDF = b"%PDF-1.7\n% hop dong da ky\n"


async def contract(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> Any:
    if "quotation_id" not in body and "customer_id" not in body:
        body["customer_id"] = (await create_customer(client, user, name="Công ty TNHH Hoà Bình Xanh"))["id"]
    body = {"title": "Hợp đồng bảo trì", "value": 120_000_000, "currency": "VND", "start_date": days(0),
            "end_date": days(365), **body}
    return await ok(await client.post(f"{API}/contracts", headers=user.headers, json=body), 201)


async def step(client: httpx.AsyncClient, user: TenantUser, contract_id: str, action: str,
               **body: Any) -> httpx.Response:
    return await client.post(f"{API}/contracts/{contract_id}/{action}", headers=user.headers, json=body or None)


async def test_a_contract_from_an_accepted_quotation_carries_it_over(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Công ty Cổ phần Sông Hồng")
    quotation = await ok(await client.post(f"{API}/quotations", headers=tenant_a.headers, json={
        "customer_id": customer["id"], "valid_until": days(10),
        "lines": [{"description": "Lắp đặt", "quantity": 2, "unit_price": 2_500_000, "tax_percent": 10}]}), 201)
    refused = await client.post(f"{API}/contracts", headers=tenant_a.headers, json={
        "quotation_id": quotation["id"], "start_date": days(0), "end_date": days(30)})
    assert fields_at_fault(refused) == ["quotation_id"]  # not accepted yet
    await ok(await client.post(f"{API}/quotations/{quotation['id']}/send", headers=tenant_a.headers,
                               json={"to": ["ke-toan@songhong.vn"]}))
    await ok(await client.post(f"{API}/quotations/{quotation['id']}/accept", headers=tenant_a.headers))
    body = await contract(client, tenant_a, quotation_id=quotation["id"], title=None, value=None, currency=None)
    assert body["number"].startswith("HD")
    assert (body["customer_id"], body["customer_name"], body["value"], body["currency"], body["state"]) == (
        customer["id"], "Công ty Cổ phần Sông Hồng", 5_500_000, "VND", "draft")
    assert body["title"] == f"Hợp đồng theo báo giá {quotation['number']}"


async def test_transitions_are_enforced_and_announced(client, tenant_a, tenant_b, owner_conn):
    body = await contract(client, tenant_a)
    contract_id = body["id"]
    for action in ("sign", "activate"):  # a draft is neither signed nor active yet
        response = await step(client, tenant_a, contract_id, action)
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    for action, state in (("send", "sent"), ("sign", "signed"), ("activate", "active")):
        assert (await ok(await step(client, tenant_a, contract_id, action)))["state"] == state
    assert (await step(client, tenant_a, contract_id, "send")).status_code == 409
    edited = await client.patch(f"{API}/contracts/{contract_id}", headers=tenant_a.headers, json={"value": 1})
    assert edited.status_code == 409  # the terms of an active contract are fixed
    extended = await ok(await client.patch(f"{API}/contracts/{contract_id}", headers=tenant_a.headers,
                                           json={"end_date": days(400)}))
    assert extended["end_date"] == days(400)
    ended = await ok(await step(client, tenant_a, contract_id, "terminate", reason="Khách chuyển địa điểm"))
    assert (ended["state"], ended["termination_reason"]) == ("terminated", "Khách chuyển địa điểm")
    assert (await step(client, tenant_a, contract_id, "terminate", reason="lần nữa")).status_code == 409
    for event_type in ("contract.created", "contract.signed", "contract.activated", "contract.terminated"):
        assert [event["id"] for event in await events(owner_conn, tenant_a, event_type)] == [contract_id], event_type

    for method, path in (("GET", ""), ("POST", "/send"), ("GET", "/documents"), ("GET", "/documents/1")):
        response = await client.request(method, f"{API}/contracts/{contract_id}{path}", headers=tenant_b.headers)
        assert response.status_code == 404, (path, response.text)
    assert (await client.get(f"{API}/contracts", headers=tenant_b.headers)).json()["items"] == []


async def test_bad_contract_input_names_the_field(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Khách lẻ")
    base = {"customer_id": customer["id"], "title": "HĐ", "value": 1, "currency": "VND", "start_date": days(0),
            "end_date": days(10)}
    for body, fields in (({"end_date": days(-1)}, ["end_date"]), ({"value": None, "title": None}, ["value", "title"]),
                         ({"currency": "vnd"}, ["currency"]), ({"renewal_notice_days": 0}, ["renewal_notice_days"]),
                         ({"customer_id": str(uuid.uuid4())}, ["customer_id"]),
                         ({"quotation_id": str(uuid.uuid4())}, ["quotation_id"]),
                         ({"start_date": "31/12/2026"}, ["start_date"])):
        response = await client.post(f"{API}/contracts", headers=tenant_a.headers, json={**base, **body})
        assert response.status_code == 422, (body, response.text)
        assert fields_at_fault(response) == fields, body
    body = await contract(client, tenant_a)
    terminate = await step(client, tenant_a, body["id"], "terminate")
    assert terminate.status_code in (400, 422), terminate.text  # a reason is required


async def test_signed_pdf_versions_are_kept_in_s3(client, tenant_a, tenant_b):
    body = await contract(client, tenant_a)
    path = f"{API}/contracts/{body['id']}/documents"
    for version, content in ((1, PDF), (2, PDF + b"% ban sua\n")):
        uploaded = await ok(await client.post(path, headers={**tenant_a.headers, "X-File-Name": f"hd-v{version}.pdf",
                                                             "Content-Type": "application/pdf"}, content=content), 201)
        assert (uploaded["version"], uploaded["size"]) == (version, len(content))
    not_pdf = await client.post(path, headers={**tenant_a.headers, "X-File-Name": "x.docx"}, content=b"PK\x03\x04")
    assert not_pdf.status_code == 422
    assert fields_at_fault(not_pdf) == ["body"]
    stranger = await client.post(path, headers={**tenant_b.headers, "X-File-Name": "x.pdf"}, content=PDF)
    assert stranger.status_code == 404
    listed = await ok(await client.get(path, headers=tenant_a.headers))
    assert [(item["version"], item["file_name"]) for item in listed] == [(1, "hd-v1.pdf"), (2, "hd-v2.pdf")]
    for version, content in ((1, PDF), (2, PDF + b"% ban sua\n")):
        download = await ok(await client.get(f"{path}/{version}", headers=tenant_a.headers))
        assert f"tenants/{tenant_a.tenant_id}/contracts/{body['id']}/v{version}.pdf" in download["url"]
        assert (await client.get(download["url"])).content == content
    assert (await client.get(f"{path}/3", headers=tenant_a.headers)).status_code == 404


async def test_renewal_reminders_go_once_and_ended_contracts_expire_once(client, stack, mailbox, tenant_a, tenant_b,
                                                                         owner_conn):
    async def running(user: TenantUser, **body: Any) -> Any:
        created = await contract(client, user, **body)
        for action in ("send", "sign", "activate"):
            await ok(await step(client, user, created["id"], action))
        return created

    due = await running(tenant_a, end_date=days(20), renewal_notice_days=30)
    not_yet = await running(tenant_a, end_date=days(60), renewal_notice_days=30)
    ended = await running(tenant_a, start_date=days(-400), end_date=days(-1))
    b_due = await running(tenant_b, end_date=days(5), renewal_notice_days=7)
    starting = await contract(client, tenant_a, start_date=days(-1), end_date=days(200))
    for action in ("send", "sign"):
        await ok(await step(client, tenant_a, starting["id"], action))
    future = await contract(client, tenant_a, start_date=days(5), end_date=days(200))
    for action in ("send", "sign"):
        await ok(await step(client, tenant_a, future["id"], action))

    for _ in range(2):  # the second run sends nothing and changes nothing
        run_periodic(stack, "services.pipeline.jobs:contracts_daily")
        reminded = [event["id"] for event in await events(owner_conn, tenant_a, "contract.renewal_due")]
        assert reminded == [due["id"]]
        assert [event["id"] for event in await events(owner_conn, tenant_b, "contract.renewal_due")] == [b_due["id"]]
        assert [event["id"] for event in await events(owner_conn, tenant_a, "contract.expired")] == [ended["id"]]
        activated = [event["id"] for event in await events(owner_conn, tenant_a, "contract.activated")]
        assert activated.count(starting["id"]) == 1 and future["id"] not in activated
        mails = [m for m in mailbox.to(tenant_a.email) if due["number"] in m["Subject"]]
        assert len(mails) == 1
        assert "Công ty TNHH Hoà Bình Xanh" in mails[0].get_content()
    states = [(await ok(await client.get(f"{API}/contracts/{item['id']}", headers=tenant_a.headers)))["state"]
              for item in (due, not_yet, ended, starting, future)]
    assert states == ["active", "active", "expired", "active", "signed"]
    await as_tenant(owner_conn, tenant_a)
    recorded = await owner_conn.fetch("SELECT contract, end_date FROM contract_renewal_reminder")
    assert [(str(row["contract"]), row["end_date"].isoformat()) for row in recorded] == [(due["id"], days(20))]


async def test_a_salesperson_sees_their_own_quotations_and_contracts(client, tenant_a):
    seller, colleague = await add_member(tenant_a, "salesperson"), await add_member(tenant_a, "salesperson")
    customer = await create_customer(client, seller, name="Công ty TNHH Hoà Bình Xanh")
    quotation = await ok(await client.post(f"{API}/quotations", headers=seller.headers, json={
        "customer_id": customer["id"], "valid_until": days(10),
        "lines": [{"description": "Tư vấn", "quantity": 1, "unit_price": 1_000_000}]}), 201)
    assert quotation["owner_id"] == str(seller.user_id)
    signed = await contract(client, seller, customer_id=customer["id"])
    for path in (f"quotations/{quotation['id']}", f"quotations/{quotation['id']}/revisions",
                 f"contracts/{signed['id']}", f"contracts/{signed['id']}/documents"):
        assert (await client.get(f"{API}/{path}", headers=seller.headers)).status_code == 200, path
        assert (await client.get(f"{API}/{path}", headers=colleague.headers)).status_code == 404, path
        assert (await client.get(f"{API}/{path}", headers=tenant_a.headers)).status_code == 200, path  # the owner
    assert (await step(client, colleague, signed["id"], "send")).status_code == 404
    for resource in ("quotations", "contracts"):
        assert (await client.get(f"{API}/{resource}", headers=colleague.headers)).json()["items"] == []
        assert len((await client.get(f"{API}/{resource}", headers=seller.headers)).json()["items"]) == 1
