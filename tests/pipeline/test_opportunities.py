"""Leads and opportunities: probability rules, stage moves with history, won/lost/restore, qualify, events."""

from __future__ import annotations

import uuid

from tests.partners.helpers import events_of
from tests.pipeline.helpers import API, act, add_opportunity, add_stages, default_stages


async def _get(client, user, opportunity_id):
    response = await client.get(f"{API}/opportunities/{opportunity_id}", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_probability_follows_the_stage_until_set_by_hand(client, tenant_a):
    new, proposal, won = await default_stages(client, tenant_a)
    following = await add_opportunity(client, tenant_a, expected_revenue=5_000_000)
    assert (following["stage_id"], following["probability"], following["probability_manual"]) == (new["id"], 10, False)
    assert following["currency"] == "VND" and following["state"] == "open" and following["kind"] == "opportunity"
    manual = await add_opportunity(client, tenant_a, probability=35)
    assert (manual["probability"], manual["probability_manual"]) == (35, True)

    for opportunity in (following, manual):
        await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": proposal["id"]})
    assert (await _get(client, tenant_a, following["id"]))["probability"] == 50
    assert (await _get(client, tenant_a, manual["id"]))["probability"] == 35

    # The stage's new probability carries over to those that follow it only.
    await client.patch(f"{API}/stages/{proposal['id']}", headers=tenant_a.headers, json={"probability": 55})
    assert (await _get(client, tenant_a, following["id"]))["probability"] == 55
    assert (await _get(client, tenant_a, manual["id"]))["probability"] == 35

    # Set by hand, it stays; `follow_stage` gives it back to the stage.
    set_by_hand = await client.patch(f"{API}/opportunities/{following['id']}", headers=tenant_a.headers,
                                     json={"probability": 80})
    assert (set_by_hand.json()["probability"], set_by_hand.json()["probability_manual"]) == (80, True)
    followed = await client.patch(f"{API}/opportunities/{manual['id']}", headers=tenant_a.headers,
                                  json={"follow_stage": True})
    assert (followed.json()["probability"], followed.json()["probability_manual"]) == (55, False)

    # A won stage: 100 and won, even when set by hand.
    entered = await act(client, tenant_a, following["id"], "stage", {"stage_id": won["id"]})
    assert (entered["probability"], entered["state"]) == (100, "won")
    assert entered["closed_at"] is not None


async def test_stage_history_records_time_spent(client, tenant_a, app_conn):
    new, proposal, won = await default_stages(client, tenant_a)
    opportunity = await add_opportunity(client, tenant_a)
    async with app_conn.transaction():  # it has sat in its first stage for two hours
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        await app_conn.execute("UPDATE opportunity SET date_last_stage_update = now() - interval '2 hours' "
                               "WHERE id = $1", uuid.UUID(opportunity["id"]))
    moved = await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": proposal["id"]})
    assert moved["date_last_stage_update"] > opportunity["date_last_stage_update"]
    await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": won["id"]})
    same = await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": won["id"]})  # no move: no row
    assert same["state"] == "won"
    history = (await client.get(f"{API}/opportunities/{opportunity['id']}/stage-history",
                                headers=tenant_a.headers)).json()
    assert [(h["from_stage_id"], h["to_stage_id"]) for h in history] == [
        (new["id"], proposal["id"]), (proposal["id"], won["id"])]
    assert 7200 <= history[0]["seconds_in_previous"] < 7260
    assert 0 <= history[1]["seconds_in_previous"] < 60
    assert history[0]["actor_kind"] == "user" and history[0]["actor_id"] is not None


async def test_lost_needs_an_active_reason_and_restore(client, tenant_a, tenant_b, app_conn):
    _new, proposal, _won = await default_stages(client, tenant_a)
    opportunity = await add_opportunity(client, tenant_a, stage_id=proposal["id"])
    reasons = (await client.get(f"{API}/lost-reasons", headers=tenant_a.headers)).json()
    assert [r["name_en"] for r in reasons][:2] == ["Too expensive", "Chose a competitor"]
    other_tenants = (await client.get(f"{API}/lost-reasons", headers=tenant_b.headers)).json()
    assert {r["id"] for r in reasons}.isdisjoint({r["id"] for r in other_tenants})

    missing = await act(client, tenant_a, opportunity["id"], "lost", {}, status=422)
    assert missing["errors"][0]["field"] == "lost_reason_id"
    foreign = await act(client, tenant_a, opportunity["id"], "lost", {"lost_reason_id": other_tenants[0]["id"]},
                        status=422)
    assert foreign["errors"][0]["field"] == "lost_reason_id"
    retired = await client.patch(f"{API}/lost-reasons/{reasons[1]['id']}", headers=tenant_a.headers,
                                 json={"is_active": False})
    assert retired.json()["is_active"] is False
    assert reasons[1]["id"] not in {r["id"] for r in (await client.get(
        f"{API}/lost-reasons", headers=tenant_a.headers, params={"active": "true"})).json()}
    inactive = await act(client, tenant_a, opportunity["id"], "lost", {"lost_reason_id": reasons[1]["id"]},
                         status=422)
    assert inactive["errors"][0]["field"] == "lost_reason_id"
    assert (await _get(client, tenant_a, opportunity["id"]))["state"] == "open"  # nothing written

    lost = await act(client, tenant_a, opportunity["id"], "lost",
                     {"lost_reason_id": reasons[0]["id"], "note": "Đối thủ rẻ hơn 10%"})
    assert (lost["state"], lost["lost_reason_id"]) == ("lost", reasons[0]["id"])
    assert lost["lost_note"] == "Đối thủ rẻ hơn 10%"
    again = await act(client, tenant_a, opportunity["id"], "lost", {"lost_reason_id": reasons[0]["id"]}, status=409)
    assert again["code"] == "opportunity_lost"
    await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": proposal["id"]}, status=409)

    restored = await act(client, tenant_a, opportunity["id"], "restore")
    assert (restored["state"], restored["lost_reason_id"], restored["closed_at"]) == ("open", None, None)
    assert (restored["stage_id"], restored["probability"]) == (proposal["id"], 50)
    await act(client, tenant_a, opportunity["id"], "restore", status=409)

    assert len(await events_of(app_conn, tenant_a.tenant_id, "opportunity.lost")) == 1
    restored_events = await events_of(app_conn, tenant_a.tenant_id, "opportunity.restored")
    assert [(e["id"], e["state"]) for e in restored_events] == [(opportunity["id"], "open")]

    custom = await client.post(f"{API}/lost-reasons", headers=tenant_a.headers,
                               json={"name_vi": "Dự án hoãn", "name_en": "Project postponed"})
    assert custom.status_code == 201, custom.text
    assert (await client.patch(f"{API}/lost-reasons/{custom.json()['id']}", headers=tenant_b.headers,
                               json={"is_active": False})).status_code == 404


async def test_mark_won_and_restore_a_won_one(client, tenant_a, app_conn):
    new, _proposal, won = await default_stages(client, tenant_a)
    opportunity = await add_opportunity(client, tenant_a, probability=20, expected_revenue=1_000)
    result = await act(client, tenant_a, opportunity["id"], "won")
    assert (result["state"], result["probability"], result["stage_id"]) == ("won", 100, won["id"])
    await act(client, tenant_a, opportunity["id"], "won")  # already won: nothing more happens
    won_events = await events_of(app_conn, tenant_a.tenant_id, "opportunity.won")
    assert [(e["id"], e["state"], e["probability"]) for e in won_events] == [(opportunity["id"], "won", 100)]
    changed = await events_of(app_conn, tenant_a.tenant_id, "opportunity.stage_changed")
    assert [(e["from_stage_id"], e["to_stage_id"]) for e in changed] == [(new["id"], won["id"])]

    # Winning made it 100, no longer by hand: reopened, it follows its stage again.
    reopened = await act(client, tenant_a, opportunity["id"], "restore")
    assert (reopened["state"], reopened["stage_id"], reopened["probability"]) == ("open", new["id"], 10)
    assert reopened["probability_manual"] is False


async def test_mark_won_without_a_won_stage(client, tenant_a):
    await add_stages(client, tenant_a, ("New", 10, False))
    opportunity = await add_opportunity(client, tenant_a)
    result = await act(client, tenant_a, opportunity["id"], "won")
    assert (result["state"], result["probability"], result["stage_id"]) == ("won", 100, opportunity["stage_id"])


async def test_qualify_into_a_new_customer(client, tenant_a, app_conn):
    new, proposal, _won = await default_stages(client, tenant_a)
    lead = await add_opportunity(client, tenant_a, kind="lead", name="Anh Nguyễn Văn Ánh hỏi giá",
                                 email="anh@example.vn", phone="0912345678", source="Hội chợ")
    assert (lead["kind"], lead["stage_id"], lead["customer_id"]) == ("lead", None, None)
    await act(client, tenant_a, lead["id"], "stage", {"stage_id": new["id"]}, status=409)
    await act(client, tenant_a, lead["id"], "won", status=409)

    qualified = await act(client, tenant_a, lead["id"], "qualify",
                          {"new_customer_name": "Nguyễn Văn Ánh", "new_customer_kind": "individual",
                           "stage_id": proposal["id"]})
    assert (qualified["kind"], qualified["stage_id"], qualified["probability"]) == ("opportunity", proposal["id"], 50)
    customer = await client.get(f"/api/contacts/v1/customers/{qualified['customer_id']}", headers=tenant_a.headers)
    assert customer.status_code == 200, customer.text
    assert (customer.json()["name"], customer.json()["kind"], customer.json()["phone"]) == (
        "Nguyễn Văn Ánh", "individual", "+84912345678")
    await act(client, tenant_a, lead["id"], "qualify", {}, status=409)
    events = await events_of(app_conn, tenant_a.tenant_id, "lead.qualified")
    assert [(e["id"], e["customer_id"]) for e in events] == [(lead["id"], qualified["customer_id"])]
    created = await events_of(app_conn, tenant_a.tenant_id, "customer.created")
    assert [e["id"] for e in created] == [qualified["customer_id"]]


async def test_qualify_with_an_existing_customer(client, tenant_a, tenant_b):
    await default_stages(client, tenant_a)
    customer = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                 json={"name": "Công ty TNHH Hòa Bình"})
    other = await client.post("/api/contacts/v1/customers", headers=tenant_b.headers, json={"name": "Khác"})
    lead = await add_opportunity(client, tenant_a, kind="lead", name="Hòa Bình cần 20 máy")
    both = await act(client, tenant_a, lead["id"], "qualify",
                     {"customer_id": customer.json()["id"], "new_customer_name": "X"}, status=422)
    assert both["errors"][0]["field"] == "new_customer_name"
    foreign = await act(client, tenant_a, lead["id"], "qualify", {"customer_id": other.json()["id"]}, status=422)
    assert foreign["errors"][0]["field"] == "customer_id"
    qualified = await act(client, tenant_a, lead["id"], "qualify", {"customer_id": customer.json()["id"]})
    assert (qualified["customer_id"], qualified["probability"]) == (customer.json()["id"], 10)
    customers = (await client.get("/api/contacts/v1/customers", headers=tenant_a.headers)).json()["items"]
    assert len(customers) == 1


