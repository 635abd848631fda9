"""The ERP's ledger and credit limits: idempotent postings, exact balances, the credit check, holds, approvals."""

from __future__ import annotations

import datetime

from tests.contacts.helpers import create_customer, fields_at_fault
from tests.identity.test_api_keys import bearer, create_key
from tests.partners.helpers import API, events_of

TODAY = datetime.date.today()


def entry(customer_id: str, kind: str, reference: str, amount: int, **extra: object) -> dict[str, object]:
    return {"customer_id": customer_id, "kind": kind, "reference": reference, "amount": amount,
            "document_date": (TODAY - datetime.timedelta(days=3)).isoformat(), **extra}


async def test_the_ledger_is_idempotent_by_reference_and_balances_are_exact(client, tenant_a, tenant_b):
    customer = await create_customer(client, tenant_a, name="Công ty TNHH Hòa Bình Xanh")
    erp = bearer((await create_key(client, tenant_a, ["ledger:write"]))["key"])
    invoice = entry(customer["id"], "invoice", "HD-0001", 12_345_678)
    first = await client.post(f"{API}/ledger", headers=erp, json=invoice)
    assert first.status_code == 201, first.text
    repeat = await client.post(f"{API}/ledger", headers=erp, json=invoice)
    assert repeat.status_code == 200 and repeat.json()["id"] == first.json()["id"]
    conflict = await client.post(f"{API}/ledger", headers=erp, json={**invoice, "amount": 1})
    assert conflict.status_code == 409 and fields_at_fault(conflict) == ["reference"]
    for posted in (entry(customer["id"], "payment", "PT-0001", 5_000_000),
                   entry(customer["id"], "credit_note", "CN-0001", 345_678),
                   entry(customer["id"], "sales_order", "DH-0001", 99_000_000)):
        assert (await client.post(f"{API}/ledger", headers=erp, json=posted)).status_code == 201
    assert (await client.post(f"{API}/ledger", headers=erp, json=invoice)).status_code == 200
    status = (await client.get(f"{API}/credit/{customer['id']}", headers=tenant_a.headers)).json()
    assert status["balance"] == 12_345_678 - 5_000_000 - 345_678 == 7_000_000
    assert status["overdue"] == 0 and status["has_limit"] is False
    checked = (await client.post(f"{API}/credit/check", headers=tenant_a.headers,
                                 json={"customer_id": customer["id"], "amount": 1})).json()
    assert checked["position"]["balance"] == 7_000_000  # the running total agrees with the ledger's sum
    listed = (await client.get(f"{API}/ledger", headers=tenant_a.headers,
                               params={"customer_id": customer["id"]})).json()["items"]
    assert sorted(e["reference"] for e in listed) == ["CN-0001", "DH-0001", "HD-0001", "PT-0001"]
    # the ERP's key posts to the ledger and nothing else; tenant B neither sees nor posts for A's customer
    assert (await client.get("/api/partners/v1/partners", headers=erp)).status_code == 403
    assert (await client.get(f"{API}/credit/{customer['id']}", headers=tenant_b.headers)).status_code == 404
    foreign = await client.post(f"{API}/ledger", headers=tenant_b.headers,
                                json=entry(customer["id"], "invoice", "HD-B", 1))
    assert foreign.status_code == 422 and fields_at_fault(foreign) == ["customer_id"]
    assert (await client.get(f"{API}/ledger", headers=tenant_b.headers)).json()["items"] == []


async def test_a_quotation_over_the_limit_is_refused_then_fits_after_a_payment(client, app_conn, tenant_a):
    customer = await create_customer(client, tenant_a, name="Đại lý Phú Quý")
    limit = await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers,
                             json={"credit_limit": 50_000_000, "payment_terms_days": 30})
    assert limit.status_code == 200 and limit.json()["available"] == 50_000_000
    await client.post(f"{API}/ledger", headers=tenant_a.headers,
                      json=entry(customer["id"], "invoice", "HD-PQ-1", 40_000_000))
    check = {"customer_id": customer["id"], "amount": 15_000_000, "document_type": "quotation"}
    refused = (await client.post(f"{API}/credit/check", headers=tenant_a.headers, json=check)).json()
    assert (refused["decision"], refused["reason"], refused["position"]["available"]) == (
        "refused", "over_limit", 10_000_000)
    await client.post(f"{API}/ledger", headers=tenant_a.headers,
                      json=entry(customer["id"], "payment", "PT-PQ-1", 5_000_000))
    fits = (await client.post(f"{API}/credit/check", headers=tenant_a.headers, json=check)).json()
    assert (fits["decision"], fits["position"]["available"]) == ("ok", 15_000_000)
    exceeded = await events_of(app_conn, tenant_a.tenant_id, "credit.exceeded")
    assert [(e["amount"], e["available"], e["decision"]) for e in exceeded] == [(15_000_000, 10_000_000, "refused")]
    limits = await events_of(app_conn, tenant_a.tenant_id, "credit.limit_changed")
    assert [(e["credit_limit"], e["previous_limit"]) for e in limits] == [(50_000_000, None)]


