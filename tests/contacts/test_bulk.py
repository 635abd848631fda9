"""Bulk actions on customers through HTTP, with two tenants: on a selection or on the list's filters, under the
caller's data visibility, with status history, events and audit, and bad input named field by field."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx

from tests import conftest
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.identity.members import add_member

API = "/api/contacts/v1"
BULK = f"{CUSTOMERS}/bulk"


async def made(client: httpx.AsyncClient, user: conftest.TenantUser, path: str, body: dict[str, Any]) -> Any:
    response = await client.post(f"{API}{path}", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def bulk(client: httpx.AsyncClient, user: conftest.TenantUser, **body: Any) -> dict[str, Any]:
    response = await client.post(BULK, headers=user.headers, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def names_with(client: httpx.AsyncClient, user: conftest.TenantUser, **params: Any) -> list[str]:
    response = await client.get(CUSTOMERS, headers=user.headers, params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return sorted(customer["name"] for customer in response.json()["items"])


async def test_bulk_actions_on_selections_and_filters_under_visibility(client, tenant_a, tenant_b,
                                                                      owner_conn: asyncpg.Connection):
    seller = await add_member(tenant_a, "salesperson")
    mine = [await create_customer(client, tenant_a, name=f"Của chủ {n}", lifecycle_stage="lead") for n in (1, 2)]
    other = await create_customer(client, tenant_a, name="Của chủ khác")
    theirs = [await create_customer(client, seller, name=f"Của nhân viên {n}", lifecycle_stage="lead")
              for n in (1, 2)]
    b_customer = await create_customer(client, tenant_b, name="Của B", lifecycle_stage="lead")
    vip = await made(client, tenant_a, "/tags", {"name": "VIP"})
    group = await made(client, tenant_a, "/groups", {"name": "Hà Nội"})
    statuses = {s["name_en"]: s["id"] for s in (await client.get(
        f"{API}/relationship-statuses", headers=tenant_a.headers)).json()}

    # A salesperson acts only on the customers they see: a filter finds only theirs, a selection naming another
    # customer is refused whole.
    tagged = await bulk(client, seller, action="add_tag", tag_id=vip["id"], filter={"lifecycle_stage": "lead"})
    assert (tagged["matched"], tagged["changed"]) == (2, 2)
    refused = await client.post(BULK, headers=seller.headers, json={
        "action": "remove_tag", "tag_id": vip["id"], "ids": [theirs[0]["id"], mine[0]["id"]]})
    assert refused.status_code == 422 and fields_at_fault(refused) == ["ids"], refused.text
    assert await names_with(client, tenant_a, tag="vip") == ["Của nhân viên 1", "Của nhân viên 2"]

    # The owner sees everyone: a selection, then a filter (the same filters as the list).
    added = await bulk(client, tenant_a, action="add_tag", tag_id=vip["id"], ids=[mine[0]["id"], theirs[0]["id"]])
    assert (added["matched"], added["changed"]) == (2, 1)  # theirs[0] had it already
    grouped = await bulk(client, tenant_a, action="add_group", group_id=group["id"], filter={"tag": "VIP"})
    assert (grouped["matched"], grouped["changed"]) == (3, 3)
    assert await names_with(client, tenant_a, group_id=group["id"]) == [
        "Của chủ 1", "Của nhân viên 1", "Của nhân viên 2"]
    ungrouped = await bulk(client, tenant_a, action="remove_group", group_id=group["id"],
                           filter={"q": "nhan vien"})
    assert (ungrouped["matched"], ungrouped["changed"]) == (2, 2)
    assert await names_with(client, tenant_a, group_id=group["id"]) == ["Của chủ 1"]
    untagged = await bulk(client, tenant_a, action="remove_tag", tag_id=vip["id"], ids=[theirs[1]["id"]])
    assert untagged["changed"] == 1

    since = await owner_conn.fetchval("SELECT now()")
    hot = await bulk(client, tenant_a, action="set_status", relationship_status_id=statuses["Hot"],
                     filter={"lifecycle_stage": "lead"})
    assert (hot["matched"], hot["changed"]) == (4, 4)
    assert await names_with(client, tenant_a, relationship_status_id=statuses["Hot"]) == [
        "Của chủ 1", "Của chủ 2", "Của nhân viên 1", "Của nhân viên 2"]
    history = (await client.get(f"{CUSTOMERS}/{mine[1]['id']}/status-history", headers=tenant_a.headers)).json()
    assert [(h["from_status_id"], h["to_status_id"]) for h in history["items"]] == [(None, statuses["Hot"])]
    again = await bulk(client, tenant_a, action="set_status", relationship_status_id=statuses["Hot"],
                       ids=[mine[1]["id"], other["id"]])
    assert (again["matched"], again["changed"]) == (2, 1)  # mine[1] is there already

    handed = await bulk(client, tenant_a, action="assign_owner", owner_id=str(seller.user_id), ids=[other["id"]])
    assert (handed["matched"], handed["changed"]) == (1, 1)
    assert "Của chủ khác" in await names_with(client, seller)

    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    events = await owner_conn.fetch(
        "SELECT event_type, body FROM webhook_outbox WHERE tenant_id = $1 AND created_at > $2 ORDER BY id",
        tenant_a.tenant_id, since)
    changed = [json.loads(row["body"])["data"] for row in events if row["event_type"] == "customer.status_changed"]
    assert sorted(event["id"] for event in changed) == sorted(
        [c["id"] for c in mine + theirs] + [other["id"]])
    assert {event["to_status_id"] for event in changed} == {statuses["Hot"]}
    assert [json.loads(row["body"])["data"]["owner_id"] for row in events
            if row["event_type"] == "customer.updated"] == [str(seller.user_id)]
    audited = await owner_conn.fetch(
        "SELECT action, after FROM audit_entry WHERE tenant_id = $1 AND action LIKE 'customer.bulk.%' ORDER BY id",
        tenant_a.tenant_id)
    assert [row["action"] for row in audited] == [
        "customer.bulk.add_tag", "customer.bulk.add_tag", "customer.bulk.add_group", "customer.bulk.remove_group",
        "customer.bulk.remove_tag", "customer.bulk.set_status", "customer.bulk.set_status",
        "customer.bulk.assign_owner"]
    assert json.loads(audited[-1]["after"])["changed"] == [other["id"]]

    # Another tenant: tenant A's customers, tag and group are not there; its own customer is untouched.
    for body, field in (
        ({"action": "add_tag", "tag_id": vip["id"], "ids": [b_customer["id"]]}, "tag_id"),
        ({"action": "add_group", "group_id": group["id"], "filter": {}}, "group_id"),
        ({"action": "set_status", "relationship_status_id": statuses["Hot"], "filter": {}},
         "relationship_status_id"),
        ({"action": "assign_owner", "owner_id": str(seller.user_id), "filter": {}}, "owner_id"),
    ):
        response = await client.post(BULK, headers=tenant_b.headers, json=body)
        assert response.status_code == 422 and fields_at_fault(response) == [field], response.text
    b_tag = await made(client, tenant_b, "/tags", {"name": "VIP"})
    response = await client.post(BULK, headers=tenant_b.headers, json={
        "action": "add_tag", "tag_id": b_tag["id"], "ids": [mine[0]["id"]]})
    assert response.status_code == 422 and fields_at_fault(response) == ["ids"], response.text
    b_all = await bulk(client, tenant_b, action="add_tag", tag_id=b_tag["id"], filter={})
    assert (b_all["matched"], b_all["changed"]) == (1, 1)
    assert await names_with(client, tenant_b, tag="vip") == ["Của B"]
    assert len(await names_with(client, tenant_a, tag="vip")) == 2


async def test_bad_bulk_requests_name_the_field_and_change_nothing(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Một")
    tag = await made(client, tenant_a, "/tags", {"name": "Thẻ"})
    for body, field in (
        ({"action": "add_tag", "tag_id": tag["id"]}, "ids"),  # neither ids nor filter
        ({"action": "add_tag", "tag_id": tag["id"], "ids": [customer["id"]], "filter": {}}, "ids"),
        ({"action": "add_tag", "ids": [customer["id"]]}, "tag_id"),
        ({"action": "assign_owner", "ids": [customer["id"]]}, "owner_id"),
        ({"action": "set_status", "ids": [customer["id"]]}, "relationship_status_id"),
        ({"action": "archive", "ids": [customer["id"]]}, "action"),
        ({"action": "add_tag", "tag_id": tag["id"], "ids": []}, "ids"),
        ({"action": "add_tag", "tag_id": tag["id"], "ids": ["khong-phai-id"]}, "ids[0]"),
        ({"action": "add_tag", "tag_id": tag["id"], "filter": {"lifecycle_stage": "robot"}}, "filter.lifecycle_stage"),
        ({"action": "add_tag", "tag_id": tag["id"], "filter": {"colour": "do"}}, "filter.colour"),
        ({"action": "add_tag", "tag_id": tag["id"], "filter": {"attributes": {"khong_co": "x"}}},
         "query.attr.khong_co"),
    ):
        response = await client.post(BULK, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, response.text
        assert fields_at_fault(response) == [field], response.text
        assert response.json()["errors"][0]["message_vi"] and response.json()["errors"][0]["message_en"]
    assert await names_with(client, tenant_a, tag="the") == []
