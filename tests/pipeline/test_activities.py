"""Activity types and activities over HTTP: two tenants, the trigger and suggest chains, loops, a double
completion, contact counting, events, and bad input."""

from __future__ import annotations

import asyncio
import datetime
import uuid
import zoneinfo

import asyncpg

from tests.contacts.helpers import CUSTOMERS, fields_at_fault
from tests.identity.members import add_member
from tests.pipeline.activity_helpers import (
    ACTIVITIES,
    TYPES,
    activities_of,
    activity_events,
    complete,
    create_type,
    new_customer,
    schedule,
)
from tests.pipeline.helpers import add_opportunity, default_stages

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> datetime.date:
    return datetime.datetime.now(HCM).date()


async def test_types_are_seeded_per_tenant_and_kept_apart(client, tenant_a, tenant_b):
    seeded = (await client.get(TYPES, headers=tenant_a.headers)).json()
    assert [t["name_en"] for t in seeded] == ["Call", "Meeting", "Email", "To-do", "Upload document"]
    assert [t["category"] for t in seeded] == ["call", "meeting", "email", "todo", "upload_document"]
    assert {t["id"] for t in (await client.get(TYPES, headers=tenant_b.headers)).json()}.isdisjoint(
        {t["id"] for t in seeded})
    follow_up = await create_type(client, tenant_a, name_vi="Gọi lại", name_en="Follow up", delay_count=2)
    for method in ("GET", "PATCH", "DELETE"):
        response = await client.request(method, f"{TYPES}/{follow_up['id']}", headers=tenant_b.headers,
                                         json={"name_en": "X"} if method == "PATCH" else None)
        assert response.status_code == 404, (method, response.text)
    # B cannot chain to A's type: it is not B's.
    response = await client.post(TYPES, headers=tenant_b.headers, json={
        "name_vi": "X", "name_en": "X", "category": "call", "chaining": "trigger", "next_type_id": follow_up["id"]})
    assert response.status_code == 422 and fields_at_fault(response) == ["next_type_id"]
    # Archived: no longer listed nor usable, still readable.
    assert (await client.delete(f"{TYPES}/{follow_up['id']}", headers=tenant_a.headers)).status_code == 204
    assert follow_up["id"] not in {t["id"] for t in (await client.get(TYPES, headers=tenant_a.headers)).json()}
    archived = (await client.get(TYPES, headers=tenant_a.headers, params={"include_archived": "true"})).json()
    assert [t["is_active"] for t in archived if t["id"] == follow_up["id"]] == [False]
    customer = await new_customer(client, tenant_a)
    response = await client.post(ACTIVITIES, headers=tenant_a.headers, json={
        "record_type": "customer", "record_id": customer["id"], "type_id": follow_up["id"]})
    assert response.status_code == 422 and fields_at_fault(response) == ["type_id"]


async def test_activities_are_the_tenants_own(client, tenant_a, tenant_b):
    call = (await client.get(TYPES, headers=tenant_a.headers)).json()[0]
    customer = await new_customer(client, tenant_a)
    activity = await schedule(client, tenant_a, customer["id"], call["id"], summary="Gọi giới thiệu",
                              due_date=today().isoformat())
    assert (activity["state"], activity["status"], activity["all_day"], activity["category"]) == (
        "today", "open", True, "call")
    path = f"{ACTIVITIES}/{activity['id']}"
    for method, suffix, body in (("GET", "", None), ("PATCH", "", {"summary": "X"}), ("POST", "/done", {}),
                                 ("POST", "/cancel", None)):
        response = await client.request(method, path + suffix, headers=tenant_b.headers, json=body)
        assert response.status_code == 404, (method, suffix, response.text)
    assert (await client.get(ACTIVITIES, headers=tenant_b.headers)).json()["items"] == []
    # B's type on A's customer, or A's customer in B: the record is not found for B.
    b_call = (await client.get(TYPES, headers=tenant_b.headers)).json()[0]
    response = await client.post(ACTIVITIES, headers=tenant_b.headers, json={
        "record_type": "customer", "record_id": customer["id"], "type_id": b_call["id"]})
    assert response.status_code == 422 and fields_at_fault(response) == ["record_id"]
    assert (await client.get(path, headers=tenant_a.headers)).json()["summary"] == "Gọi giới thiệu"


