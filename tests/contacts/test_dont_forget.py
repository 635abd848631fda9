"""'Đừng quên' ageing through a real `crm worker --burst`: two tenants with different N, excluded statuses,
a second run that changes nothing, and a later contact that moves the customer back."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import uuid
from typing import Any

import asyncpg
import httpx
import redis

from infra.jobs import enqueue_for_tenant
from services.contacts.jobs import age_statuses
from tests import conftest
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.worker import run_for_each_tenant

SETTINGS = "/api/contacts/v1/settings"
NOW = datetime.datetime.now(datetime.UTC)


def days_ago(days: int) -> str:
    return (NOW - datetime.timedelta(days=days)).isoformat()


def run_ageing(stack: conftest.TestStack) -> None:
    """What the scheduler enqueues each night, run by a real worker until its queue is empty (the fan-out, then
    one job per tenant)."""
    run_for_each_tenant(stack, "services.contacts.jobs:age_statuses")


async def statuses_by_name(client: httpx.AsyncClient, user: conftest.TenantUser) -> dict[str, str]:
    response = await client.get("/api/contacts/v1/relationship-statuses", headers=user.headers)
    assert response.status_code == 200, response.text
    return {status["name_en"]: status["id"] for status in response.json()}


async def status_of(client: httpx.AsyncClient, user: conftest.TenantUser, customer: dict[str, Any]) -> str | None:
    response = await client.get(f"{CUSTOMERS}/{customer['id']}", headers=user.headers)
    assert response.status_code == 200, response.text
    status: str | None = response.json()["relationship_status_id"]
    return status


async def history(client: httpx.AsyncClient, user: conftest.TenantUser, customer: dict[str, Any]) -> list[Any]:
    response = await client.get(f"{CUSTOMERS}/{customer['id']}/status-history", headers=user.headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def status_events(owner_conn: asyncpg.Connection, user: conftest.TenantUser, by_kind: str) -> list[Any]:
    """The `customer.status_changed` payloads in the tenant's outbox made by `by_kind`, oldest first."""
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(user.tenant_id))
    rows = await owner_conn.fetch("SELECT body FROM webhook_outbox WHERE tenant_id = $1 AND "
                                  "event_type = 'customer.status_changed' ORDER BY id", user.tenant_id)
    events = [json.loads(row["body"])["data"] for row in rows]
    return [event for event in events if event["by_kind"] == by_kind]


async def test_customers_left_uncontacted_move_to_dont_forget_and_back(client, stack, tenant_a, tenant_b,
                                                                       owner_conn: asyncpg.Connection):
    response = await client.patch(SETTINGS, headers=tenant_b.headers, json={"dont_forget_after_days": 10})
    assert response.status_code == 200, response.text
    assert response.json() == {"dont_forget_after_days": 10, "dont_forget_excluded": ["lost", "won"]}
    assert (await client.get(SETTINGS, headers=tenant_a.headers)).json() == {
        "dont_forget_after_days": 30, "dont_forget_excluded": ["lost", "won"]}
    a, b = await statuses_by_name(client, tenant_a), await statuses_by_name(client, tenant_b)

    async def customer(user: conftest.TenantUser, statuses: dict[str, str], status: str | None,
                       contacted_days_ago: int | None) -> dict[str, Any]:
        return await create_customer(
            client, user, name=f"KH {uuid.uuid4().hex[:6]}", relationship_status_id=status and statuses[status],
            last_contacted_at=None if contacted_days_ago is None else days_ago(contacted_days_ago))

    a_31 = await customer(tenant_a, a, "Hot", 31)
    a_29 = await customer(tenant_a, a, "Hot", 29)
    a_won = await customer(tenant_a, a, "Won", 90)
    a_never = await customer(tenant_a, a, None, None)
    a_new = await customer(tenant_a, a, None, None)
    b_15 = await customer(tenant_b, b, "Potential", 15)
    b_5 = await customer(tenant_b, b, "Hot", 5)
    b_lost = await customer(tenant_b, b, "Lost", 60)
    # Never contacted and created 40 days ago: its creation counts as the last touch.
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    await owner_conn.execute("UPDATE customer SET created_at = now() - interval '40 days' WHERE id = $1",
                             uuid.UUID(a_never["id"]))

    run_ageing(stack)

    expected = [(tenant_a, a_31, a["Don't forget"]), (tenant_a, a_29, a["Hot"]), (tenant_a, a_won, a["Won"]),
                (tenant_a, a_never, a["Don't forget"]), (tenant_a, a_new, None),
                (tenant_b, b_15, b["Don't forget"]), (tenant_b, b_5, b["Hot"]), (tenant_b, b_lost, b["Lost"])]
    assert [await status_of(client, user, row) for user, row, _ in expected] == [status for _, _, status in expected]
    moved = (await history(client, tenant_a, a_31))[0]
    assert (moved["from_status_id"], moved["to_status_id"], moved["actor_kind"], moved["actor_id"]) == (
        a["Hot"], a["Don't forget"], "system", None)
    audited = await owner_conn.fetch(
        "SELECT actor_kind, after FROM audit_entry WHERE action = 'customer.dont_forget' AND tenant_id = $1",
        tenant_a.tenant_id)
    assert [row["actor_kind"] for row in audited] == ["system"]
    after = json.loads(audited[0]["after"])
    assert (after["after_days"], after["relationship_status_id"]) == (30, a["Don't forget"])
    assert sorted(after["customer_ids"]) == sorted([a_31["id"], a_never["id"]])

    # One `customer.status_changed` per move, in the same transaction; the creations announced theirs too.
    aged = await status_events(owner_conn, tenant_a, "system")
    assert sorted((event["id"], event["from_status_id"], event["to_status_id"]) for event in aged) == sorted([
        (a_31["id"], a["Hot"], a["Don't forget"]), (a_never["id"], None, a["Don't forget"])])
    assert {(event["code"], event["by"]) for event in aged} == {(a_31["code"], "system"), (a_never["code"], "system")}
    assert [event["id"] for event in await status_events(owner_conn, tenant_b, "system")] == [b_15["id"]]

    histories = [await history(client, user, row) for user, row, _ in expected]
    run_ageing(stack)  # the second run the same day moves nobody and records nothing
    assert [await history(client, user, row) for user, row, _ in expected] == histories
    assert len(await status_events(owner_conn, tenant_a, "system")) == 2
    assert [await status_of(client, user, row) for user, row, _ in expected] == [status for _, _, status in expected]

    # A call logged now brings it back to where it was; the history names the person.
    response = await client.patch(f"{CUSTOMERS}/{a_31['id']}", headers=tenant_a.headers,
                                  json={"last_contacted_at": datetime.datetime.now(datetime.UTC).isoformat()})
    assert response.status_code == 200, response.text
    assert response.json()["relationship_status_id"] == a["Hot"]
    back = (await history(client, tenant_a, a_31))[0]
    assert (back["from_status_id"], back["to_status_id"], back["actor_kind"]) == (
        a["Don't forget"], a["Hot"], "user")
    by_user = [event for event in await status_events(owner_conn, tenant_a, "user") if event["id"] == a_31["id"]]
    assert [(event["from_status_id"], event["to_status_id"]) for event in by_user] == [
        (None, a["Hot"]), (a["Don't forget"], a["Hot"])]
    assert by_user[0]["by"] == by_user[1]["by"] == str(uuid.UUID(by_user[0]["by"]))  # the user's id
    # Never had a status before: back to none.
    response = await client.patch(f"{CUSTOMERS}/{a_never['id']}", headers=tenant_a.headers,
                                  json={"last_contacted_at": datetime.datetime.now(datetime.UTC).isoformat()})
    assert response.json()["relationship_status_id"] is None
    # A contact dated before the move does not undo it.
    response = await client.patch(f"{CUSTOMERS}/{b_15['id']}", headers=tenant_b.headers,
                                  json={"last_contacted_at": days_ago(12)})
    assert response.json()["relationship_status_id"] == b["Don't forget"]


