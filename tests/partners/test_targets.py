"""Discount targets: progress from the ERP's sales, the tier reached, the rebate to the last đồng, closed once."""

from __future__ import annotations

import datetime
import zoneinfo

from tests.contacts.helpers import fields_at_fault
from tests.partners.helpers import API, events_of, new_partner
from tests.worker import run_for_each_tenant

TODAY = datetime.datetime.now(tz=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = (THIS_MONTH - datetime.timedelta(days=1)).replace(day=1)
TIERS = [{"threshold_percent": 120, "rate_bp": 500}, {"threshold_percent": 80, "rate_bp": 150},
         {"threshold_percent": 100, "rate_bp": 300}]


async def sale(client, user, customer_id: str, reference: str, amount: int, day: datetime.date) -> None:
    response = await client.post(f"{API}/ledger", headers=user.headers, json={
        "customer_id": customer_id, "kind": "sales_order", "reference": reference, "amount": amount,
        "document_date": day.isoformat(), "lines": [{"product_code": "ML-01", "quantity": 3, "amount": amount}]})
    assert response.status_code == 201, response.text


async def test_a_closed_month_earns_its_tiered_rebate_once(client, app_conn, stack, tenant_a, tenant_b):
    dealer = await new_partner(client, tenant_a, "Đại lý Hoàng Gia", status="active")
    customer_id = dealer["customer_id"]
    await sale(client, tenant_a, customer_id, "DH-1", 70_000_000, LAST_MONTH)
    await sale(client, tenant_a, customer_id, "DH-2", 43_456_789, LAST_MONTH + datetime.timedelta(days=20))
    await sale(client, tenant_a, customer_id, "DH-3", 9_000_000, THIS_MONTH)  # another period
    created = await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": dealer["id"], "period": "month", "period_start": LAST_MONTH.isoformat(),
        "target": 100_000_000, "tiers": TIERS})
    assert created.status_code == 201, created.text
    target = created.json()
    assert target["period_end"] == (THIS_MONTH - datetime.timedelta(days=1)).isoformat()
    assert (target["achieved"], target["rate_bp"]) == (113_456_789, 300)
    assert target["rebate"] == 3_403_704  # 113,456,789 × 3 % = 3,403,703.67, half up
    assert [t["threshold_percent"] for t in target["tiers"]] == [80, 100, 120]
    quarter = THIS_MONTH.replace(month=(THIS_MONTH.month - 1) // 3 * 3 + 1)
    current = (await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": dealer["id"], "period": "quarter", "period_start": quarter.isoformat(), "target": 100,
        "metric": "quantity", "tiers": [{"threshold_percent": 1, "rate_bp": 100}]})).json()
    orders_in_quarter = 1 + (2 if quarter <= LAST_MONTH else 0)  # DH-3, and DH-1 and DH-2 when in the quarter
    assert (current["status"], current["achieved"]) == ("open", 3 * orders_in_quarter)

    run_for_each_tenant(stack, "services.partners.jobs:daily_credit_and_targets")
    run_for_each_tenant(stack, "services.partners.jobs:daily_credit_and_targets")
    closed = (await client.get(f"{API}/targets/{target['id']}", headers=tenant_a.headers)).json()
    assert (closed["status"], closed["achieved"], closed["rebate"]) == ("closed", 113_456_789, 3_403_704)
    earned = await events_of(app_conn, tenant_a.tenant_id, "partner.rebate_earned")
    assert [(e["target_id"], e["rebate"], e["rate_bp"]) for e in earned] == [(target["id"], 3_403_704, 300)]
    await sale(client, tenant_a, customer_id, "DH-LATE", 50_000_000, LAST_MONTH)  # after close: history stays
    assert (await client.get(f"{API}/targets/{target['id']}", headers=tenant_a.headers)).json()["rebate"] == 3_403_704
    assert (await client.get(f"{API}/targets/{target['id']}", headers=tenant_b.headers)).status_code == 404
    assert await events_of(app_conn, tenant_b.tenant_id, "partner.rebate_earned") == []


async def test_a_period_must_start_on_its_first_day(client, tenant_a):
    dealer = await new_partner(client, tenant_a, "Đại lý Kiểm Tra")
    wrong = await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": dealer["id"], "period": "quarter", "period_start": "2026-02-01", "target": 1,
        "tiers": [{"threshold_percent": 100, "rate_bp": 100}]})
    assert wrong.status_code == 422 and fields_at_fault(wrong) == ["period_start"]
    empty = await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": dealer["id"], "period": "month", "period_start": "2026-02-01", "target": 1, "tiers": []})
    assert fields_at_fault(empty) == ["tiers"]
