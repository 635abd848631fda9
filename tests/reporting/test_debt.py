"""Credit debt ageing: oldest-due invoices are settled first; buckets to the last đồng; visibility applies."""

from __future__ import annotations

import datetime

from tests.contacts.helpers import create_customer
from tests.identity.members import add_member

AS_OF = datetime.date(2026, 6, 30)
LEDGER = "/api/partners/v1/ledger"


def days(n: int) -> str:
    return (AS_OF + datetime.timedelta(days=n)).isoformat()


async def test_ageing_buckets_follow_oldest_first_settlement(client, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson")
    big = await create_customer(client, tenant_a, name="Công ty Nợ Nhiều")
    small = await create_customer(client, seller, name="Cửa hàng Nợ Cũ")
    await client.put(f"/api/partners/v1/credit/{big['id']}", headers=tenant_a.headers,
                     json={"credit_limit": 7_000_000})
    postings = [(big, "invoice", "HD-1", 10_000_000, -130, -100), (big, "invoice", "HD-2", 5_000_000, -75, -45),
                (big, "invoice", "HD-3", 3_000_000, -40, -10), (big, "invoice", "HD-4", 2_000_000, -25, 5),
                (big, "payment", "PT-1", 12_000_000, -5, None), (small, "invoice", "HD-5", 1_000_000, -125, -95),
                (big, "invoice", "HD-LATER", 9_000_000, 3, 33)]  # after the as-of date: not counted
    for customer, kind, reference, amount, dated, due in postings:
        body = {"customer_id": customer["id"], "kind": kind, "reference": reference, "amount": amount,
                "document_date": days(dated), **({"due_date": days(due)} if due is not None else {})}
        response = await client.post(LEDGER, headers=tenant_a.headers, json=body)
        assert response.status_code == 201, response.text

    ageing = (await client.get("/api/reporting/v1/indicators/debt", headers=tenant_a.headers,
                               params={"as_of": AS_OF.isoformat()})).json()
    by_name = {c["name"]: c for c in ageing["customers"]}
    assert by_name["Công ty Nợ Nhiều"]["buckets"] == {
        "current": 2_000_000, "days_0_30": 3_000_000, "days_31_60": 3_000_000, "days_61_90": 0, "days_over_90": 0}
    assert (by_name["Công ty Nợ Nhiều"]["balance"], by_name["Công ty Nợ Nhiều"]["overdue"]) == (8_000_000, 6_000_000)
    assert by_name["Công ty Nợ Nhiều"]["over_limit"] is True
    assert by_name["Cửa hàng Nợ Cũ"]["buckets"]["days_over_90"] == 1_000_000
    assert ageing["totals"] == {"current": 2_000_000, "days_0_30": 3_000_000, "days_31_60": 3_000_000,
                                "days_61_90": 0, "days_over_90": 1_000_000}
    assert (ageing["balance"], ageing["over_limit"]) == (9_000_000, 1)
    assert [c["name"] for c in ageing["customers"]] == ["Công ty Nợ Nhiều", "Cửa hàng Nợ Cũ"]

    own = (await client.get("/api/reporting/v1/indicators/debt", headers=seller.headers,
                            params={"as_of": AS_OF.isoformat()})).json()
    assert [c["name"] for c in own["customers"]] == ["Cửa hàng Nợ Cũ"] and own["balance"] == 1_000_000
    other = (await client.get("/api/reporting/v1/indicators/debt", headers=tenant_b.headers,
                              params={"as_of": AS_OF.isoformat()})).json()
    assert other["customers"] == [] and other["balance"] == 0
