"""Printed reports through HTTP and a real `crm worker --burst` on the `reports` queue: each lands in S3 and is
downloaded through its presigned link; CSV (UTF-8 with a BOM), XLSX and PDF content checked, Vietnamese text
intact in the PDF; the job run records the progress; visibility and tenants are kept apart."""

from __future__ import annotations

import csv
import datetime
import io
import subprocess
import sys
import zoneinfo
from typing import Any

import httpx
import openpyxl
import pypdf

from tests import conftest
from tests.contacts.helpers import create_customer
from tests.identity.members import add_member
from tests.pipeline.sales import create_product

API = "/api/reporting/v1/reports"
TODAY = datetime.datetime.now(tz=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()


def run_reports_worker(stack: conftest.TestStack) -> None:
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "reports"],
                            env=stack.env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


async def ask(client: httpx.AsyncClient, user: Any, **body: Any) -> dict[str, Any]:
    response = await client.post(API, headers=user.headers, json=body)
    assert response.status_code == 202, response.text
    report: dict[str, Any] = response.json()
    assert report["status"] == "queued" and report["job_run_id"]
    return report


async def download(client: httpx.AsyncClient, user: Any, report: dict[str, Any]) -> bytes:
    done = (await client.get(f"{API}/{report['id']}", headers=user.headers)).json()
    assert done["status"] == "done", done
    assert done["rows_done"] == done["rows_total"]  # the job run's progress, complete
    link = await client.get(f"{API}/{report['id']}/download", headers=user.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient() as s3:
        file = await s3.get(link.json()["url"])
    assert file.status_code == 200
    return file.content


async def post(client: httpx.AsyncClient, user: Any, path: str, body: dict[str, Any], status: int = 201) -> Any:
    response = await client.post(path, headers=user.headers, json=body)
    assert response.status_code == status, response.text
    return response.json()


async def test_reports_in_csv_xlsx_and_pdf(client, stack, app_conn, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson")
    await create_customer(client, tenant_a, name="Nguyễn Văn Tiềm Năng", lifecycle_stage="lead")
    await create_customer(client, tenant_a, name="Trần Thị Mới", lifecycle_stage="raw")
    buyer = await create_customer(client, tenant_a, name="Công ty Đã Mua Hàng", lifecycle_stage="customer")
    await create_customer(client, seller, name="Lê Văn Của Nhân Viên", lifecycle_stage="lead")
    await create_customer(client, tenant_b, name="Khách của công ty B", lifecycle_stage="lead")

    product = await create_product(client, tenant_a, code="ML-01", name="Máy lọc nước Kangaroo", list_price=5_000_000)
    quotation = await post(client, tenant_a, "/api/pipeline/v1/quotations", {
        "customer_id": buyer["id"], "valid_until": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "lines": [{"product_id": product["id"], "quantity": "2", "tax_percent": "0"}]})
    await post(client, tenant_a, f"/api/pipeline/v1/quotations/{quotation['id']}/send", {"to": ["mua@example.vn"]},
               status=200)
    for kind, reference, amount, extra in (
            ("sales_order", "DH-1", 9_000_000, {"lines": [{"product_code": "ML-01", "quantity": 2,
                                                           "amount": 9_000_000}]}),
            ("invoice", "HD-1", 9_000_000, {"due_date": (TODAY - datetime.timedelta(days=40)).isoformat()}),
            ("payment", "PT-1", 4_000_000, {})):
        await post(client, tenant_a, "/api/partners/v1/ledger", {
            "customer_id": buyer["id"], "kind": kind, "reference": reference, "amount": amount,
            "document_date": (TODAY - datetime.timedelta(days=45 if kind == "invoice" else 0)).isoformat(), **extra})
    await post(client, tenant_a, f"/api/contacts/v1/customers/{buyer['id']}/interactions", {
        "kind": "call", "subject": "Gọi hỏi thăm", "occurred_at": datetime.datetime.now(datetime.UTC).isoformat()})

    potential_csv = await ask(client, tenant_a, report="potential_customers", format="csv")
    own_csv = await ask(client, seller, report="potential_customers", format="csv")
    activity_xlsx = await ask(client, tenant_a, report="customer_activity", format="xlsx",
                              date_from=(TODAY - datetime.timedelta(days=60)).isoformat(), date_to=TODAY.isoformat())
    debt_xlsx = await ask(client, tenant_a, report="debt", format="xlsx")
    sales_pdf = await ask(client, tenant_a, report="sales_by_product", format="pdf")
    sales_csv = await ask(client, tenant_a, report="sales_by_product", format="csv", language="en")
    other = await ask(client, tenant_b, report="potential_customers", format="pdf")
    run_reports_worker(stack)

    body = await download(client, tenant_a, potential_csv)
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã KH", "Tên khách hàng", "Điện thoại"]
    assert sorted(row[1] for row in rows[1:]) == ["Lê Văn Của Nhân Viên", "Nguyễn Văn Tiềm Năng", "Trần Thị Mới"]
    own = list(csv.reader(io.StringIO((await download(client, seller, own_csv)).decode("utf-8-sig"))))
    assert [row[1] for row in own[1:]] == ["Lê Văn Của Nhân Viên"]  # a salesperson's report holds their own only

    sheet = openpyxl.load_workbook(io.BytesIO(await download(client, tenant_a, activity_xlsx))).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Giao dịch với khách hàng"
    header, *data = values[2:]
    assert header[:3] == ["Mã KH", "Tên khách hàng", "Cuộc gọi"]
    [line] = data
    assert dict(zip(header, line, strict=True)) | {"Mã KH": None, "Liên hệ cuối": None} == {
        "Mã KH": None, "Tên khách hàng": "Công ty Đã Mua Hàng", "Cuộc gọi": 1, "Gặp mặt": 0, "Tương tác": 1,
        "Liên hệ cuối": None, "Báo giá": 1, "Giá trị báo giá": 10_000_000, "Đơn bán": 9_000_000,
        "Hoá đơn": 9_000_000, "Đã thu": 4_000_000}

    debt_rows = [list(row) for row in openpyxl.load_workbook(
        io.BytesIO(await download(client, tenant_a, debt_xlsx))).worksheets[0].iter_rows(values_only=True)]
    assert debt_rows[3][:7] == ["Công ty Đã Mua Hàng", 5_000_000, 0, 0, 5_000_000, 0, 0]  # 40 days past due

    pdf = pypdf.PdfReader(io.BytesIO(await download(client, tenant_a, sales_pdf)))
    text = " ".join(page.extract_text() for page in pdf.pages)
    for expected in ("Tổng hợp bán hàng theo mặt hàng và tháng", "Máy lọc nước Kangaroo", "ML-01",
                     "10.000.000 ₫", "9.000.000 ₫", "Tiền báo giá"):
        assert expected in text, (expected, text)
    english = list(csv.reader(io.StringIO((await download(client, tenant_a, sales_csv)).decode("utf-8-sig"))))
    assert english[0][:3] == ["Month", "Product code", "Product"]
    assert english[1][1:] == ["ML-01", "Máy lọc nước Kangaroo", "1", "2", "10000000", "1", "2", "9000000"]

    other_text = " ".join(page.extract_text() for page in pypdf.PdfReader(
        io.BytesIO(await download(client, tenant_b, other))).pages)
    assert "Khách của công ty B" in other_text and "Tiềm Năng" not in other_text

    listed = (await client.get(API, headers=tenant_a.headers)).json()
    assert {r["id"] for r in listed} >= {potential_csv["id"], sales_pdf["id"]} and other["id"] not in {
        r["id"] for r in listed}
    assert [r["id"] for r in (await client.get(API, headers=seller.headers)).json()] == [own_csv["id"]]
    foreign = await client.get(f"{API}/{potential_csv['id']}/download", headers=tenant_b.headers)
    assert foreign.status_code == 404
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        run = await app_conn.fetchrow("SELECT name, queue_name, status, rows_done, rows_total FROM job_run "
                                      "WHERE id = $1", potential_csv["job_run_id"])
    assert (run["name"], run["queue_name"], run["status"]) == (
        "services.reporting.jobs:run_report", "reports", "succeeded")
    assert run["rows_done"] == run["rows_total"] == 3


async def test_a_bad_report_request_names_the_field(client, tenant_a):
    response = await client.post(API, headers=tenant_a.headers, json={"report": "doanh-thu", "format": "pdf"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "report"
    unfinished = await ask(client, tenant_a, report="debt", format="csv")
    response = await client.get(f"{API}/{unfinished['id']}/download", headers=tenant_a.headers)
    assert response.status_code == 409


async def test_a_long_report_runs_to_the_end_with_its_progress(client, stack, app_conn, tenant_a):
    """5,000 leads in a PDF: the writer takes long enough for the job to record progress while it writes."""
    async with app_conn.transaction():
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        await app_conn.execute(
            "INSERT INTO customer (id, tenant_id, code, name, name_folded, lifecycle_stage, created_at, updated_at) "
            "SELECT uuidv7(), $1, 'TN' || lpad(g::text, 5, '0'), 'Khách tiềm năng số ' || g, "
            "'khach tiem nang so ' || g, 'lead', now(), now() FROM generate_series(1, 5000) g", tenant_a.tenant_id)
    report = await ask(client, tenant_a, report="potential_customers", format="pdf")
    run_reports_worker(stack)
    pdf = pypdf.PdfReader(io.BytesIO(await download(client, tenant_a, report)))
    assert len(pdf.pages) > 50
    last = pdf.pages[-1].extract_text()
    assert "Tên khách hàng" in last  # the header repeats on every page
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert text.count("Khách tiềm năng số") == 5000
    listed = (await client.get(f"{API}/{report['id']}", headers=tenant_a.headers)).json()
    assert listed["rows_done"] == listed["rows_total"] == 5000
