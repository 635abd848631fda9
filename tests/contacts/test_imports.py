"""Imports and exports through HTTP and a real `crm worker --burst`: good and bad rows, the error report, a dry
run that writes nothing and predicts the import, duplicates by email, code or tax code, XLSX both ways with the
Vietnamese intact, and another tenant's 404."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from typing import Any

import asyncpg
import httpx
import openpyxl

from tests import conftest
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault

IMPORTS = "/api/contacts/v1/imports"
EXPORTS = "/api/contacts/v1/exports"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Tên khách hàng", "Email", "Điện thoại", "Mã số thuế", "Giai đoạn"]
MAPPING = {"Tên khách hàng": "name", "Email": "email", "Điện thoại": "phone", "Mã số thuế": "tax_code",
           "Giai đoạn": "lifecycle_stage"}
ROWS = [
    ["Nguyễn Văn An", "an@example.vn", "0912 345 678", "0100109106", "lead"],  # 2: created
    ["Trần Thị Bình", "binh@", "0912345679", "", ""],  # 3: bad email
    ["Lê Văn Cường", "cuong@example.vn", "12345", "0100109107", ""],  # 4: bad phone and bad tax code
    ["", "khong-ten@example.vn", "", "", ""],  # 5: a new customer without a name
    ["Đã Có (cập nhật)", "DA-CO@example.vn", "0987 654 321", "", "customer"],  # 6: updates the existing one
    ["Phạm Thị Dung", "an@example.vn", "", "", ""],  # 7: the same email as line 2
    ["", "", "", "", ""],  # blank: not a row
    ["Hoàng Văn Em", "em@example.vn", "", "", "robot"],  # 9: no such stage
]
EXPECTED_ERRORS = [("3", "email"), ("4", "phone"), ("4", "tax_code"), ("5", "name"), ("7", "email"),
                   ("9", "lifecycle_stage")]


def run_worker(stack: conftest.TestStack) -> None:
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "imports"],
                            env=stack.env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def csv_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


async def start_import(client: httpx.AsyncClient, user: conftest.TenantUser, body: bytes, options: dict[str, Any],
                       name: str = "khach-hang.csv", content_type: str = "text/csv") -> httpx.Response:
    response: httpx.Response = await client.post(IMPORTS, headers=user.headers,
                                                  files={"file": (name, body, content_type)},
                                                  data={"options": json.dumps(options)})
    return response


async def imported(client, stack, user, body: bytes, options: dict[str, Any], **upload: str) -> dict[str, Any]:
    response = await start_import(client, user, body, options, **upload)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "queued"
    run_worker(stack)
    result = await client.get(f"{IMPORTS}/{response.json()['id']}", headers=user.headers)
    assert result.status_code == 200, result.text
    job: dict[str, Any] = result.json()
    return job


async def names(client: httpx.AsyncClient, user: conftest.TenantUser) -> dict[str, dict[str, Any]]:
    response = await client.get(CUSTOMERS, headers=user.headers, params={"limit": 200})
    return {customer["name"]: customer for customer in response.json()["items"]}


async def test_an_import_with_good_and_bad_rows_after_a_dry_run_that_predicts_it(client, stack, tenant_a, tenant_b,
                                                                              owner_conn: asyncpg.Connection):
    existing = await create_customer(client, tenant_a, name="Đã Có", email="da-co@example.vn", phone="0901234567")
    await create_customer(client, tenant_b, name="Khách của B", email="an@example.vn")
    body = csv_file([HEADER, *ROWS])
    before = await names(client, tenant_a)

    dry = await imported(client, stack, tenant_a, body, {"mapping": MAPPING, "on_duplicate": "update",
                                                         "dry_run": True})
    counts = ("status", "rows_total", "rows_done", "created", "updated", "skipped", "rejected")
    assert [dry[key] for key in counts] == ["done", 7, 7, 1, 1, 0, 5]
    assert await names(client, tenant_a) == before  # the dry run wrote no customer

    job = await imported(client, stack, tenant_a, body, {"mapping": MAPPING, "on_duplicate": "update"})
    assert [job[key] for key in counts] == [dry[key] for key in counts]
    after = await names(client, tenant_a)
    assert set(after) == {"Nguyễn Văn An", "Đã Có (cập nhật)"}
    an = after["Nguyễn Văn An"]
    assert (an["email"], an["phone"], an["tax_code"], an["lifecycle_stage"]) == (
        "an@example.vn", "+84912345678", "0100109106", "lead")
    assert an["code"].startswith("KH")
    updated = after["Đã Có (cập nhật)"]
    assert (updated["id"], updated["code"], updated["lifecycle_stage"]) == (
        existing["id"], existing["code"], "customer")
    assert [(entry["value"], entry["primary"]) for entry in updated["phones"]] == [
        ("+84987654321", True), ("+84901234567", False)]
    history = (await client.get(f"{CUSTOMERS}/{existing['id']}/lifecycle-history", headers=tenant_a.headers)).json()
    assert [(step["from_stage"], step["to_stage"]) for step in history][-1] == ("raw", "customer")
    assert set(await names(client, tenant_b)) == {"Khách của B"}

    for import_ in (dry, job):
        report = await client.get(f"{IMPORTS}/{import_['id']}/errors", headers=tenant_a.headers)
        assert report.status_code == 200, report.text
        assert report.content.startswith(b"\xef\xbb\xbf") and report.headers["content-type"].startswith("text/csv")
        lines = list(csv.DictReader(io.StringIO(report.content.decode("utf-8-sig"))))
        assert [(line["row"], line["field"]) for line in lines] == EXPECTED_ERRORS
        assert all(line["message_vi"] and line["message_en"] for line in lines)
    assert "dòng 2" in lines[4]["message_vi"] and "line 2" in lines[4]["message_en"]

    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    events = await owner_conn.fetch("SELECT event_type FROM webhook_outbox WHERE tenant_id = $1 AND body LIKE $2",
                                    tenant_a.tenant_id, "%an@example.vn%")
    assert [row["event_type"] for row in events] == ["customer.created"]

    for path in (f"{IMPORTS}/{job['id']}", f"{IMPORTS}/{job['id']}/errors"):
        assert (await client.get(path, headers=tenant_b.headers)).status_code == 404


async def test_xlsx_import_skips_duplicates_by_tax_code_and_keeps_given_codes(client, stack, tenant_a):
    await create_customer(client, tenant_a, name="Có Mã Số Thuế", tax_code="0101245486")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["code", "name", "tax_code", "kind"])
    sheet.append(["KH900001", "Công ty Ánh Dương", 100233583, "company"])  # Excel keeps the tax code as a number
    sheet.append(["KH900002", "Trùng MST", "0101245486", "company"])
    sheet.append(["", "Đỗ Thị Hoa", None, "individual"])
    data = io.BytesIO()
    workbook.save(data)
    job = await imported(client, stack, tenant_a, data.getvalue(), {"match_on": "tax_code"},
                         name="danh-sach.xlsx", content_type=XLSX)
    assert [job[key] for key in ("status", "created", "updated", "skipped", "rejected")] == ["done", 2, 0, 1, 0]
    found = await names(client, tenant_a)
    assert (found["Công ty Ánh Dương"]["code"], found["Công ty Ánh Dương"]["tax_code"]) == ("KH900001", "0100233583")
    assert found["Đỗ Thị Hoa"]["kind"] == "individual"
    # The hand-written code moved the sequence past it: the next customer gets a fresh code.
    assert found["Đỗ Thị Hoa"]["code"] == "KH900002"
    assert (await create_customer(client, tenant_a, name="Sau khi nhập"))["code"] == "KH900003"


async def test_the_create_policy_keeps_both_the_existing_customer_and_the_imported_row(client, stack, tenant_a):
    kept = await create_customer(client, tenant_a, name="Công ty Hai Chi Nhánh", tax_code="0101245486")
    body = csv_file([["Tên", "Mã số thuế"], ["Công ty Hai Chi Nhánh (miền Nam)", "0101245486"]])
    job = await imported(client, stack, tenant_a, body, {"mapping": {"Tên": "name", "Mã số thuế": "tax_code"},
                                                         "match_on": "tax_code", "on_duplicate": "create"})
    assert [job[key] for key in ("status", "created", "updated", "skipped", "rejected")] == ["done", 1, 0, 0, 0]
    found = await names(client, tenant_a)
    assert found["Công ty Hai Chi Nhánh"]["id"] == kept["id"]
    assert found["Công ty Hai Chi Nhánh (miền Nam)"]["tax_code"] == "0101245486"


async def test_bad_uploads_are_refused_at_once_naming_the_field(client, stack, tenant_a):
    body = csv_file([HEADER, *ROWS[:1]])
    for response, status, field in (
        (await start_import(client, tenant_a, b"%PDF", {}, name="a.pdf", content_type="application/pdf"), 415, "file"),
        (await start_import(client, tenant_a, body, {"mapping": MAPPING, "when": "now"}), 422, "options.when"),
        (await start_import(client, tenant_a, body, {"mapping": {"Tên": "name"}}), 422, "file"),
        (await start_import(client, tenant_a, body, {"match_on": "fax"}), 422, "options.match_on"),
        (await start_import(client, tenant_a, body, {"mapping": MAPPING, "match_on": "code", "on_duplicate": "create"}),
         422, "options.on_duplicate"),  # codes are unique: a code match cannot make a second customer
        (await start_import(client, tenant_a, b"", {}), 422, "file"),
        (await start_import(client, tenant_a, "Tên\nAn".encode("utf-16"), {}), 422, "file"),
    ):
        assert response.status_code == status, response.text
        assert fields_at_fault(response) == [field], response.text


async def export_file(client, stack, user, body: dict[str, Any]) -> bytes:
    response = await client.post(EXPORTS, headers=user.headers, json=body)
    assert response.status_code == 202, response.text
    export_id = response.json()["id"]
    assert (await client.get(f"{EXPORTS}/{export_id}/download", headers=user.headers)).status_code == 409
    run_worker(stack)
    export = (await client.get(f"{EXPORTS}/{export_id}", headers=user.headers)).json()
    assert export["status"] == "done", export
    link = await client.get(f"{EXPORTS}/{export_id}/download", headers=user.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient() as s3:
        downloaded = await s3.get(link.json()["url"])
    assert downloaded.status_code == 200
    assert "attachment" in downloaded.headers["content-disposition"]
    return downloaded.content


async def test_exports_keep_vietnamese_and_read_back(client, stack, tenant_a, tenant_b):
    await create_customer(client, tenant_a, name="Nguyễn Thị Ánh Tuyết", email="tuyet@example.vn",
                          lifecycle_stage="lead")
    await create_customer(client, tenant_a, name="Đặng Văn Ổn", lifecycle_stage="lead")
    await create_customer(client, tenant_a, name="Không phải lead")
    await create_customer(client, tenant_b, name="Bùi Văn Khác", lifecycle_stage="lead")

    content = await export_file(client, stack, tenant_a, {"format": "xlsx", "lifecycle_stage": "lead"})
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["code", "name", "kind"]
    assert sorted(str(row[1]) for row in rows[1:]) == ["Nguyễn Thị Ánh Tuyết", "Đặng Văn Ổn"]

    content = await export_file(client, stack, tenant_a, {"format": "csv", "q": "tuyet"})
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [(line["name"], line["email"]) for line in lines] == [("Nguyễn Thị Ánh Tuyết", "tuyet@example.vn")]

    # What one tenant exported, another cannot see or download.
    response = await client.post(EXPORTS, headers=tenant_a.headers, json={"format": "csv"})
    export_id = response.json()["id"]
    for path in (f"{EXPORTS}/{export_id}", f"{EXPORTS}/{export_id}/download"):
        assert (await client.get(path, headers=tenant_b.headers)).status_code == 404
    bad = await client.post(EXPORTS, headers=tenant_a.headers, json={"format": "pdf"})
    assert bad.status_code in (400, 422) and fields_at_fault(bad) == ["format"], bad.text
    run_worker(stack)