async def test_events_are_emitted_once(client, tenant_a, app_conn):
    _new, proposal, _won = await default_stages(client, tenant_a)
    opportunity = await add_opportunity(client, tenant_a, name="Đơn hàng 500 bộ", expected_revenue=250_000_000)
    await act(client, tenant_a, opportunity["id"], "stage", {"stage_id": proposal["id"]})
    created = await events_of(app_conn, tenant_a.tenant_id, "opportunity.created")
    assert [(e["id"], e["name"], e["expected_revenue"], e["currency"]) for e in created] == [
        (opportunity["id"], "Đơn hàng 500 bộ", 250_000_000, "VND")]
    changed = await events_of(app_conn, tenant_a.tenant_id, "opportunity.stage_changed")
    assert len(changed) == 1
    assert (changed[0]["opportunity"]["stage_id"], changed[0]["opportunity"]["probability"]) == (proposal["id"], 50)
    assert changed[0]["to_stage_id"] == proposal["id"]


async def test_bad_input_names_the_field(client, tenant_a):
    await default_stages(client, tenant_a)
    for body, field in (({"name": "X", "priority": 4}, "priority"), ({"name": "X", "currency": "vnd"}, "currency"),
                        ({"name": "X", "expected_revenue": -1}, "expected_revenue"), ({"name": ""}, "name"),
                        ({"name": "X", "kind": "deal"}, "kind"), ({"name": "X", "owner_id": str(uuid.uuid4())},
                                                                  "owner_id"),
                        ({"name": "X", "stage_id": str(uuid.uuid4())}, "stage_id"),
                        ({"name": "X", "customer_id": "not-a-uuid"}, "customer_id"),
                        ({"name": "X", "tags": ["a" * 101]}, "tags")):
        response = await client.post(f"{API}/opportunities", headers={**tenant_a.headers, "Accept-Language": "en"},
                                     json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["field"].startswith(field), (body, response.json())
    unknown = await client.post(f"{API}/opportunities", headers=tenant_a.headers, json={"name": "X", "colour": 1})
    assert unknown.status_code in (400, 422)
    bad_date = await client.get(f"{API}/opportunities", headers=tenant_a.headers, params={"close_from": "2026-13-01"})
    assert bad_date.status_code in (400, 422)
    assert bad_date.json()["errors"][0]["field"].endswith("close_from")
    assert bad_date.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{API}/opportunities", headers=tenant_a.headers)).json()["items"] == []


async def test_tenant_b_gets_404_on_tenant_a_ids(client, tenant_a, tenant_b):
    new, _proposal, _won = await default_stages(client, tenant_a)
    await default_stages(client, tenant_b)
    opportunity = await add_opportunity(client, tenant_a)
    lead = await add_opportunity(client, tenant_a, kind="lead")
    base = f"{API}/opportunities/{opportunity['id']}"
    assert (await client.get(base, headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{base}/stage-history", headers=tenant_b.headers)).status_code == 404
    assert (await client.patch(base, headers=tenant_b.headers, json={"name": "Y"})).status_code == 404
    for action, body in (("stage", {"stage_id": new["id"]}), ("won", {}), ("restore", {}),
                         ("lost", {"lost_reason_id": str(uuid.uuid4())})):
        assert (await client.post(f"{base}/{action}", headers=tenant_b.headers, json=body)).status_code == 404
    assert (await client.post(f"{API}/opportunities/{lead['id']}/qualify", headers=tenant_b.headers,
                              json={})).status_code == 404
    assert (await client.get(f"{API}/opportunities", headers=tenant_b.headers)).json()["items"] == []
    # Tenant A's stage is not one tenant B's opportunities can be in.
    response = await client.post(f"{API}/opportunities", headers=tenant_b.headers,
                                 json={"name": "X", "stage_id": new["id"]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stage_id"