async def test_states_follow_the_company_date(client, tenant_a):
    todo = (await client.get(TYPES, headers=tenant_a.headers)).json()[3]
    customer = await new_customer(client, tenant_a)
    states = {}
    for label, day in (("overdue", today() - datetime.timedelta(days=1)), ("today", today()),
                       ("planned", today() + datetime.timedelta(days=1))):
        activity = await schedule(client, tenant_a, customer["id"], todo["id"], due_date=day.isoformat())
        states[label] = activity["state"]
    assert states == {"overdue": "overdue", "today": "today", "planned": "planned"}
    # Without a date: today plus the type's delay.
    weekly = await create_type(client, tenant_a, category="todo", delay_count=1, delay_unit="weeks")
    activity = await schedule(client, tenant_a, customer["id"], weekly["id"])
    assert activity["due_date"] == (today() + datetime.timedelta(weeks=1)).isoformat()
    assert activity["summary"] == weekly["name_vi"]


async def test_trigger_creates_the_next_activity_for_the_same_record_and_assignee(client, tenant_a, owner_conn):
    seller = await add_member(tenant_a, "salesperson", "Trần Bình")
    quote = await create_type(client, tenant_a, name_vi="Gửi báo giá", category="todo", delay_count=3,
                              default_summary="Gửi báo giá cho khách")
    call = await create_type(client, tenant_a, name_vi="Gọi điện tư vấn", chaining="trigger", next_type_id=quote["id"])
    customer = await new_customer(client, tenant_a)
    first = await schedule(client, tenant_a, customer["id"], call["id"], assignee_id=str(seller.user_id),
                           due_date=(today() - datetime.timedelta(days=5)).isoformat(), due_time="09:30:00")
    assert (first["all_day"], first["due_at"]) == (False, f"{today() - datetime.timedelta(days=5)}T02:30:00Z")
    done = await complete(client, tenant_a, first["id"], feedback="Khách quan tâm")
    assert (done["activity"]["status"], done["activity"]["state"], done["activity"]["feedback"]) == (
        "done", "done", "Khách quan tâm")
    following = done["next_activity"]
    assert (following["type_id"], following["assignee_id"], following["record_id"], following["summary"]) == (
        quote["id"], str(seller.user_id), customer["id"], "Gửi báo giá cho khách")
    assert following["due_date"] == (today() + datetime.timedelta(days=3)).isoformat()  # from the completion
    assert following["created_from_activity_id"] == first["id"]
    assert done["suggested_next"] is None
    # Counted from the previous deadline, the delay starts at the done activity's due date.
    review = await create_type(client, tenant_a, name_vi="Rà soát", category="todo", delay_count=1,
                               delay_unit="months", delay_from="deadline")
    meeting = await create_type(client, tenant_a, name_vi="Họp", category="meeting", chaining="trigger",
                                next_type_id=review["id"])
    on_31st = await schedule(client, tenant_a, customer["id"], meeting["id"], due_date="2026-01-31")
    assert (await complete(client, tenant_a, on_31st["id"]))["next_activity"]["due_date"] == "2026-02-28"
    # Done calls and meetings count as contact with the customer.
    contacted = (await client.get(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).json()
    assert contacted["last_contacted_at"] is not None
    assert (await activity_events(owner_conn, tenant_a))[:3] == [
        ("activity.created", first["id"]), ("activity.done", first["id"]), ("activity.created", following["id"])]


async def test_suggest_proposes_without_creating(client, tenant_a):
    email = await create_type(client, tenant_a, name_vi="Email cảm ơn", name_en="Thank-you mail", category="email",
                              delay_count=2)
    meeting = await create_type(client, tenant_a, category="meeting", chaining="suggest", next_type_id=email["id"])
    customer = await new_customer(client, tenant_a)
    activity = await schedule(client, tenant_a, customer["id"], meeting["id"])
    done = await complete(client, tenant_a, activity["id"])
    assert done["next_activity"] is None
    assert done["suggested_next"] == {"type_id": email["id"], "name_vi": "Email cảm ơn", "name_en": "Thank-you mail",
                                      "due_date": (today() + datetime.timedelta(days=2)).isoformat()}
    assert len(await activities_of(client, tenant_a, customer["id"])) == 1


async def test_a_loop_creates_one_next_activity_per_completion(client, tenant_a):
    a = await create_type(client, tenant_a, name_vi="A", delay_count=1)
    b = await create_type(client, tenant_a, name_vi="B", chaining="trigger", next_type_id=a["id"], delay_count=1)
    response = await client.patch(f"{TYPES}/{a['id']}", headers=tenant_a.headers,
                                  json={"chaining": "trigger", "next_type_id": b["id"]})
    assert response.status_code == 200, response.text
    customer = await new_customer(client, tenant_a)
    current = await schedule(client, tenant_a, customer["id"], a["id"])
    chain = [current]
    for _ in range(4):
        current = (await complete(client, tenant_a, current["id"]))["next_activity"]
        chain.append(current)
    assert [activity["type_id"] for activity in chain] == [a["id"], b["id"], a["id"], b["id"], a["id"]]
    assert [activity["created_from_activity_id"] for activity in chain[1:]] == [x["id"] for x in chain[:-1]]
    assert len(await activities_of(client, tenant_a, customer["id"])) == 5


async def test_a_double_completion_creates_one_next_activity(client, tenant_a):
    nxt = await create_type(client, tenant_a, name_vi="Tiếp")
    first = await create_type(client, tenant_a, chaining="trigger", next_type_id=nxt["id"])
    customer = await new_customer(client, tenant_a)
    activity = await schedule(client, tenant_a, customer["id"], first["id"])
    path = f"{ACTIVITIES}/{activity['id']}/done"
    responses = await asyncio.gather(*(client.post(path, headers=tenant_a.headers, json={}) for _ in range(3)))
    assert sorted(r.status_code for r in responses) == [200, 409, 409], [r.text for r in responses]
    assert (await client.post(path, headers=tenant_a.headers, json={})).status_code == 409
    items = await activities_of(client, tenant_a, customer["id"])
    assert sorted(item["type_id"] for item in items) == sorted([first["id"], nxt["id"]])


async def test_reschedule_and_cancel_emit_their_events(client, tenant_a, owner_conn: asyncpg.Connection):
    todo = (await client.get(TYPES, headers=tenant_a.headers)).json()[3]
    customer = await new_customer(client, tenant_a)
    activity = await schedule(client, tenant_a, customer["id"], todo["id"], due_date="2026-12-01")
    path = f"{ACTIVITIES}/{activity['id']}"
    moved = await client.patch(path, headers=tenant_a.headers,
                               json={"due_date": "2026-12-02", "due_time": "08:00:00", "time_zone": "Europe/Berlin"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["due_at"], moved.json()["due_date"], moved.json()["all_day"]) == (
        "2026-12-02T07:00:00Z", "2026-12-02", False)
    renamed = await client.patch(path, headers=tenant_a.headers, json={"summary": "Đổi tên"})
    assert renamed.json()["due_at"] == "2026-12-02T07:00:00Z"
    cancelled = await client.post(f"{path}/cancel", headers=tenant_a.headers)
    assert (cancelled.status_code, cancelled.json()["state"]) == (200, "cancelled")
    assert (await client.post(f"{path}/done", headers=tenant_a.headers, json={})).status_code == 409
    assert (await client.patch(path, headers=tenant_a.headers, json={"summary": "X"})).status_code == 409
    assert [kind for kind, _ in await activity_events(owner_conn, tenant_a, activity["id"])] == [
        "activity.created", "activity.rescheduled", "activity.cancelled"]


async def test_bad_input_names_the_field(client, tenant_a):
    call = (await client.get(TYPES, headers=tenant_a.headers)).json()[0]
    customer = await new_customer(client, tenant_a)
    base = {"record_type": "customer", "record_id": customer["id"], "type_id": call["id"]}
    cases = [
        ({**base, "record_type": "invoice"}, "record_type"),
        ({**base, "record_type": "opportunity"}, "record_id"),  # a customer's id is no opportunity
        ({**base, "record_id": str(uuid.uuid4())}, "record_id"),
        ({**base, "record_id": "nope"}, "record_id"),
        ({**base, "due_date": "2026-02-30"}, "due_date"),
        ({**base, "due_date": "2026-02-03", "due_time": "25:00:00"}, "due_time"),
        ({**base, "due_date": "2026-02-03", "due_time": "09:00:00", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({**base, "summary": "x" * 256}, "summary"),
        ({**base, "assignee_id": str(uuid.uuid4())}, "assignee_id"),
        ({**base, "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = await client.post(ACTIVITIES, headers=tenant_a.headers, json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert any(field in fault for fault in fields_at_fault(response)), (field, response.text)
        assert response.json()["title"] and response.json()["detail"]
    for body, field in (({"name_vi": "X", "name_en": "X", "category": "fax"}, "category"),
                        ({"name_vi": "X", "name_en": "X", "category": "call", "delay_unit": "years"}, "delay_unit"),
                        ({"name_vi": "X", "name_en": "X", "category": "call", "chaining": "suggest"}, "next_type_id"),
                        ({"name_vi": "X", "name_en": "X", "category": "call", "delay_count": -1}, "delay_count")):
        response = await client.post(TYPES, headers=tenant_a.headers, json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert any(field in fault for fault in fields_at_fault(response)), (field, response.text)
    assert await activities_of(client, tenant_a, customer["id"]) == []


async def test_roles_decide_who_configures_and_who_schedules(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson", "Đỗ Giang")
    viewer = await add_member(tenant_a, "viewer", "Bùi Hạnh")
    response = await client.post(TYPES, headers=seller.headers, json={"name_vi": "X", "name_en": "X",
                                                                      "category": "call"})
    assert response.status_code == 403, response.text
    call = (await client.get(TYPES, headers=seller.headers)).json()[0]
    customer = await new_customer(client, seller)  # the seller's own customer
    mine = await schedule(client, seller, customer["id"], call["id"])
    assert mine["assignee_id"] == str(seller.user_id)  # the caller, when no one else is named
    response = await client.post(ACTIVITIES, headers=viewer.headers, json={
        "record_type": "customer", "record_id": customer["id"], "type_id": call["id"]})
    assert response.status_code == 403, response.text
    # The owner's customer is not the seller's to see: scheduling on it is refused like a missing one.
    owners = await new_customer(client, tenant_a, "Công ty Cổ phần Sông Hồng")
    response = await client.post(ACTIVITIES, headers=seller.headers, json={
        "record_type": "customer", "record_id": owners["id"], "type_id": call["id"]})
    assert response.status_code == 422 and fields_at_fault(response) == ["record_id"]
    # An activity the owner assigns to the seller on the owner's customer: the seller sees and completes it.
    assigned = await schedule(client, tenant_a, owners["id"], call["id"], assignee_id=str(seller.user_id))
    assert (await complete(client, seller, assigned["id"]))["activity"]["done_by"] == str(seller.user_id)
    owner_only = await schedule(client, tenant_a, owners["id"], call["id"])
    assert (await client.get(f"{ACTIVITIES}/{owner_only['id']}", headers=seller.headers)).status_code == 404


async def test_activities_plan_on_opportunities_quotations_and_contracts_too(client, tenant_a, tenant_b):
    call = (await client.get(TYPES, headers=tenant_a.headers)).json()[0]
    await default_stages(client, tenant_a)
    opportunity = await add_opportunity(client, tenant_a, name="Cơ hội máy lọc nước")
    planned = await client.post("/api/pipeline/v1/activities", headers=tenant_a.headers, json={
        "record_type": "opportunity", "record_id": opportunity["id"], "type_id": call["id"]})
    assert planned.status_code == 201, planned.text
    assert (planned.json()["record_type"], planned.json()["record_id"]) == ("opportunity", opportunity["id"])
    theirs = await client.post("/api/pipeline/v1/activities", headers=tenant_b.headers, json={
        "record_type": "opportunity", "record_id": opportunity["id"],
        "type_id": (await client.get(TYPES, headers=tenant_b.headers)).json()[0]["id"]})
    assert theirs.status_code == 422 and theirs.json()["errors"][0]["field"] == "record_id"
