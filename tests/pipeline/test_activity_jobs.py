"""Activity jobs through a real `crm worker --burst`: reminders (due soon, overdue) by mail and in-app, once
each, fanned out to every tenant; and the chain's safety net creating a missing next activity once."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo

import asyncpg
import redis

from infra.jobs import enqueue_for_tenant, for_each_active_tenant, queue
from services.pipeline.jobs import schedule_missed_next_activities
from tests import conftest
from tests.identity.members import add_member
from tests.mailbox import Mailbox
from tests.pipeline.activity_helpers import (
    ACTIVITIES,
    NOTIFICATIONS,
    TYPES,
    activities_of,
    complete,
    create_type,
    new_customer,
    run_worker,
    schedule,
)

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def run_reminders(stack: conftest.TestStack) -> None:
    """What the scheduler enqueues every quarter hour: the fan-out, then one job per tenant, then the mail."""
    queue("default", redis.Redis.from_url(stack.redis_url)).enqueue(
        for_each_active_tenant, "services.pipeline.jobs:remind_activities")
    run_worker(stack.env)


async def test_reminders_go_out_once_by_mail_and_in_app(client, stack, mailbox: Mailbox, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson", "Võ Hoa")
    todo = (await client.get(TYPES, headers=tenant_a.headers)).json()[3]
    customer = await new_customer(client, tenant_a)
    in_two_hours = datetime.datetime.now(HCM) + datetime.timedelta(hours=2)
    today = datetime.datetime.now(HCM).date()
    soon = await schedule(client, tenant_a, customer["id"], todo["id"], summary="Gọi chị Hoa",
                          assignee_id=str(seller.user_id), due_date=in_two_hours.date().isoformat(),
                          due_time=in_two_hours.strftime("%H:%M:00"))
    await schedule(client, tenant_a, customer["id"], todo["id"], summary="Nộp báo cáo hôm nay",
                   due_date=today.isoformat())
    await schedule(client, tenant_a, customer["id"], todo["id"], summary="Gửi hồ sơ",
                   due_date=(today - datetime.timedelta(days=1)).isoformat())
    await schedule(client, tenant_a, customer["id"], todo["id"], summary="Còn xa",
                   due_date=(today + datetime.timedelta(days=5)).isoformat())
    finished = await schedule(client, tenant_a, customer["id"], todo["id"], summary="Đã xong",
                              due_date=(today - datetime.timedelta(days=3)).isoformat())
    await complete(client, tenant_a, finished["id"])
    b_todo = (await client.get(TYPES, headers=tenant_b.headers)).json()[3]
    b_customer = await new_customer(client, tenant_b, "Hoàng Minh")
    await schedule(client, tenant_b, b_customer["id"], b_todo["id"], summary="Việc của B",
                   due_date=(today - datetime.timedelta(days=2)).isoformat())

    run_reminders(stack)

    assert [m["Subject"] for m in mailbox.to(seller.email)] == ["Sắp đến hạn: Gọi chị Hoa"]
    assert "Võ Hoa" in mailbox.to(seller.email)[0].get_content()
    assert sorted(m["Subject"] for m in mailbox.to(tenant_a.email)) == [
        "Quá hạn: Gửi hồ sơ", "Sắp đến hạn: Nộp báo cáo hôm nay"]
    assert [m["Subject"] for m in mailbox.to(tenant_b.email)] == ["Quá hạn: Việc của B"]
    inbox = (await client.get(NOTIFICATIONS, headers=seller.headers)).json()["items"]
    assert [(n["kind"], n["activity_id"], n["summary"], n["read_at"]) for n in inbox] == [
        ("activity_due_soon", soon["id"], "Gọi chị Hoa", None)]
    owner_inbox = (await client.get(NOTIFICATIONS, headers=tenant_a.headers)).json()["items"]
    assert sorted(n["kind"] for n in owner_inbox) == ["activity_due_soon", "activity_overdue"]

    run_reminders(stack)  # nothing new: each reminder goes out once

    assert len(mailbox.to(seller.email)) == 1 and len(mailbox.to(tenant_a.email)) == 2
    assert len(mailbox.to(tenant_b.email)) == 1
    assert len((await client.get(NOTIFICATIONS, headers=tenant_a.headers)).json()["items"]) == 2

    # Rescheduled, it is a new deadline: reminded once more.
    later = in_two_hours + datetime.timedelta(hours=1)
    moved = await client.patch(f"{ACTIVITIES}/{soon['id']}", headers=tenant_a.headers, json={
        "due_date": later.date().isoformat(), "due_time": later.strftime("%H:%M:00")})
    assert moved.status_code == 200, moved.text
    run_reminders(stack)
    assert [m["Subject"] for m in mailbox.to(seller.email)] == ["Sắp đến hạn: Gọi chị Hoa"] * 2
    assert len(mailbox.to(tenant_a.email)) == 2

    read = await client.post(f"{NOTIFICATIONS}/{inbox[0]['id']}/read", headers=seller.headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = (await client.get(NOTIFICATIONS, headers=seller.headers, params={"unread": "true"})).json()["items"]
    assert [n["id"] for n in unread] != [inbox[0]["id"]] and len(unread) == 1  # the reminder after the reschedule
    # Another member's or another tenant's notification is not found.
    for user in (tenant_a, tenant_b):
        response = await client.post(f"{NOTIFICATIONS}/{owner_inbox[0]['id']}/read" if user is tenant_b
                                     else f"{NOTIFICATIONS}/{inbox[0]['id']}/read", headers=user.headers)
        assert response.status_code == 404, response.text
    assert (await client.post(f"{NOTIFICATIONS}/{uuid.uuid4()}/read", headers=seller.headers)).status_code == 404


async def test_the_safety_net_creates_a_missing_next_activity_once(client, stack, tenant_a,
                                                                   owner_conn: asyncpg.Connection):
    follow_up = await create_type(client, tenant_a, name_vi="Gọi lại", category="call", delay_count=2)
    visit = await create_type(client, tenant_a, name_vi="Thăm khách", category="meeting", chaining="trigger",
                              next_type_id=follow_up["id"])
    customer = await new_customer(client, tenant_a)
    done = await complete(client, tenant_a, (await schedule(client, tenant_a, customer["id"], visit["id"]))["id"])
    lost = done["next_activity"]
    # The next activity goes missing (as if the completion had been written without it).
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    await owner_conn.execute("DELETE FROM activity WHERE id = $1", uuid.UUID(lost["id"]))
    connection = redis.Redis.from_url(stack.redis_url)

    results = []
    for _ in range(2):
        job = enqueue_for_tenant(tenant_a.tenant_id, schedule_missed_next_activities, connection=connection)
        run_worker(stack.env)
        job.refresh()
        results.append(job.return_value())

    assert results == [1, 0]
    items = await activities_of(client, tenant_a, customer["id"])
    recreated = [item for item in items if item["created_from_activity_id"] == done["activity"]["id"]]
    assert len(items) == 2 and len(recreated) == 1
    assert (recreated[0]["type_id"], recreated[0]["due_date"], recreated[0]["assignee_id"]) == (
        follow_up["id"], lost["due_date"], lost["assignee_id"])
