"""Customer indicators from roll-ups: exact figures on a known data set, equal to a direct count after a
series of changes (before and after folding, and after a rebuild), under visibility, never mixing tenants."""

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
from tests.worker import run_for_each_tenant

API = "/api/reporting/v1/indicators"
TODAY = datetime.datetime.now(tz=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()
LAST_MONTH_DAY = TODAY.replace(day=1) - datetime.timedelta(days=3)


async def indicators(client: httpx.AsyncClient, user: conftest.TenantUser, **params: Any) -> dict[str, Any]:
    response = await client.get(f"{API}/customers", headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def assert_rollups_match(client: httpx.AsyncClient, user: conftest.TenantUser, **params: Any) -> dict[str, Any]:
    """The roll-up figures equal the direct count over the customer rows."""
    rolled = await indicators(client, user, **params)
    direct = await indicators(client, user, direct="true", **params)
    assert rolled == direct
    return rolled


async def backdate(app_conn: asyncpg.Connection, tenant_id: uuid.UUID, customer_id: str, day: datetime.date) -> None:
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        await app_conn.execute("UPDATE customer SET created_at = $1 WHERE id = $2",
                               datetime.datetime.combine(day, datetime.time(12)), uuid.UUID(customer_id))


async def test_figures_are_exact_and_equal_a_direct_count_after_changes(client, app_conn, stack, tenant_a, tenant_b):
    sources = {}
    for name in ("Hội chợ", "Website"):
        made = await client.post("/api/contacts/v1/sources", headers=tenant_a.headers, json={"name": name})
        assert made.status_code == 201, made.text
        sources[name] = made.json()["id"]
    statuses = {s["name_en"]: s["id"] for s in (await client.get(
        "/api/contacts/v1/relationship-statuses", headers=tenant_a.headers)).json()}
    made = []
    data_set = (("lead", "Hội chợ", "Hot"), ("lead", "Hội chợ", "New"), ("customer", "Website", "Won"),
                ("member", "Website", "Won"), ("raw", None, None), ("loyal", "Hội chợ", "Won"))
    for stage, source, status in data_set:
        made.append(await create_customer(client, tenant_a, name=f"Khách {len(made)}", lifecycle_stage=stage,
                                          source_id=sources.get(source or ""), relationship_status_id=statuses.get(
                                              status or "")))
    await create_customer(client, tenant_b, name="Khách của B", lifecycle_stage="loyal")
    await backdate(app_conn, tenant_a.tenant_id, made[5]["id"], LAST_MONTH_DAY)  # last month's
    await client.patch(f"/api/contacts/v1/customers/{made[1]['id']}", headers=tenant_a.headers,
                       json={"lifecycle_stage": "customer", "relationship_status_id": statuses["Hot"]})
    await client.delete(f"/api/contacts/v1/customers/{made[4]['id']}", headers=tenant_a.headers)

    figures = await assert_rollups_match(client, tenant_a)
    assert (figures["new_customers"], figures["new_customers_previous"]) == (4, 1)
    assert figures["change_percent"] == 300.0
    funnel = {step["lifecycle_stage"]: step for step in figures["funnel"]}
    # now: lead 1, customer 2, member 1 (the loyal one was created last month, the raw one deleted)
    assert [funnel[s]["customers"] for s in ("raw", "lead", "customer", "member", "loyal")] == [0, 1, 2, 1, 0]
    assert [funnel[s]["reached"] for s in ("raw", "lead", "customer", "member", "loyal")] == [4, 4, 3, 1, 0]
    assert funnel["lead"]["conversion_to_next"] == 75.0  # 3 of 4 went beyond lead
    assert funnel["customer"]["conversion_to_next"] == 33.33
    assert funnel["loyal"]["conversion_to_next"] is None
    assert {s["name"]: s["customers"] for s in figures["statuses"]} == {"Nóng": 2, "Chốt": 2}
    assert {(s["name"], s["customers"]) for s in figures["sources"]} == {("Hội chợ", 2), ("Website", 2)}
    assert sum(day["customers"] for day in figures["series"]) == 4
    moves = {(m["from_status_id"], m["to_status_id"]): m["moves"] for m in figures["status_moves"]}
    assert moves[(statuses["New"], statuses["Hot"])] == 1

    run_for_each_tenant(stack, "services.reporting.jobs:fold_rollups")
    assert await assert_rollups_match(client, tenant_a) == figures
    await client.patch(f"/api/contacts/v1/customers/{made[0]['id']}", headers=tenant_a.headers,
                       json={"lifecycle_stage": "loyal"})
    after_fold = await assert_rollups_match(client, tenant_a)
    assert {s["lifecycle_stage"]: s["customers"] for s in after_fold["funnel"]}["loyal"] == 1
    run_for_each_tenant(stack, "services.reporting.jobs:rebuild_rollups")
    assert await assert_rollups_match(client, tenant_a) == after_fold
    lifecycle = (await client.get(f"{API}/lifecycle", headers=tenant_b.headers)).json()
    assert lifecycle["total"] == 1  # tenant B's own customer only
    b_figures = await assert_rollups_match(client, tenant_b)
    assert b_figures["new_customers"] == 1 and b_figures["sources"] == [
        {"source_id": None, "name": "", "customers": 1, "revenue": 0}]


async def test_a_salesperson_counts_only_their_customers(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson")
    viewer = await add_member(tenant_a, "viewer")
    await create_customer(client, tenant_a, name="Của chủ")
    await create_customer(client, seller, name="Của nhân viên 1")
    await create_customer(client, seller, name="Của nhân viên 2")
    assert (await assert_rollups_match(client, seller))["new_customers"] == 2
    assert (await assert_rollups_match(client, tenant_a))["new_customers"] == 3
    assert (await assert_rollups_match(client, viewer))["new_customers"] == 3
    by_owner = await assert_rollups_match(client, tenant_a, owner_id=str(seller.user_id))
    assert by_owner["new_customers"] == 2


async def test_bad_filters_are_named(client, tenant_a):
    response = await client.get(f"{API}/customers", headers=tenant_a.headers, params={"date_from": "hôm qua"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "query.date_from"
