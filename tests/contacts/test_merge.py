"""Merging customers over HTTP with two tenants: the whole timeline and everything else of the loser moves to the
winner (persons, interactions, statuses, lifecycle, documents, groups, tags, an opportunity, a quotation, the
ERP's ledger), clashes are handled, the loser's id redirects, the merge is recorded and announced, and undoing
it puts back exactly what was moved. Another tenant gets 404 on every id."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from services.contacts.refs import NOT_MOVED
from services.contacts.service.merge import customer_refs
from tests.conftest import TenantUser
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.contacts.test_dont_forget import statuses_by_name
from tests.contacts.test_interactions import log
from tests.identity.members import add_member
from tests.identity.test_api_keys import bearer, create_key
from tests.partners.helpers import API as PARTNERS
from tests.partners.helpers import events_of
from tests.partners.test_credit import entry
from tests.pipeline.activity_helpers import activities_of, create_type, schedule
from tests.pipeline.helpers import API as PIPELINE
from tests.pipeline.helpers import add_opportunity, default_stages
from tests.pipeline.test_quotations import quotation

CONTACTS = "/api/contacts/v1"


async def get(client: httpx.AsyncClient, user: TenantUser, path: str) -> Any:
    response = await client.get(path, headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def timeline(client: httpx.AsyncClient, user: TenantUser, customer_id: str) -> list[tuple[str, str]]:
    entries: list[tuple[str, str]] = []
    cursor = None
    while True:
        params = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        response = await client.get(f"{CUSTOMERS}/{customer_id}/timeline", headers=user.headers, params=params)
        assert response.status_code == 200, response.text
        entries += [(item["kind"], item["id"]) for item in response.json()["items"]]
        if not (cursor := response.json()["next_cursor"]):
            return sorted(entries)


async def state_of(client: httpx.AsyncClient, user: TenantUser, customer_id: str) -> dict[str, Any]:
    """Everything of a customer the merge moves, as the API shows it."""
    return {
        "timeline": await timeline(client, user, customer_id),
        "persons": sorted((p["id"], p["primary"]) for p in await get(
            client, user, f"{CUSTOMERS}/{customer_id}/persons")),
        "groups": sorted(g["id"] for g in await get(client, user, f"{CUSTOMERS}/{customer_id}/groups")),
        "tags": sorted(t["id"] for t in await get(client, user, f"{CUSTOMERS}/{customer_id}/tags")),
        "documents": sorted((d["id"], d["name"], d["version"]) for d in await get(
            client, user, f"{CUSTOMERS}/{customer_id}/documents")),
        "opportunities": sorted(o["id"] for o in (await client.get(
            f"{PIPELINE}/opportunities", headers=user.headers, params={"customer_id": customer_id})).json()["items"]
            if o["customer_id"] == customer_id),
        "balance": (await get(client, user, f"{PARTNERS}/credit/{customer_id}"))["balance"],
        "activities": sorted(a["id"] for a in await activities_of(client, user, customer_id)),
    }


async def customer_with_everything(client: httpx.AsyncClient, user: TenantUser, name: str, shared: dict[str, str],
                                   erp: dict[str, str], **body: Any) -> dict[str, Any]:
    customer = await create_customer(client, user, name=name, **body)
    url = f"{CUSTOMERS}/{customer['id']}"
    for person, primary in ((f"{name} - chính", True), (f"{name} - phụ", False)):
        response = await client.post(f"{url}/persons", headers=user.headers, json={"name": person, "primary": primary})
        assert response.status_code == 201, response.text
    await log(client, user, customer, kind="call", subject=f"Gọi {name}", direction="outbound")
    await log(client, user, customer, kind="note", subject=f"Ghi chú {name}")
    response = await client.patch(url, headers=user.headers, json={
        "relationship_status_id": shared["status"], "lifecycle_stage": "lead"})
    assert response.status_code == 200, response.text
    for file_name in ("hop-dong.pdf", f"{name}.pdf"):
        response = await client.post(f"{url}/documents", headers=user.headers,
                                     files={"file": (file_name, b"%PDF-1.7 " + name.encode(), "application/pdf")})
        assert response.status_code == 201, response.text
    own_group = await client.post(f"{CONTACTS}/groups", headers=user.headers, json={"name": f"Nhóm {name}"})
    own_tag = await client.post(f"{CONTACTS}/tags", headers=user.headers, json={"name": f"Thẻ {name}"})
    for group_id in (shared["group"], own_group.json()["id"]):
        response = await client.post(f"{CONTACTS}/groups/{group_id}/customers", headers=user.headers,
                                     json={"customer_ids": [customer["id"]]})
        assert response.status_code == 200, response.text
    response = await client.post(f"{url}/tags", headers=user.headers,
                                 json={"tag_ids": [shared["tag"], own_tag.json()["id"]]})
    assert response.status_code == 200, response.text
    await add_opportunity(client, user, name=f"Cơ hội {name}", customer_id=customer["id"])
    await schedule(client, user, customer["id"], shared["call_type"], summary=f"Gọi lại {name}")
    for kind, reference, amount in (("invoice", "HD", 10_000_000), ("payment", "PT", 4_000_000)):
        response = await client.post(f"{PARTNERS}/ledger", headers=erp,
                                     json=entry(customer["id"], kind, f"{reference}-{name}", amount))
        assert response.status_code == 201, response.text
    return customer


async def test_merge_moves_everything_redirects_and_undo_puts_back_exactly_that(client, tenant_a, tenant_b,
                                                                                   app_conn: asyncpg.Connection):
    await default_stages(client, tenant_a)
    erp = bearer((await create_key(client, tenant_a, ["ledger:write"]))["key"])
    shared = {"status": (await statuses_by_name(client, tenant_a))["Hot"],
              "call_type": (await create_type(client, tenant_a))["id"],
              "group": (await client.post(f"{CONTACTS}/groups", headers=tenant_a.headers,
                                          json={"name": "Khách Hà Nội"})).json()["id"],
              "tag": (await client.post(f"{CONTACTS}/tags", headers=tenant_a.headers,
                                        json={"name": "VIP"})).json()["id"]}
    winner = await customer_with_everything(client, tenant_a, "Hòa Bình", shared, erp, tax_code="0100109106")
    loser = await customer_with_everything(client, tenant_a, "Hoà Bình cũ", shared, erp, tax_code="0100109106",
                                           confirm_duplicate=True)
    offer = await quotation(client, tenant_a, loser)
    before = {side["id"]: await state_of(client, tenant_a, side["id"]) for side in (winner, loser)}
    loser_before = await get(client, tenant_a, f"{CUSTOMERS}/{loser['id']}")

    # another tenant reaches none of it
    url = f"{CUSTOMERS}/{winner['id']}/merge"
    assert (await client.post(url, headers=tenant_b.headers, json={"loser_id": loser["id"]})).status_code == 404
    other = await create_customer(client, tenant_b, name="Của B")
    response = await client.post(url, headers=tenant_a.headers, json={"loser_id": other["id"]})
    assert response.status_code == 404, response.text

    response = await client.post(url, headers=tenant_a.headers, json={"loser_id": loser["id"]})
    assert response.status_code == 201, response.text
    merge = response.json()
    assert (merge["winner_id"], merge["loser_id"], merge["loser_code"]) == (winner["id"], loser["id"], loser["code"])
    assert merge["removed"] == {"customer_group_member": 1, "customer_tag": 1, "ledger_balance": 1}

    # the loser's id redirects to the winner
    redirect = await client.get(f"{CUSTOMERS}/{loser['id']}", headers=tenant_a.headers)
    assert redirect.status_code == 308, redirect.text
    assert redirect.headers["location"] == f"/api/contacts/v1/customers/{winner['id']}"
    assert redirect.json() == {"merged_into": winner["id"]}
    assert (await client.get(f"{CUSTOMERS}/{loser['id']}", headers=tenant_b.headers)).status_code == 404

    # everything of the loser is the winner's now
    merged = await state_of(client, tenant_a, winner["id"])
    lost, kept = before[loser["id"]], before[winner["id"]]
    assert merged["timeline"] == sorted(kept["timeline"] + lost["timeline"])
    assert [p[0] for p in merged["persons"]] == sorted(p[0] for p in kept["persons"] + lost["persons"])
    assert sum(primary for _, primary in merged["persons"]) == 1  # the winner's primary stays the one
    assert merged["groups"] == sorted(set(kept["groups"] + lost["groups"]))
    assert merged["tags"] == sorted(set(kept["tags"] + lost["tags"]))
    versions = sorted((name, version) for _, name, version in merged["documents"])
    # the list shows each name's latest version: the loser's "hop-dong.pdf" came after the winner's
    assert versions == sorted([("hop-dong.pdf", 2), ("Hòa Bình.pdf", 1), ("Hoà Bình cũ.pdf", 1)])
    assert merged["opportunities"] == sorted(kept["opportunities"] + lost["opportunities"])
    assert merged["balance"] == kept["balance"] + lost["balance"] == 12_000_000
    assert merged["activities"] == sorted(kept["activities"] + lost["activities"])
    moved_offer = await get(client, tenant_a, f"{PIPELINE}/quotations/{offer['id']}")
    assert moved_offer["customer_id"] == winner["id"]
    assert moved_offer["id"] in [str(id_) for id_ in merge["moved"]["quotation.customer_id"]]
    assert len(merge["moved"]["interaction.customer"]) == 2
    assert len(merge["moved"]["ledger_entry.customer_id"]) == 2
    merged_events = await events_of(app_conn, tenant_a.tenant_id, "customer.merged")
    assert [(e["winner_id"], e["loser_id"], e["moved"]["quotation.customer_id"]) for e in merged_events] == [
        (winner["id"], loser["id"], 1)]
    assert (await get(client, tenant_a, f"{CONTACTS}/merges/{merge['id']}"))["id"] == merge["id"]
    assert [m["id"] for m in await get(client, tenant_a, f"{CUSTOMERS}/{winner['id']}/merges")] == [merge["id"]]
    assert (await client.get(f"{CONTACTS}/merges/{merge['id']}", headers=tenant_b.headers)).status_code == 404
    undo = f"{CONTACTS}/merges/{merge['id']}/undo"
    assert (await client.post(undo, headers=tenant_b.headers)).status_code == 404

    # undo: the loser is back as it was, and exactly its rows with it
    response = await client.post(undo, headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    assert response.json()["undone_at"] is not None
    assert await get(client, tenant_a, f"{CUSTOMERS}/{loser['id']}") == loser_before
    for side in (winner, loser):
        assert await state_of(client, tenant_a, side["id"]) == before[side["id"]], side["name"]
    assert (await get(client, tenant_a, f"{PIPELINE}/quotations/{offer['id']}"))["customer_id"] == loser["id"]
    again = await client.post(undo, headers=tenant_a.headers)
    assert again.status_code == 409, again.text
    assert [e["loser_id"] for e in await events_of(app_conn, tenant_a.tenant_id, "customer.unmerged")] == [loser["id"]]


async def test_merges_that_cannot_be_done_are_refused_and_write_nothing(client, tenant_a):
    one = await create_customer(client, tenant_a, name="Một")
    response = await client.post(f"{CUSTOMERS}/{one['id']}/merge", headers=tenant_a.headers,
                                 json={"loser_id": one["id"]})
    assert response.status_code == 422 and fields_at_fault(response) == ["loser_id"]
    partners = []
    for name in ("Đại lý A", "Đại lý B"):
        customer = await create_customer(client, tenant_a, name=name)
        response = await client.post(f"{PARTNERS}/partners", headers=tenant_a.headers,
                                     json={"customer_id": customer["id"], "kind": "dealer"})
        assert response.status_code == 201, response.text
        partners.append(customer)
    response = await client.post(f"{CUSTOMERS}/{partners[0]['id']}/merge", headers=tenant_a.headers | {
        "Accept-Language": "en"}, json={"loser_id": partners[1]["id"]})
    assert response.status_code == 409 and response.json()["code"] == "merge_conflict", response.text
    assert "partner" in response.json()["detail"]
    assert (await client.get(f"{CUSTOMERS}/{partners[1]['id']}", headers=tenant_a.headers)).status_code == 200
    # a salesperson merges only customers they see
    salesperson = await add_member(tenant_a, "salesperson")
    mine = await create_customer(client, salesperson, name="Của tôi")
    response = await client.post(f"{CUSTOMERS}/{mine['id']}/merge", headers=salesperson.headers,
                                 json={"loser_id": one["id"]})
    assert response.status_code == 404, response.text


async def test_every_column_naming_a_customer_is_declared_for_merging(owner_conn: asyncpg.Connection):
    rows = await owner_conn.fetch(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND data_type = 'uuid' AND column_name LIKE '%customer%' AND column_name NOT LIKE '%group%' "
        "AND column_name NOT LIKE '%import%' AND column_name NOT LIKE '%export%'")
    columns = {f"{row['table_name']}.{row['column_name']}" for row in rows}
    declared = {f"{ref.table}.{ref.column}" for ref in customer_refs()}
    assert columns - declared - NOT_MOVED == set()
    assert "opportunity.customer_id" in declared and "ledger_balance.customer_id" in declared


async def test_hierarchy_links_follow_the_merge_and_come_back_on_undo(client, tenant_a):
    group = await create_customer(client, tenant_a, name="Tập đoàn")
    winner = await create_customer(client, tenant_a, name="Công ty con")
    loser = await create_customer(client, tenant_a, name="Công ty con (trùng)")
    child = await create_customer(client, tenant_a, name="Cháu")
    accounts = f"{PARTNERS}/accounts"

    async def parent_of(customer_id: str) -> Any:
        tree = await get(client, tenant_a, f"{accounts}/{group['id']}/tree")
        return next((node["parent_id"] for node in tree if node["id"] == customer_id), "not in the tree")

    for customer, parent in ((winner, group), (loser, winner), (child, loser)):
        response = await client.put(f"{accounts}/{customer['id']}/parent", headers=tenant_a.headers,
                                    json={"parent_customer_id": parent["id"]})
        assert response.status_code == 200, response.text
    response = await client.post(f"{CUSTOMERS}/{winner['id']}/merge", headers=tenant_a.headers,
                                 json={"loser_id": loser["id"]})
    assert response.status_code == 201, response.text
    # the loser under the winner would be the winner under itself: that link goes; its child moves up
    assert (await parent_of(winner["id"]), await parent_of(child["id"])) == (group["id"], winner["id"])
    response = await client.post(f"{CONTACTS}/merges/{response.json()['id']}/undo", headers=tenant_a.headers)
    assert response.status_code == 200, response.text
    assert (await parent_of(loser["id"]), await parent_of(child["id"])) == (winner["id"], loser["id"])


async def test_an_undo_that_cannot_put_everything_back_writes_nothing(client, tenant_a):
    tag = (await client.post(f"{CONTACTS}/tags", headers=tenant_a.headers, json={"name": "Sẽ xoá"})).json()
    winner = await create_customer(client, tenant_a, name="Giữ")
    loser = await create_customer(client, tenant_a, name="Gộp")
    await log(client, tenant_a, loser, kind="note", subject="Của bên gộp")
    for customer in (winner, loser):
        response = await client.post(f"{CUSTOMERS}/{customer['id']}/tags", headers=tenant_a.headers,
                                     json={"tag_ids": [tag["id"]]})
        assert response.status_code == 200, response.text
    merge = (await client.post(f"{CUSTOMERS}/{winner['id']}/merge", headers=tenant_a.headers,
                               json={"loser_id": loser["id"]})).json()
    assert merge["removed"] == {"customer_tag": 1}
    assert (await client.delete(f"{CONTACTS}/tags/{tag['id']}", headers=tenant_a.headers)).status_code == 204
    before = await timeline(client, tenant_a, winner["id"])
    response = await client.post(f"{CONTACTS}/merges/{merge['id']}/undo", headers=tenant_a.headers)
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    # nothing half-undone: the loser is still merged away, the winner keeps all it had
    assert (await client.get(f"{CUSTOMERS}/{loser['id']}", headers=tenant_a.headers)).status_code == 308
    assert await timeline(client, tenant_a, winner["id"]) == before
    assert (await get(client, tenant_a, f"{CONTACTS}/merges/{merge['id']}"))["undone_at"] is None
