"""Interactions through HTTP: last contact moves forward only, a customer at "Đừng quên" comes back, events,
the merged timeline with its pages, and another tenant's 404."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import asyncpg

from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.contacts.test_dont_forget import run_ageing, status_of, statuses_by_name

NOW = datetime.datetime.now(datetime.UTC)


def ago(**delta: float) -> str:
    return (NOW - datetime.timedelta(**delta)).isoformat()


async def log(client, user, customer: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await client.post(f"{CUSTOMERS}/{customer['id']}/interactions", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_a_call_moves_a_customer_out_of_dont_forget(client, stack, tenant_a, owner_conn: asyncpg.Connection):
    statuses = await statuses_by_name(client, tenant_a)
    hot = await create_customer(client, tenant_a, name="Nguyễn Văn Nóng", relationship_status_id=statuses["Hot"],
                                last_contacted_at=ago(days=40))
    run_ageing(stack)
    assert await status_of(client, tenant_a, hot) == statuses["Don't forget"]

    call = await log(client, tenant_a, hot, kind="call", subject="Gọi chăm sóc", direction="outbound",
                     duration_seconds=300, outcome="Hẹn gặp tuần sau")
    assert (call["kind"], call["duration_seconds"], call["customer_id"]) == ("call", 300, hot["id"])
    customer = (await client.get(f"{CUSTOMERS}/{hot['id']}", headers=tenant_a.headers)).json()
    assert customer["relationship_status_id"] == statuses["Hot"]
    assert datetime.datetime.fromisoformat(customer["last_contacted_at"]) == datetime.datetime.fromisoformat(
        call["occurred_at"])

    # An older meeting entered late neither moves the last contact back nor changes the status.
    await log(client, tenant_a, hot, kind="meeting", subject="Gặp tại văn phòng", occurred_at=ago(days=3))
    again = (await client.get(f"{CUSTOMERS}/{hot['id']}", headers=tenant_a.headers)).json()
    assert again["last_contacted_at"] == customer["last_contacted_at"]
    assert again["relationship_status_id"] == statuses["Hot"]

    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    events = await owner_conn.fetch(
        "SELECT body FROM webhook_outbox WHERE tenant_id = $1 AND event_type = 'interaction.created' ORDER BY id",
        tenant_a.tenant_id)
    assert len(events) == 2 and call["id"] in events[0]["body"]
    assert await owner_conn.fetchval(
        "SELECT count(*) FROM audit_entry WHERE tenant_id = $1 AND action = 'interaction.create'",
        tenant_a.tenant_id) == 2


async def test_a_care_action_before_the_move_does_not_undo_it(client, stack, tenant_a):
    statuses = await statuses_by_name(client, tenant_a)
    customer = await create_customer(client, tenant_a, name="Trần Thị Cũ", relationship_status_id=statuses["Potential"],
                                     last_contacted_at=ago(days=60))
    run_ageing(stack)
    await log(client, tenant_a, customer, kind="care", subject="Thư cảm ơn", occurred_at=ago(days=45))
    assert await status_of(client, tenant_a, customer) == statuses["Don't forget"]


async def test_the_timeline_merges_everything_newest_first_in_pages(client, tenant_a):
    statuses = await statuses_by_name(client, tenant_a)
    customer = await create_customer(client, tenant_a, name="Lê Văn Dòng Thời Gian")
    await log(client, tenant_a, customer, kind="note", subject="Ghi chú cũ", occurred_at=ago(hours=5))
    await client.patch(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers,
                       json={"relationship_status_id": statuses["Hot"], "lifecycle_stage": "lead"})
    await log(client, tenant_a, customer, kind="email", subject="Gửi báo giá", direction="outbound")
    upload = await client.post(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers,
                               files={"file": ("hop-dong.pdf", b"%PDF-1.7 test", "application/pdf")})
    assert upload.status_code == 201, upload.text

    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"{CUSTOMERS}/{customer['id']}/timeline", headers=tenant_a.headers,
                                    params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        if not (cursor := page["next_cursor"]):
            break
    kinds = [(entry["kind"], entry["summary"]) for entry in seen]
    # created (lifecycle raw), the old note, status and lifecycle changes, the email, the document
    assert kinds[0] == ("document", "hop-dong.pdf")
    assert kinds[1] == ("interaction", "Gửi báo giá")
    assert set(kinds[2:4]) == {("status_change", "Nóng"), ("lifecycle_change", "lead")}
    assert kinds[4:] == [("lifecycle_change", "raw"), ("interaction", "Ghi chú cũ")]
    assert [entry["at"] for entry in seen] == sorted((entry["at"] for entry in seen), reverse=True)
    assert len({entry["id"] for entry in seen}) == len(seen)
    bad = await client.get(f"{CUSTOMERS}/{customer['id']}/timeline", headers=tenant_a.headers,
                           params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and fields_at_fault(bad) == ["cursor"]


async def test_bad_interactions_are_refused_naming_the_field(client, tenant_a, tenant_b):
    customer = await create_customer(client, tenant_a, name="Phạm Văn Kiểm")
    other = await create_customer(client, tenant_b, name="Khách B")
    person_b = await client.post(f"{CUSTOMERS}/{other['id']}/persons", headers=tenant_b.headers,
                                 json={"name": "Người B"})
    assert person_b.status_code == 201, person_b.text
    future = (NOW + datetime.timedelta(days=2)).isoformat()
    for body, field in (({"kind": "fax", "subject": "x"}, "kind"),
                        ({"kind": "call"}, "subject"),
                        ({"kind": "call", "subject": "x", "duration_seconds": -1}, "duration_seconds"),
                        ({"kind": "call", "subject": "x", "occurred_at": future}, "occurred_at"),
                        ({"kind": "call", "subject": "x", "contact_person_id": person_b.json()["id"]},
                         "contact_person_id"),
                        ({"kind": "call", "subject": "x", "user_id": str(uuid.uuid4())}, "user_id"),
                        ({"kind": "call", "subject": "x", "mood": "good"}, "mood")):
        response = await client.post(f"{CUSTOMERS}/{customer['id']}/interactions", headers=tenant_a.headers,
                                     json=body)
        assert response.status_code in (400, 422), response.text
        assert fields_at_fault(response) == [field], response.text
    call = await log(client, tenant_a, customer, kind="call", subject="Hợp lệ")
    for path in (f"{CUSTOMERS}/{customer['id']}/interactions", f"{CUSTOMERS}/{customer['id']}/timeline",
                 f"{CUSTOMERS}/{customer['id']}/interactions/{call['id']}"):
        assert (await client.get(path, headers=tenant_b.headers)).status_code == 404
    response = await client.post(f"{CUSTOMERS}/{customer['id']}/interactions", headers=tenant_b.headers,
                                 json={"kind": "call", "subject": "x"})
    assert response.status_code == 404
    listed = (await client.get(f"{CUSTOMERS}/{customer['id']}/interactions", headers=tenant_a.headers)).json()
    assert [item["id"] for item in listed["items"]] == [call["id"]]
