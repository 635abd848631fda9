"""Pipeline indicators from roll-ups: exact figures on a known data set (stage values and weighted values, win
rate, sales cycle, lost reasons, activities, targets vs actuals, partner attainment), equal to the same figures
computed directly over the source rows after a series of changes (before and after folding, after a rebuild),
under visibility, never mixing tenants."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any

import asyncpg
import httpx

from tests import conftest
from tests.contacts.helpers import create_customer
from tests.identity.members import add_member
from tests.partners.helpers import new_partner
from tests.pipeline.activity_helpers import create_type, schedule
from tests.pipeline.helpers import act, add_opportunity, default_stages
from tests.worker import run_for_each_tenant

API = "/api/reporting/v1/indicators/pipeline"
TODAY = datetime.datetime.now(tz=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()
PERIOD = {"date_from": (TODAY - datetime.timedelta(days=20)).isoformat(), "date_to": TODAY.isoformat()}
BEFORE = TODAY - datetime.timedelta(days=25)  # in the previous period of the same length
MONTH_START = TODAY.replace(day=1)
MONTH_END = (MONTH_START + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


async def figures(client: httpx.AsyncClient, user: Any, **params: Any) -> dict[str, Any]:
    rolled = await client.get(API, headers=user.headers, params={**PERIOD, **params})
    direct = await client.get(API, headers=user.headers, params={**PERIOD, **params, "direct": "true"})
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == direct.json()  # the roll-ups equal the direct query over the source rows
    body: dict[str, Any] = rolled.json()
    return body


async def set_created(app_conn: asyncpg.Connection, tenant_id: uuid.UUID, opportunity_id: str,
                      day: datetime.date) -> None:
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        await app_conn.execute("UPDATE opportunity SET created_at = $1 WHERE id = $2",
                               datetime.datetime.combine(day, datetime.time(5), tzinfo=datetime.UTC),
                               uuid.UUID(opportunity_id))


async def lost_reason(client: httpx.AsyncClient, user: conftest.TenantUser, name: str) -> str:
    made = await client.post("/api/pipeline/v1/lost-reasons", headers=user.headers,
                             json={"name_vi": name, "name_en": f"{name} (en)"})
    assert made.status_code == 201, made.text
    reason_id: str = made.json()["id"]
    return reason_id


async def test_pipeline_figures_are_exact_under_visibility_and_per_tenant(client, app_conn, stack, tenant_a,
                                                                          tenant_b):
    new, proposal, _ = await default_stages(client, tenant_a)  # 10 %, 50 %, won
    await default_stages(client, tenant_b)
    seller = await add_member(tenant_a, "salesperson", name="Trần Thị Bán")
    profile = await client.post("/api/identity/v1/salespeople", headers=tenant_a.headers, json={
        "user_id": str(seller.user_id), "employee_code": "NV01", "monthly_target_vnd": 100_000_000})
    assert profile.status_code == 201, profile.text
    price, rival = await lost_reason(client, tenant_a, "Giá cao"), await lost_reason(client, tenant_a, "Đối thủ")
    source = (await client.post("/api/contacts/v1/sources", headers=tenant_a.headers,
                                json={"name": "Hội chợ"})).json()["id"]
    fair_customer = await create_customer(client, tenant_a, name="Công ty Hội Chợ", source_id=source)

    o1 = await add_opportunity(client, tenant_a, name="Máy lọc nước", stage_id=new["id"], expected_revenue=10_000_000,
                               customer_id=fair_customer["id"])
    o2 = await add_opportunity(client, tenant_a, name="Hệ thống RO", stage_id=proposal["id"],
                               expected_revenue=33_333_333)
    o3 = await add_opportunity(client, seller, name="Lõi lọc", expected_revenue=20_000_000)
    o4 = await add_opportunity(client, tenant_a, name="Bảo trì", expected_revenue=5_000_000)
    o5 = await add_opportunity(client, tenant_a, name="Bình nóng lạnh", expected_revenue=7_000_000)
    o6 = await add_opportunity(client, seller, name="Vòi sen", expected_revenue=3_000_000)
    o7 = await add_opportunity(client, tenant_a, name="Ống nước", expected_revenue=1_000_000)
    await add_opportunity(client, tenant_a, kind="lead", name="Khách hỏi giá", expected_revenue=50_000_000)
    await add_opportunity(client, tenant_b, name="Cơ hội của B", expected_revenue=999_000_000)
    await set_created(app_conn, tenant_a.tenant_id, o4["id"], BEFORE)
    for opportunity, user in ((o3, seller), (o4, tenant_a)):
        await act(client, user, opportunity["id"], "won")
    for opportunity, user, reason in ((o5, tenant_a, price), (o6, seller, price), (o7, tenant_a, rival)):
        await act(client, user, opportunity["id"], "lost", {"lost_reason_id": reason})

    call = await create_type(client, tenant_a, category="call")
    meeting = await create_type(client, tenant_a, category="meeting")
    seller_customer = await create_customer(client, seller, name="Khách của nhân viên")
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    await schedule(client, seller, seller_customer["id"], call["id"], summary="Gọi lại", due_date=yesterday)
    done = await schedule(client, seller, seller_customer["id"], call["id"], summary="Gọi chào",
                          due_date=TODAY.isoformat())
    await client.post(f"/api/pipeline/v1/activities/{done['id']}/done", headers=seller.headers, json={})
    await schedule(client, seller, seller_customer["id"], meeting["id"], summary="Gặp", due_date=TODAY.isoformat())
    cancelled = await schedule(client, seller, seller_customer["id"], meeting["id"], summary="Huỷ",
                               due_date=TODAY.isoformat())
    response = await client.post(f"/api/pipeline/v1/activities/{cancelled['id']}/cancel", headers=seller.headers,
                                 json={})
    assert response.status_code == 200, response.text

    dealer = await new_partner(client, tenant_a, "Đại lý Hoàng Gia", status="active")
    target = await client.post("/api/partners/v1/targets", headers=tenant_a.headers, json={
        "partner_id": dealer["id"], "period": "month", "period_start": MONTH_START.isoformat(),
        "target": 100_000_000, "tiers": [{"threshold_percent": 50, "rate_bp": 200}]})
    assert target.status_code == 201, target.text
    sale = await client.post("/api/partners/v1/ledger", headers=tenant_a.headers, json={
        "customer_id": dealer["customer_id"], "kind": "sales_order", "reference": "DH-1", "amount": 60_000_000,
        "document_date": TODAY.isoformat(), "lines": [{"product_code": "ML-01", "quantity": 2, "amount": 60_000_000}]})
    assert sale.status_code == 201, sale.text

    body = await figures(client, tenant_a)
    stages = {stage["name_en"]: stage for stage in body["by_stage"]}
    assert (stages["New"]["opportunities"], stages["New"]["value"], stages["New"]["weighted_value"]) == (
        1, 10_000_000, 1_000_000)
    assert (stages["Proposal"]["opportunities"], stages["Proposal"]["value"]) == (1, 33_333_333)
    assert stages["Proposal"]["weighted_value"] == 16_666_667  # 33,333,333 × 50 % = 16,666,666.5, half up
    assert stages["Won"]["opportunities"] == 0
    assert body["current"] == {"created": 6, "created_value": 74_333_333, "won": 2, "won_value": 25_000_000,
                               "lost": 3, "win_rate": 40.0, "average_cycle_days": round(25 / 2, 2)}
    assert body["previous"] == {"created": 1, "created_value": 5_000_000, "won": 0, "won_value": 0, "lost": 0,
                                "win_rate": None, "average_cycle_days": None}
    assert [(r["name_vi"], r["opportunities"], r["value"], r["percent"]) for r in body["lost_reasons"]] == [
        ("Giá cao", 2, 10_000_000, 66.67), ("Đối thủ", 1, 1_000_000, 33.33)]
    assert body["lost_reasons_previous"] == []
    by_person = {a["user_id"]: a for a in body["activities"]}
    assert {k: by_person[str(seller.user_id)][k] for k in ("name", "calls", "meetings", "total", "done", "overdue",
                                                            "open")} == {
        "name": "Trần Thị Bán", "calls": 2, "meetings": 1, "total": 3, "done": 1, "overdue": 1, "open": 1}
    [attained] = body["partner_targets"]
    assert attained["partner_name"] == "Đại lý Hoàng Gia"
    progress = attained["progress"]
    assert (progress["achieved"], progress["attainment_percent"], progress["rate_bp"]) == (60_000_000, 60.0, 200)

    month = await figures(client, tenant_a, date_from=MONTH_START.isoformat(), date_to=MONTH_END.isoformat())
    [seller_target] = month["targets"]
    assert (seller_target["user_id"], seller_target["target"], seller_target["actual"]) == (
        str(seller.user_id), 100_000_000, 20_000_000)
    assert seller_target["attainment_percent"] == 20.0

    own = await figures(client, seller)  # a salesperson counts only their own records
    assert sum(stage["opportunities"] for stage in own["by_stage"]) == 0
    assert own["current"] == {"created": 2, "created_value": 23_000_000, "won": 1, "won_value": 20_000_000,
                              "lost": 1, "win_rate": 50.0, "average_cycle_days": 0.0}
    assert [(r["name_vi"], r["opportunities"]) for r in own["lost_reasons"]] == [("Giá cao", 1)]
    assert [a["user_id"] for a in own["activities"]] == [str(seller.user_id)]
    assert own["partner_targets"] == []
    by_source = await figures(client, tenant_a, source_id=source)
    assert by_source["current"]["created"] == 1 and by_source["current"]["created_value"] == 10_000_000

    other = await figures(client, tenant_b)  # tenant B: its own opportunity only, nothing of A
    assert other["current"]["created"] == 1 and other["current"]["created_value"] == 999_000_000
    assert other["lost_reasons"] == [] and other["activities"] == [] and other["partner_targets"] == []
    assert sum(stage["value"] for stage in other["by_stage"]) == 999_000_000
    assert not {s["stage_id"] for s in other["by_stage"]} & {s["stage_id"] for s in body["by_stage"]}

    # A series of changes, before and after folding, then a rebuild: the roll-ups keep equal to the rows.
    run_for_each_tenant(stack, "services.reporting.jobs:fold_rollups")
    assert await figures(client, tenant_a) == body
    await act(client, tenant_a, o7["id"], "restore")
    patched = await client.patch(f"/api/pipeline/v1/opportunities/{o1['id']}", headers=tenant_a.headers,
                                 json={"expected_revenue": 12_000_000, "probability": 25})
    assert patched.status_code == 200, patched.text
    await act(client, tenant_a, o2["id"], "stage", {"stage_id": new["id"]})
    await act(client, seller, o3["id"], "restore")
    changed = await figures(client, tenant_a)
    assert (changed["current"]["won"], changed["current"]["lost"]) == (1, 2)
    new_stage = {s["name_en"]: s for s in changed["by_stage"]}["New"]
    assert new_stage["opportunities"] == 4  # o1, o2, and the restored o3 and o7
    assert new_stage["weighted_value"] == 8_433_333  # 12M×25% + 33,333,333×10% + 20M×10% + 1M×10%, half up
    run_for_each_tenant(stack, "services.reporting.jobs:fold_rollups")
    assert await figures(client, tenant_a) == changed
    # A change of value alone nets no opportunity in the roll-up row, but its value moves, before and after a fold.
    patched = await client.patch(f"/api/pipeline/v1/opportunities/{o2['id']}", headers=tenant_a.headers,
                                 json={"expected_revenue": 43_333_333})
    assert patched.status_code == 200, patched.text
    revalued = await figures(client, tenant_a)
    assert {s["name_en"]: s["value"] for s in revalued["by_stage"]}["New"] == 12_000_000 + 43_333_333 + 21_000_000
    run_for_each_tenant(stack, "services.reporting.jobs:fold_rollups")
    assert await figures(client, tenant_a) == revalued
    run_for_each_tenant(stack, "services.reporting.jobs:rebuild_rollups")
    assert await figures(client, tenant_a) == revalued


async def test_bad_pipeline_filters_are_named(client, tenant_a):
    response = await client.get(API, headers=tenant_a.headers, params={"owner_id": "không-phải-uuid"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "query.owner_id"


async def test_a_whole_year_compares_with_the_year_before(client, tenant_a):
    response = await client.get(API, headers=tenant_a.headers, params={"date_from": "2024-01-01",
                                                                       "date_to": "2024-12-31"})
    assert response.status_code == 200, response.text
    assert response.json()["previous_period"] == {"date_from": "2023-01-01", "date_to": "2023-12-31"}
    month = (await client.get(API, headers=tenant_a.headers, params={"date_from": "2024-03-01",
                                                                     "date_to": "2024-03-31"})).json()
    assert month["previous_period"] == {"date_from": "2024-02-01", "date_to": "2024-02-29"}
