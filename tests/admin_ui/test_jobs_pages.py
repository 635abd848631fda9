"""The job console in headless Chromium, with real burst workers: a company's admin sees a failed run with its
error, retries it from the page and watches it (with an export run by the worker meanwhile) finish without
reloading; support staff see the queues and a company's failed job, and retry it with a reason."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
from playwright.async_api import Page, expect

from tests import conftest
from tests.admin_ui.conftest import screenshot, sign_in, support_sign_in
from tests.conftest import TenantUser
from tests.identity.test_job_console import JOBS, runs
from tests.worker import failed_run, work

WORKED = 60_000  # ms: a burst worker starts, works the queues and the page's next refresh shows it


async def customers(client: httpx.AsyncClient, user: TenantUser, count: int) -> None:
    for n in range(count):
        created = await client.post("/api/contacts/v1/customers", headers=user.headers, json={"name": f"KH {n}"})
        assert created.status_code == 201, created.text


async def test_an_admin_retries_a_failed_run_and_watches_it_and_an_export_finish(
        page: Page, server: str, client: httpx.AsyncClient, stack: conftest.TestStack, tenant_a: TenantUser,
        tenant_b: TenantUser, owner_conn: asyncpg.Connection) -> None:
    await customers(client, tenant_a, 3)
    await failed_run(stack, owner_conn, tenant_a)
    await failed_run(stack, owner_conn, tenant_b)
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Công việc nền").click()
    jobs = page.locator("identity-jobs")
    table = jobs.get_by_role("table", name="Các lần chạy")
    rows = table.locator("tbody tr")
    await expect(rows).to_have_count(1)  # B's failed run is not here
    await expect(rows.first.locator("[data-status]")).to_have_text("lỗi")
    await expect(rows.first).to_contain_text("permission denied")
    await expect(jobs.get_by_role("table", name="Việc hằng ngày")).to_contain_text("chưa chạy")
    await screenshot(page, "jobs-failed-run")

    exported = await client.post("/api/contacts/v1/exports", headers=tenant_a.headers, json={"format": "csv"})
    assert exported.status_code == 202, exported.text
    await jobs.get_by_role("button", name="Chạy lại Đếm khách hàng").click()
    await expect(rows.first.locator("[data-status]")).to_have_text("đang chờ")
    # The workers run while the page stays as it is: it refreshes itself while a run waits or runs (the retried
    # run waits until the export is done, so the page is still refreshing when the export finishes).
    await asyncio.to_thread(work, stack, "imports", "default")
    count = rows.filter(has_text="Đếm khách hàng")
    await expect(count.locator("[data-status]")).to_have_text("xong", timeout=WORKED)
    await expect(count.locator("[data-rows]")).to_have_text("3")
    await expect(count.get_by_role("progressbar")).to_have_attribute("value", "1")
    export = rows.filter(has_text="Xuất khách hàng")
    await expect(export.locator("[data-status]")).to_have_text("xong", timeout=WORKED)
    await expect(count.get_by_role("button", name="Chạy lại Đếm khách hàng")).to_have_count(0)
    [latest, retried] = await runs(client, tenant_a)
    assert (latest["name"], latest["status"]) == ("services.contacts.jobs:run_export", "succeeded")
    assert (retried["status"], retried["attempts"], retried["rows_done"]) == ("succeeded", 2, 3)
    await screenshot(page, "jobs-runs")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "jobs-phone")

    await page.get_by_role("button", name="English").click()
    await expect(jobs.get_by_role("table", name="Runs").locator("[data-status]").first).to_have_text("succeeded")


async def test_support_sees_queues_and_retries_a_companys_failed_job_with_a_reason(
        page: Page, server: str, client: httpx.AsyncClient, stack: conftest.TestStack, tenant_a: TenantUser,
        owner_conn: asyncpg.Connection) -> None:
    await customers(client, tenant_a, 2)
    await failed_run(stack, owner_conn, tenant_a)
    await support_sign_in(page, server, stack)
    await page.get_by_role("navigation").get_by_role("link", name="Hàng đợi công việc").click()
    console = page.locator("identity-support-jobs")
    queues = console.get_by_role("table", name="Độ sâu hàng đợi")
    await expect(queues.locator("tbody tr")).to_have_count(4)
    await expect(queues.locator("tbody tr").nth(1).locator("td").first).to_have_text("default")
    job = console.get_by_role("table", name="Công việc").locator("tbody tr").filter(
        has=page.get_by_role("button", name=f"Các lần chạy của công ty {tenant_a.tenant_id}"))
    await expect(job).to_have_count(1)
    await expect(job).to_contain_text("permission denied")
    await expect(job).to_contain_text("Đếm khách hàng")
    await job.get_by_role("button", name=f"Các lần chạy của công ty {tenant_a.tenant_id}").click()
    tenant_runs = console.get_by_role("table", name=f"Các lần chạy của công ty {tenant_a.tenant_id}")
    await expect(tenant_runs.locator("tbody tr")).to_have_count(1)
    await expect(tenant_runs.locator("[data-status]")).to_have_text("lỗi")
    await screenshot(page, "support-jobs")

    await job.get_by_role("button", name="Chạy lại…").click()
    retry = console.get_by_role("form", name="Chạy lại với lý do")
    await retry.get_by_label("Lý do").fill("x")
    await retry.get_by_role("button", name="Chạy lại", exact=True).click()
    await expect(console.get_by_role("alert")).to_contain_text("reason")  # the API's refusal, field named
    await retry.get_by_label("Lý do").fill("Khách báo lỗi, chạy lại")
    await retry.get_by_role("button", name="Chạy lại", exact=True).click()
    await expect(page.get_by_text("Đã xếp lại lần chạy.")).to_be_visible()
    await expect(job).to_have_count(0)  # no longer among the failed jobs

    [run] = (await client.get(f"{JOBS}/runs", headers=tenant_a.headers)).json()["items"]
    assert (run["status"], run["attempts"]) == ("queued", 2)
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    audited = await owner_conn.fetch("SELECT actor_kind, support_reason FROM audit_entry WHERE tenant_id = $1 AND "
                                     "action = 'job_run.retry'", tenant_a.tenant_id)
    assert [(row["actor_kind"], row["support_reason"]) for row in audited] == [("support", "Khách báo lỗi, chạy lại")]
    await asyncio.to_thread(work, stack)
    assert (await runs(client, tenant_a))[0]["status"] == "succeeded"
