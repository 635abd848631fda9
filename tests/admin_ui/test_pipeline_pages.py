"""The pipeline's pages in headless Chromium: reorder stages by dragging a row, delete one that holds an
opportunity by choosing where it goes; move an opportunity on the
board by dragging its card to another column, after which the API and the column sums agree."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import icalendar
from playwright.async_api import Locator, Page, expect

from tests.admin_ui.conftest import screenshot, sign_in
from tests.conftest import TenantUser
from tests.pipeline.activity_helpers import ACTIVITIES, TYPES, new_customer, schedule
from tests.pipeline.helpers import API, add_opportunity, add_stages, default_stages
from tests.pipeline.sales import create_product, ok


async def test_dragging_a_stage_row_reorders_the_stages_and_deleting_one_asks_where_its_deals_go(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    first, second, third = await add_stages(client, tenant_a, ("Lead", 10, False), ("Offer", 40, False),
                                            ("Signed", 100, True))
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Giai đoạn bán hàng").click()
    stages = page.locator("pipeline-stages")
    await stages.locator(f'tr[data-stage="{third["id"]}"]').drag_to(stages.locator(f'tr[data-stage="{first["id"]}"]'))
    await expect(page.get_by_text("Đã đổi thứ tự.")).to_be_visible()
    listed = await client.get(f"{API}/stages", headers=tenant_a.headers)
    assert [s["id"] for s in listed.json()] == [third["id"], first["id"], second["id"]]
    await expect(stages.locator("tbody tr").first).to_contain_text("GĐ Signed")
    await screenshot(page, "pipeline-stages-reordered")
    await stages.locator(f'tr[data-stage="{second["id"]}"]').get_by_role("button", name="Lên").click()
    await expect(stages.locator("tbody tr").nth(1)).to_contain_text("GĐ Offer")

    deal = await add_opportunity(client, tenant_a, stage_id=second["id"])
    await stages.locator(f'tr[data-stage="{second["id"]}"]').get_by_role("button", name="Xóa").click()
    await expect(stages.get_by_role("alert")).to_contain_text("Giai đoạn đang có 1 cơ hội")  # the API's 409
    choice = stages.get_by_role("form", name="Chuyển cơ hội")
    await choice.get_by_label("Chuyển cơ hội sang").select_option(first["id"])
    await choice.get_by_role("button", name="Chuyển và xóa").click()
    await expect(stages.locator("tbody tr")).to_have_count(2)
    await expect(stages.get_by_role("alert")).to_have_count(0)
    moved = await client.get(f"{API}/opportunities/{deal['id']}", headers=tenant_a.headers)
    assert moved.json()["stage_id"] == first["id"]


async def test_dragging_a_card_to_another_column_moves_the_opportunity(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    new, proposal, _won = await default_stages(client, tenant_a)
    deal = await add_opportunity(client, tenant_a, name="Hợp đồng phần mềm Hà Nội", stage_id=new["id"],
                                 expected_revenue=12_000_000)
    await add_opportunity(client, tenant_a, name="Máy chủ Đà Nẵng", stage_id=proposal["id"], expected_revenue=3_000_000)
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Bảng cơ hội").click()
    board = page.locator("pipeline-board")
    source, target = (board.locator(f'section[data-stage="{stage["id"]}"]') for stage in (new, proposal))
    await expect(target.locator("[data-count]")).to_have_text("1")
    await expect(target.locator("[data-expected]")).to_contain_text("3.000.000")

    await board.locator(f'article[data-opportunity="{deal["id"]}"]').drag_to(target)
    await expect(target.locator("[data-count]")).to_have_text("2")
    await expect(source.locator("[data-count]")).to_have_text("0")
    await expect(target.locator("[data-expected]")).to_contain_text("15.000.000")
    await expect(target.locator("[data-weighted]")).to_contain_text("7.500.000")  # 50% of each
    await expect(source.locator("[data-expected]")).to_contain_text("0")
    moved = await client.get(f"{API}/opportunities/{deal['id']}", headers=tenant_a.headers)
    assert moved.json()["stage_id"] == proposal["id"]
    await screenshot(page, "pipeline-board-moved")
    # Without a mouse: the card's select moves it too.
    await board.get_by_label("Chuyển Máy chủ Đà Nẵng sang").select_option(new["id"])
    await expect(source.locator("[data-count]")).to_have_text("1")
    await expect(source.locator("[data-weighted]")).to_contain_text("300.000")  # 10% of 3,000,000


def row_of(page: Page, table: Locator, code: str) -> Locator:
    """The row whose cell is exactly `code` (a bundle's row also names its parts' codes)."""
    return table.get_by_role("row").filter(has=page.get_by_role("cell", name=code, exact=True))


async def test_a_product_is_edited_made_a_bundle_and_a_price_policy_edited_from_the_pages(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    printer = await create_product(client, tenant_a, code="MI-01", name="Máy in", list_price=3_000_000)
    toner = await create_product(client, tenant_a, code="MUC-01", name="Hộp mực", list_price=400_000)
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Sản phẩm").click()
    products = page.locator("pipeline-products")
    await row_of(page, products, "MI-01").get_by_role("button", name="Sửa").click()
    editor = products.get_by_role("form", name="Sửa sản phẩm")
    await editor.get_by_label("Tên").fill("Bộ máy in văn phòng")
    await editor.get_by_label("Giá niêm yết").fill("3500000")
    await editor.get_by_label("Thuế suất (%)").fill("8")
    await editor.get_by_role("button", name="Lưu").click()
    await expect(row_of(page, products, "MI-01")).to_contain_text("Bộ máy in văn phòng")
    edited = await ok(await client.get(f"{API}/products/{printer['id']}", headers=tenant_a.headers))
    assert (edited["name"], edited["list_price"], Decimal(edited["tax_rate"])) == (
        "Bộ máy in văn phòng", 3_500_000, Decimal(8))

    await row_of(page, products, "MI-01").get_by_role("button", name="Sửa").click()
    parts = products.get_by_role("form", name="Thành phần của bộ sản phẩm")
    await parts.get_by_role("button", name="Thêm thành phần").click()
    await parts.get_by_label("Thành phần 1").select_option(toner["id"])
    await parts.get_by_label("Số lượng").fill("2")
    await parts.get_by_role("button", name="Lưu thành phần").click()
    await expect(row_of(page, products, "MI-01")).to_contain_text("2 × MUC-01")
    bundle = await ok(await client.get(f"{API}/products/{printer['id']}", headers=tenant_a.headers))
    assert [(c["product_id"], Decimal(c["quantity"])) for c in bundle["components"]] == [(toner["id"], Decimal(2))]
    # A part may not contain its bundle: the API's refusal shows on the page.
    await row_of(page, products, "MUC-01").get_by_role("button", name="Sửa").click()
    await parts.get_by_role("button", name="Thêm thành phần").click()
    await parts.get_by_label("Thành phần 1").select_option(printer["id"])
    await parts.get_by_role("button", name="Lưu thành phần").click()
    await expect(products.get_by_role("alert")).to_be_visible()
    assert (await ok(await client.get(f"{API}/products/{toner['id']}", headers=tenant_a.headers)))["components"] == []
    await screenshot(page, "pipeline-products-bundle")

    policy = await ok(await client.post(f"{API}/price-policies", headers=tenant_a.headers, json={
        "name": "Giảm giá mùa hè", "valid_from": "2026-06-01", "percent": "5", "product_id": printer["id"]}), 201)
    await page.get_by_role("navigation").get_by_role("link", name="Chính sách giá").click()
    policies = page.locator("pipeline-price-policies")
    await policies.get_by_role("row").filter(has_text="Giảm giá mùa hè").get_by_role("button", name="Sửa").click()
    form = policies.get_by_role("form", name="Sửa chính sách giá")
    await form.get_by_label("Đến ngày").fill("2026-08-31")
    await form.get_by_label("Ưu tiên").fill("3")
    await form.get_by_role("button", name="Lưu").click()
    await expect(policies.get_by_role("row").filter(has_text="Giảm giá mùa hè")).to_contain_text("2026-08-31")
    await policies.get_by_role("row").filter(has_text="Giảm giá mùa hè").get_by_role("button", name="Tắt").click()
    await expect(policies.get_by_role("row").filter(has_text="Giảm giá mùa hè")).to_contain_text("đã tắt")
    saved = await ok(await client.get(f"{API}/price-policies/{policy['id']}", headers=tenant_a.headers))
    assert (saved["valid_to"], saved["priority"], saved["active"]) == ("2026-08-31", 3, False)


async def test_the_calendar_shows_my_week_and_month_marks_done_and_gives_a_feed_a_calendar_app_reads(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    today = datetime.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=3)
    todo = (await client.get(TYPES, headers=tenant_a.headers)).json()[3]
    customer = await new_customer(client, tenant_a)
    call = await schedule(client, tenant_a, customer["id"], todo["id"], summary="Gọi lại anh Bình",
                          due_date=today.isoformat(), due_time="09:30:00")
    await schedule(client, tenant_a, customer["id"], todo["id"], summary="Gửi hợp đồng gia hạn",
                   due_date=next_month.isoformat())
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Lịch hoạt động").click()
    calendar = page.locator("pipeline-calendar")
    day = calendar.locator(f'section[data-day="{today.isoformat()}"]')
    await expect(day).to_contain_text("09:30 Gọi lại anh Bình")
    await expect(calendar.locator("[data-range]")).to_contain_text("Asia/Ho_Chi_Minh")
    await screenshot(page, "pipeline-calendar-week")

    await day.get_by_role("button", name="Hoàn thành: Gọi lại anh Bình").click()
    done_form = calendar.get_by_role("form", name="Hoàn thành hoạt động")
    await done_form.get_by_label("Kết quả").fill("Khách đồng ý gặp tuần sau")
    await done_form.get_by_role("button", name="Hoàn thành").click()
    await expect(day.locator(f'[data-activity="{call["id"]}"]')).to_contain_text("đã xong")
    finished = await client.get(f"{ACTIVITIES}/{call['id']}", headers=tenant_a.headers)
    assert (finished.json()["status"], finished.json()["feedback"]) == ("done", "Khách đồng ý gặp tuần sau")

    await calendar.get_by_label("Xem theo").select_option("month")
    await expect(calendar.locator(f'section[data-day="{today.isoformat()}"]')).to_contain_text("Gọi lại anh Bình")
    await calendar.get_by_role("button", name="Sau →").click()
    await expect(calendar.locator(f'section[data-day="{next_month.isoformat()}"]')).to_contain_text(
        "Gửi hợp đồng gia hạn")
    await screenshot(page, "pipeline-calendar-month")

    await calendar.get_by_role("button", name="Tạo địa chỉ mới").click()
    feed_url = await calendar.get_by_label("Địa chỉ (chỉ hiện một lần)").input_value()
    assert feed_url.endswith(".ics")
    async with httpx.AsyncClient() as anonymous:  # a calendar app: no login, the URL's token opens it
        feed = await anonymous.get(server.rstrip("/") + urlsplit(feed_url).path)  # the deployment's public URL aside
    assert feed.status_code == 200, feed.text
    events = [str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(feed.content).walk("VEVENT")]
    assert "Gửi hợp đồng gia hạn" in events
