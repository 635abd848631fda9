"""Credit at the moment a sale binds: accepting a quotation over the available credit is refused (or waits for a
manager's approval) and goes through once the customer pays or a manager approves."""

from __future__ import annotations

from tests.contacts.helpers import create_customer
from tests.partners.helpers import API, events_of
from tests.pipeline.helpers import API as PIPELINE
from tests.pipeline.test_quotations import quotation, send


async def post_ledger(client, user, customer_id: str, kind: str, reference: str, amount: int) -> None:
    response = await client.post(f"{API}/ledger", headers=user.headers, json={
        "customer_id": customer_id, "kind": kind, "reference": reference, "amount": amount,
        "document_date": "2026-11-20"})
    assert response.status_code == 201, response.text


async def test_a_quotation_over_the_limit_is_refused_and_accepted_after_a_payment(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Đại lý Tín Dụng")
    await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers, json={"credit_limit": 1_500_000})
    await post_ledger(client, tenant_a, customer["id"], "invoice", "HD-TD-1", 500_000)
    offer = await quotation(client, tenant_a, customer)  # 1,000,000 + 10 % tax = 1,100,000
    await send(client, tenant_a, offer["id"])
    refused = await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert (problem["code"], problem["errors"][0]["field"], problem["available"]) == (
        "credit_exceeded", "customer_id", 1_000_000)
    still = (await client.get(f"{PIPELINE}/quotations/{offer['id']}", headers=tenant_a.headers)).json()
    assert still["state"] == "sent"
    await post_ledger(client, tenant_a, customer["id"], "payment", "PT-TD-1", 200_000)
    accepted = await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "accepted"


async def test_over_the_limit_waits_for_a_managers_approval_when_the_tenant_asks(client, app_conn, tenant_a):
    await client.put(f"{API}/credit/settings", headers=tenant_a.headers, json={"over_credit": "approval"})
    customer = await create_customer(client, tenant_a, name="Công ty Chờ Duyệt")
    await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers, json={"credit_limit": 1_000_000})
    offer = await quotation(client, tenant_a, customer)
    await send(client, tenant_a, offer["id"])
    waiting = await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers)
    assert waiting.status_code == 409 and waiting.json()["code"] == "credit_approval_required"
    approval_id = waiting.json()["approval_id"]
    pending = (await client.get(f"{API}/credit/approvals", headers=tenant_a.headers,
                                params={"status": "pending"})).json()
    assert [(p["id"], p["document_id"], p["amount"]) for p in pending] == [(approval_id, offer["id"], 1_100_000)]
    again = await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers)
    assert again.json()["approval_id"] == approval_id  # one request per document
    decided = await client.post(f"{API}/credit/approvals/{approval_id}/decision", headers=tenant_a.headers,
                                json={"approve": True})
    assert decided.status_code == 200, decided.text
    accepted = await client.post(f"{PIPELINE}/quotations/{offer['id']}/accept", headers=tenant_a.headers)
    assert accepted.status_code == 200, accepted.text
    exceeded = await events_of(app_conn, tenant_a.tenant_id, "credit.exceeded")
    assert [(e["document_id"], e["decision"]) for e in exceeded] == [(offer["id"], "approval_required")]
