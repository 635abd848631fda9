"""Saved import mappings, a dry run whose rows and counts are what the import then does, and reverting an import
(created customers removed, updated ones restored exactly, events and audit, once only), through HTTP and a real
`crm worker --burst`, with two tenants."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import httpx

from tests import conftest
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.contacts.test_imports import IMPORTS, csv_file, imported, run_worker, start_import

MAPPINGS = f"{IMPORTS}/mappings"
HEADER = ["Tên", "Thư điện tử", "Di động", "Giai đoạn", "Ghi chú"]
MAPPING = {"Tên": "name", "Thư điện tử": "email", "Di động": "phone", "Giai đoạn": "lifecycle_stage",
           "Ghi chú": "notes"}
COUNTS = ("status", "rows_total", "rows_done", "created", "updated", "skipped", "rejected")


async def everyone(client: httpx.AsyncClient, user: conftest.TenantUser) -> dict[str, dict[str, Any]]:
    """Every customer the user sees by id, without `updated_at` (a revert is itself a change)."""
    response = await client.get(CUSTOMERS, headers=user.headers, params={"limit": 200})
    assert response.status_code == 200, response.text
    return {c["id"]: {k: v for k, v in c.items() if k != "updated_at"} for c in response.json()["items"]}


async def rows_of(client: httpx.AsyncClient, user: conftest.TenantUser, import_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"{IMPORTS}/{import_id}/rows", headers=user.headers)
    assert response.status_code == 200, response.text
    return sorted(response.json()["items"], key=lambda row: row["row_number"])


async def outbox(owner_conn: asyncpg.Connection, user: conftest.TenantUser, since: Any) -> list[tuple[str, str]]:
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(user.tenant_id))
    rows = await owner_conn.fetch(
        "SELECT event_type, body FROM webhook_outbox WHERE tenant_id = $1 AND created_at > $2", user.tenant_id, since)
    return sorted((row["event_type"], json.loads(row["body"])["data"]["id"]) for row in rows)


async def test_saved_mappings_per_tenant_used_by_id_and_the_last_one_remembered(client, stack, tenant_a, tenant_b):
    assert (await client.get(f"{MAPPINGS}/last", headers=tenant_a.headers)).status_code == 404
    created = await client.post(MAPPINGS, headers=tenant_a.headers, json={
        "name": "Tệp của phòng kinh doanh", "mapping": MAPPING, "match_on": "email", "on_duplicate": "skip"})
    assert created.status_code == 201, created.text
    saved = created.json()
    assert (saved["mapping"], saved["on_duplicate"]) == (MAPPING, "skip")
    other = await client.post(MAPPINGS, headers=tenant_a.headers, json={"name": "Another", "mapping": {"Tên": "name"}})
    assert other.status_code == 201, other.text
    for payload, status, field in (
        ({"name": "tep cua phong KINH DOANH", "mapping": MAPPING}, 409, "name"),  # diacritics ignored
        ({"name": "Sai", "mapping": {"Tên": "fax"}}, 422, "mapping[...]"),
        ({"name": "Trống", "mapping": {}}, 422, "mapping"),
        ({"name": "Sai", "mapping": MAPPING, "on_duplicate": "merge"}, 422, "on_duplicate"),
    ):
        response = await client.post(MAPPINGS, headers=tenant_a.headers, json=payload)
        assert response.status_code == status, response.text
        assert fields_at_fault(response) == [field], response.text
    listed = (await client.get(MAPPINGS, headers=tenant_a.headers)).json()
    assert [m["name"] for m in listed] == ["Another", "Tệp của phòng kinh doanh"]
    assert (await client.get(MAPPINGS, headers=tenant_b.headers)).json() == []
    for method in ("GET", "DELETE"):
        response = await client.request(method, f"{MAPPINGS}/{saved['id']}", headers=tenant_b.headers)
        assert response.status_code == 404, response.text

    # An import by the saved mapping's id: its columns and its duplicate policy (skip) apply.
    existing = await create_customer(client, tenant_a, name="Đã có", email="da-co@example.vn")
    body = csv_file([HEADER, ["Mới Một", "moi-1@example.vn", "0912000001", "lead", ""],
                     ["Đã có (khác)", "da-co@example.vn", "", "", ""],
                     ["Sai", "sai@", "", "", ""]])
    dry = await imported(client, stack, tenant_a, body, {"mapping_id": saved["id"], "dry_run": True})
    job = await imported(client, stack, tenant_a, body, {"mapping_id": saved["id"]})
    assert [job[key] for key in COUNTS] == [dry[key] for key in COUNTS] == ["done", 3, 3, 1, 0, 1, 1]
    assert (job["mapping_id"], job["mapping"], job["on_duplicate"]) == (saved["id"], MAPPING, "skip")
    assert [(r["row_number"], r["outcome"]) for r in await rows_of(client, tenant_a, job["id"])] == [
        (2, "created"), (3, "skipped")]
    assert (await rows_of(client, tenant_a, job["id"]))[1]["customer_id"] == existing["id"]
    last = (await client.get(f"{MAPPINGS}/last", headers=tenant_a.headers)).json()
    assert (last["import_id"], last["mapping_id"], last["mapping"]) == (job["id"], saved["id"], MAPPING)
    assert (await client.get(f"{MAPPINGS}/last", headers=tenant_b.headers)).status_code == 404

    for options, field in (({"mapping_id": saved["id"], "mapping": MAPPING}, "options.mapping"),
                           ({"mapping_id": str(uuid.uuid4())}, "options.mapping_id")):
        response = await start_import(client, tenant_a, body, options)
        assert response.status_code == 422 and fields_at_fault(response) == [field], response.text
    response = await start_import(client, tenant_b, body, {"mapping_id": saved["id"]})  # tenant A's mapping
    assert response.status_code == 422 and fields_at_fault(response) == ["options.mapping_id"], response.text

    assert (await client.delete(f"{MAPPINGS}/{saved['id']}", headers=tenant_a.headers)).status_code == 204
    assert (await client.get(f"{MAPPINGS}/{saved['id']}", headers=tenant_a.headers)).status_code == 404
    assert (await client.get(f"{IMPORTS}/{job['id']}", headers=tenant_a.headers)).json()["mapping"] == MAPPING


async def test_the_dry_run_predicts_the_rows_and_a_revert_restores_the_state_before(
        client, stack, tenant_a, tenant_b, owner_conn: asyncpg.Connection):
    lead = await create_customer(client, tenant_a, name="Khách Cũ", email="cu@example.vn", phone="0901234567",
                                 lifecycle_stage="lead", notes="ghi chú cũ")
    kept = await create_customer(client, tenant_a, name="Không Đổi", email="giu@example.vn")
    twin = [await create_customer(client, tenant_a, name=f"Trùng {n}", email="trung@example.vn",
                                  confirm_duplicate=True) for n in (1, 2)]  # two customers sharing one email
    await create_customer(client, tenant_b, name="Khách của B", email="cu@example.vn")
    rows = [
        ["Nguyễn Văn Mới", "moi@example.vn", "0912 345 678", "customer", "từ tệp"],  # 2: created
        ["Khách Cũ (sửa)", "CU@example.vn", "0987654321", "customer", ""],  # 3: updates `lead`
        ["Sai Email", "sai@", "", "", ""],  # 4: rejected
        ["Lặp Lại", "moi@example.vn", "", "", ""],  # 5: same email as line 2
        ["Mơ Hồ", "trung@example.vn", "", "", ""],  # 6: matches two customers
        ["Trần Thị Hai", "", "0912000002", "", ""],  # 7: created (no email: nothing to match)
    ]
    body = csv_file([HEADER, *rows])
    before_a, before_b = await everyone(client, tenant_a), await everyone(client, tenant_b)
    options = {"mapping": MAPPING, "on_duplicate": "update"}

    dry = await imported(client, stack, tenant_a, body, {**options, "dry_run": True})
    assert await everyone(client, tenant_a) == before_a
    job = await imported(client, stack, tenant_a, body, options)
    assert [job[key] for key in COUNTS] == [dry[key] for key in COUNTS] == ["done", 6, 6, 2, 1, 0, 3]
    predicted, done = await rows_of(client, tenant_a, dry["id"]), await rows_of(client, tenant_a, job["id"])
    assert [(r["row_number"], r["outcome"]) for r in predicted] == [(r["row_number"], r["outcome"]) for r in done] \
        == [(2, "created"), (3, "updated"), (7, "created")]
    assert predicted[1]["customer_id"] == done[1]["customer_id"] == lead["id"]
    assert predicted[0]["customer_id"] is None and done[0]["customer_id"] is not None
    for import_ in (dry, job):
        report = (await client.get(f"{IMPORTS}/{import_['id']}/errors", headers=tenant_a.headers)).text
        assert [line.split(",")[:2] for line in report.strip().splitlines()[1:]] == [
            ["4", "email"], ["5", "email"], ["6", "email"]]
    after_import = await everyone(client, tenant_a)
    assert after_import[lead["id"]]["name"] == "Khách Cũ (sửa)"
    assert len(after_import) == len(before_a) + 2

    # A dry run, another tenant and an unfinished import cannot be reverted.
    refused = await client.post(f"{IMPORTS}/{dry['id']}/revert", headers=tenant_a.headers)
    assert refused.status_code == 409 and refused.json()["type"].endswith("dry-run"), refused.text
    assert (await client.post(f"{IMPORTS}/{job['id']}/revert", headers=tenant_b.headers)).status_code == 404
    queued = await start_import(client, tenant_a, body, options)
    assert (await client.post(f"{IMPORTS}/{queued.json()['id']}/revert", headers=tenant_a.headers)).status_code == 409
    run_worker(stack)  # the queued one runs: it updates what the first import created (a later change)
    second = (await client.get(f"{IMPORTS}/{queued.json()['id']}", headers=tenant_a.headers)).json()
    assert [second[key] for key in ("created", "updated")] == [1, 2]
    newest = next(row["customer_id"] for row in await rows_of(client, tenant_a, second["id"])
                  if row["outcome"] == "created")
    assert (await client.post(f"{IMPORTS}/{second['id']}/revert", headers=tenant_a.headers)).status_code == 200
    assert (await client.get(f"{CUSTOMERS}/{newest}", headers=tenant_a.headers)).status_code == 404
    assert await everyone(client, tenant_a) == after_import  # the second import is undone exactly

    # Someone edits a customer the import updated; the revert still restores it and says so.
    edited = await client.patch(f"{CUSTOMERS}/{lead['id']}", headers=tenant_a.headers, json={"industry": "Bán lẻ"})
    assert edited.status_code == 200, edited.text
    since = await owner_conn.fetchval("SELECT now()")
    reverted = await client.post(f"{IMPORTS}/{job['id']}/revert", headers=tenant_a.headers)
    assert reverted.status_code == 200, reverted.text
    # The customer the second import updated (and its revert put back) counts as changed since, like `lead`.
    changed = sorted([lead["id"], done[0]["customer_id"]])
    assert {k: v for k, v in reverted.json().items() if k != "import_id"} == {
        "deleted": 2, "restored": 1, "changed_since": changed}
    restored = await everyone(client, tenant_a)
    assert restored.pop(lead["id"]) == {**before_a.pop(lead["id"]), "industry": "Bán lẻ"}
    assert restored == before_a
    assert await everyone(client, tenant_b) == before_b
    assert kept["id"] in restored and all(t["id"] in restored for t in twin)
    history = (await client.get(f"{CUSTOMERS}/{lead['id']}/lifecycle-history", headers=tenant_a.headers)).json()
    assert [(step["from_stage"], step["to_stage"]) for step in history][-2:] == [
        ("lead", "customer"), ("customer", "lead")]

    created_ids = [row["customer_id"] for row in done if row["outcome"] == "created"]
    assert await outbox(owner_conn, tenant_a, since) == sorted(
        [("customer.deleted", id_) for id_ in created_ids] + [("customer.updated", lead["id"])])
    audited = await owner_conn.fetchrow(
        "SELECT after FROM audit_entry WHERE tenant_id = $1 AND action = 'customer_import.revert' AND object_id = $2",
        tenant_a.tenant_id, job["id"])
    assert audited is not None
    assert json.loads(audited["after"])["changed_since"] == changed
    assert (await client.get(f"{IMPORTS}/{job['id']}", headers=tenant_a.headers)).json()["reverted_at"]
    again = await client.post(f"{IMPORTS}/{job['id']}/revert", headers=tenant_a.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("already-reverted"), again.text