async def test_a_status_excluded_by_id_stays_put(client, stack, tenant_a):
    statuses = await statuses_by_name(client, tenant_a)
    response = await client.patch(SETTINGS, headers=tenant_a.headers, json={
        "dont_forget_excluded": ["won", statuses["Potential"].upper()]})
    assert response.json()["dont_forget_excluded"] == sorted([statuses["Potential"], "won"])
    kept = await create_customer(client, tenant_a, name="Giữ nguyên", relationship_status_id=statuses["Potential"],
                                 last_contacted_at=days_ago(45))
    lost = await create_customer(client, tenant_a, name="Không còn loại trừ", relationship_status_id=statuses["Lost"],
                                 last_contacted_at=days_ago(45))
    run_ageing(stack)
    assert await status_of(client, tenant_a, kept) == statuses["Potential"]
    assert await status_of(client, tenant_a, lost) == statuses["Don't forget"]


async def test_settings_refuse_bad_input_naming_the_field(client, tenant_a):
    for body, field in (({"dont_forget_after_days": 0}, "dont_forget_after_days"),
                        ({"dont_forget_after_days": 3651}, "dont_forget_after_days"),
                        ({"dont_forget_excluded": [""]}, "dont_forget_excluded[0]"),
                        ({"dont_forget_later": 3}, "dont_forget_later")):
        response = await client.patch(SETTINGS, headers=tenant_a.headers, json=body)
        assert response.status_code == 400 or response.status_code == 422, response.text
        assert field in fields_at_fault(response)[0], response.text
        assert response.json()["title"] and response.json()["detail"]
    assert (await client.get(SETTINGS, headers=tenant_a.headers)).json()["dont_forget_after_days"] == 30


async def test_ageing_goes_slice_by_slice_from_where_it_stopped_and_audits_each(client, stack, tenant_a,
                                                                                 owner_conn: asyncpg.Connection):
    due = [await create_customer(client, tenant_a, name=f"Lâu rồi {n}", last_contacted_at=days_ago(31 + n))
           for n in range(5)]
    job = enqueue_for_tenant(tenant_a.tenant_id, age_statuses, slice_rows=2,
                             connection=redis.Redis.from_url(stack.redis_url))
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    job.refresh()
    assert job.return_value() == 2  # the first slice; two more followed it, each a job of its own
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    audited = await owner_conn.fetch(
        "SELECT after FROM audit_entry WHERE action = 'customer.dont_forget' AND tenant_id = $1 ORDER BY id",
        tenant_a.tenant_id)
    slices = [json.loads(row["after"])["customer_ids"] for row in audited]
    # Oldest contact first, each slice after the one before: the longest-forgotten customers move first.
    oldest_first = [customer["id"] for customer in reversed(due)]
    assert slices == [sorted(oldest_first[:2]), sorted(oldest_first[2:4]), oldest_first[4:]]