async def test_over_limit_goes_to_a_manager_when_the_tenant_asks_for_approvals(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Công ty Bình An")
    await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers, json={"credit_limit": 1_000_000})
    assert (await client.put(f"{API}/credit/settings", headers=tenant_a.headers,
                             json={"over_credit": "approval"})).status_code == 200
    document = "0190aaaa-0000-7000-8000-00000000abcd"
    check = {"customer_id": customer["id"], "amount": 3_000_000, "document_type": "quotation", "document_id": document}
    held = (await client.post(f"{API}/credit/check", headers=tenant_a.headers, json=check)).json()
    assert held["decision"] == "approval_required" and held["approval_id"]
    again = (await client.post(f"{API}/credit/check", headers=tenant_a.headers, json=check)).json()
    assert again["approval_id"] == held["approval_id"]  # one request per document, not one per check
    pending = (await client.get(f"{API}/credit/approvals", headers=tenant_a.headers,
                                params={"status": "pending"})).json()
    assert [p["id"] for p in pending] == [held["approval_id"]]
    decided = await client.post(f"{API}/credit/approvals/{held['approval_id']}/decision", headers=tenant_a.headers,
                                json={"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    twice = await client.post(f"{API}/credit/approvals/{held['approval_id']}/decision", headers=tenant_a.headers,
                              json={"approve": False})
    assert twice.status_code == 409
    assert (await client.post(f"{API}/credit/check", headers=tenant_a.headers,
                              json=check)).json()["decision"] == "ok"


async def test_overdue_puts_the_account_on_hold_until_paid(client, app_conn, tenant_a):
    customer = await create_customer(client, tenant_a, name="Cửa hàng Thanh Tâm")
    await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers,
                     json={"credit_limit": 100_000_000, "payment_terms_days": 15})
    overdue = entry(customer["id"], "invoice", "HD-TT-1", 8_000_000,
                    document_date=(TODAY - datetime.timedelta(days=40)).isoformat())
    await client.post(f"{API}/ledger", headers=tenant_a.headers, json=overdue)
    current = entry(customer["id"], "invoice", "HD-TT-2", 2_000_000)
    await client.post(f"{API}/ledger", headers=tenant_a.headers, json=current)
    status = (await client.get(f"{API}/credit/{customer['id']}", headers=tenant_a.headers)).json()
    assert (status["balance"], status["overdue"], status["on_hold"], status["hold_reason"]) == (
        10_000_000, 8_000_000, True, "overdue")
    small = (await client.post(f"{API}/credit/check", headers=tenant_a.headers,
                               json={"customer_id": customer["id"], "amount": 1})).json()
    assert (small["decision"], small["reason"]) == ("refused", "on_hold")
    await client.post(f"{API}/ledger", headers=tenant_a.headers,
                      json=entry(customer["id"], "payment", "PT-TT-1", 8_000_000))
    status = (await client.get(f"{API}/credit/{customer['id']}", headers=tenant_a.headers)).json()
    assert (status["balance"], status["overdue"], status["on_hold"]) == (2_000_000, 0, False)
    holds = await events_of(app_conn, tenant_a.tenant_id, "credit.hold")
    assert [(h["on_hold"], h["reason"]) for h in holds] == [(True, "overdue"), (False, None)]


async def test_ledger_input_is_checked(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Kiểm tra")
    negative = await client.post(f"{API}/ledger", headers=tenant_a.headers,
                                 json=entry(customer["id"], "invoice", "X-1", -5))
    assert negative.status_code == 422 and fields_at_fault(negative) == ["amount"]
    due_on_payment = await client.post(f"{API}/ledger", headers=tenant_a.headers, json=entry(
        customer["id"], "payment", "X-2", 5, due_date=TODAY.isoformat()))
    assert fields_at_fault(due_on_payment) == ["due_date"]
    await client.put(f"{API}/credit/{customer['id']}", headers=tenant_a.headers, json={"credit_limit": 10})
    dollars = await client.post(f"{API}/ledger", headers=tenant_a.headers,
                                json=entry(customer["id"], "invoice", "X-3", 5, currency="USD"))
    assert fields_at_fault(dollars) == ["currency"]
    assert (await client.get(f"{API}/ledger", headers=tenant_a.headers,
                             params={"customer_id": customer["id"]})).json()["items"] == []
