"""The reporting pages in headless Chromium: the dashboard draws each indicator as a chart and a table, this
period against the previous one, in Vietnamese and English, and saves a chart as SVG and PNG; the reports page
asks for a report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from playwright.async_api import Page, expect

from tests.admin_ui.conftest import screenshot, sign_in
from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer
from tests.pipeline.helpers import add_opportunity, default_stages


async def test_the_dashboard_charts_each_indicator_and_saves_svg_and_png(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    new, proposal, _won = await default_stages(client, tenant_a)
    await add_opportunity(client, tenant_a, name="Máy lọc nước", stage_id=new["id"], expected_revenue=10_000_000)
    await add_opportunity(client, tenant_a, name="Hệ thống RO", stage_id=proposal["id"], expected_revenue=30_000_000)
    await create_customer(client, tenant_a, name="Công ty Mới", lifecycle_stage="lead")

    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Thống kê").click()
    dashboard = page.locator("reporting-dashboard")
    chart = dashboard.locator('svg[data-chart="pipeline"]')
    await expect(chart).to_be_visible()
    await expect(chart).to_contain_text("Cơ hội đang mở theo giai đoạn")
    table = dashboard.locator('table[data-table="pipeline"]')
    await expect(table.get_by_role("row", name="GĐ Proposal")).to_contain_text("30.000.000")
    await expect(table.get_by_role("row", name="GĐ Proposal")).to_contain_text("15.000.000")  # weighted, 50 %
    comparison = dashboard.locator('table[data-table="comparison"]')
    await expect(comparison.get_by_role("columnheader", name="Kỳ trước", exact=False)).to_be_visible()
    await expect(comparison.get_by_role("row", name="Cơ hội mới")).to_contain_text("2")
    await screenshot(page, "reporting-dashboard")

    async with page.expect_download() as svg_download:
        await dashboard.get_by_role("button", name="Lưu SVG: Cơ hội đang mở theo giai đoạn").click()
    assert (await svg_download.value).suggested_filename == "pipeline.svg"
    text = (await asyncio.to_thread(Path(await (await svg_download.value).path()).read_bytes)).decode("utf-8")
    assert text.startswith("<?xml") and 'xmlns="http://www.w3.org/2000/svg"' in text
    assert "Cơ hội đang mở theo giai đoạn" in text and "GĐ Proposal" in text and "<rect" in text

    async with page.expect_download() as png_download:
        await dashboard.get_by_role("button", name="Lưu PNG: Cơ hội đang mở theo giai đoạn").click()
    png = await asyncio.to_thread(Path(await (await png_download.value).path()).read_bytes)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")

    await dashboard.get_by_role("button", name="Năm nay so với năm trước").click()
    await expect(dashboard.get_by_text("so với kỳ trước")).to_contain_text("31/12")
    await expect(comparison.get_by_role("row", name="Cơ hội mới")).to_contain_text("2")

    await page.get_by_role("button", name="English").click()
    await expect(dashboard.locator('svg[data-chart="pipeline"]')).to_contain_text("Open opportunities by stage")
    await expect(dashboard.locator('table[data-table="comparison"]').get_by_role(
        "columnheader", name="Previous period", exact=False)).to_be_visible()
    await expect(dashboard.locator('svg[data-chart="funnel"]')).to_contain_text("Lead")


async def test_the_reports_page_asks_for_a_report(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Báo cáo in và xuất").click()
    reports = page.locator("reporting-reports")
    form = reports.get_by_role("form", name="Yêu cầu báo cáo")
    await form.get_by_label("Báo cáo").select_option("debt")
    await form.get_by_label("Định dạng").select_option("xlsx")
    await form.get_by_role("button", name="Yêu cầu").click()
    await expect(reports.get_by_role("cell", name="Công nợ theo tuổi nợ")).to_be_visible()
    await expect(reports.get_by_role("cell", name="XLSX")).to_be_visible()
    listed = await client.get("/api/reporting/v1/reports", headers=tenant_a.headers)
    assert [(r["report"], r["file_format"]) for r in listed.json()] == [("debt", "xlsx")]
