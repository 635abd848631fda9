"""The partners' pages in headless Chromium: make an existing customer a partner and move its status; see a
target's progress bar; see a partner's credit and its debt aged by days past due."""

from __future__ import annotations

import datetime

import httpx
from playwright.async_api import Page, expect

from tests.admin_ui.conftest import screenshot, sign_in
from tests.conftest import TenantUser
from tests.contacts.helpers import create_customer
from tests.partners.helpers import API, new_partner
from tests.pipeline.helpers import act, add_opportunity, default_stages
from tests.pipeline.sales import TODAY, ok


async def ledger(client: httpx.AsyncClient, user: TenantUser, customer_id: str, **body: object) -> None:
    await ok(await client.post(f"{API}/ledger", headers=user.headers, json={"customer_id": customer_id, **body}), 201)


async def test_a_customer_becomes_a_partner_and_moves_through_its_statuses(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser, tenant_b: TenantUser) -> None:
    customer = await create_customer(client, tenant_a, name="Công ty Phân Phối Sao Mai")
    policy = await ok(await client.post(f"{API}/policies", headers=tenant_a.headers, json={
        "name": "Chính sách đại lý", "valid_from": "2026-01-01", "rules": {"commissions": [{"rate_percent": 3}]}}), 201)
    await create_customer(client, tenant_b, name="Công ty Phân Phối Sao Khuê")  # another tenant's: never offered
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Đối tác", exact=True).click()
    partners = page.locator("partners-partners")
    form = partners.get_by_role("form", name="Thêm đối tác")
    await form.get_by_label("Tìm khách hàng").fill("Phân Phối")
    chosen = form.locator('select[name="customer_id"]')
    await expect(chosen.locator("option")).to_have_count(1)
    await expect(chosen.locator("option")).to_contain_text("Công ty Phân Phối Sao Mai")
    await chosen.select_option(customer["id"])
    await form.get_by_label("Loại").select_option("dealer")
    await form.get_by_label("Hạng").fill("gold")
    await form.get_by_role("button", name="Thêm đối tác").click()
    row = partners.locator("tbody tr", has_text="Công ty Phân Phối Sao Mai")
    await expect(row).to_contain_text("Đại lý ủy quyền")
    await expect(row.locator("[data-status]")).to_have_text("Đăng ký")
    listed = (await client.get(f"{API}/partners", headers=tenant_a.headers)).json()["items"]
    assert [(p["customer_id"], p["kind"], p["tier"], p["status"]) for p in listed] == [
        (customer["id"], "dealer", "gold", "applied")]

    # Keyboard only: the status button is reached and pressed without a mouse.
    await row.get_by_role("button", name="Đang hoạt động").focus()
    await page.keyboard.press("Enter")
    await expect(row.locator("[data-status]")).to_have_text("Đang hoạt động")
    await row.get_by_role("button", name="Tạm ngưng").click()
    await expect(row.locator("[data-status]")).to_have_text("Tạm ngưng")
    # Tier and policy changed from the edit form.
    await row.get_by_role("button", name="Sửa Công ty Phân Phối Sao Mai").click()
    edit = partners.get_by_role("form", name="Sửa đối tác")
    await edit.get_by_label("Hạng").fill("platinum")
    await edit.get_by_label("Chính sách").select_option(label="Chính sách đại lý")
    await edit.get_by_role("button", name="Lưu").click()
    await expect(row).to_contain_text("platinum")
    await expect(row).to_contain_text("Chính sách đại lý")
    changed = (await client.get(f"{API}/partners/{listed[0]['id']}", headers=tenant_a.headers)).json()
    assert (changed["status"], changed["tier"], changed["policy_id"]) == ("suspended", "platinum", policy["id"])

    # Its agreement, uploaded from the page with its dates (multipart to the API, the file to S3).
    await row.get_by_role("button", name="Thỏa thuận của Công ty Phân Phối Sao Mai").click()
    section = partners.get_by_role("region", name="Thỏa thuận của Công ty Phân Phối Sao Mai")
    upload = section.get_by_role("form", name="Tải thỏa thuận lên")
    await upload.get_by_label("Tệp").set_input_files(
        {"name": "hop-dong-dai-ly.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7 dai ly"})
    await upload.get_by_label("Ngày ký").fill("2026-01-05")
    await upload.get_by_label("Hiệu lực từ").fill("2026-01-05")
    await upload.get_by_label("Hiệu lực đến").fill("2099-12-31")
    await upload.get_by_role("button", name="Tải lên").click()
    agreement = section.locator("tbody tr", has_text="hop-dong-dai-ly.pdf")
    await expect(agreement).to_contain_text("2026-01-05 → 2099-12-31")
    await expect(agreement).to_contain_text("đang hiệu lực")
    stored = (await client.get(f"{API}/partners/{listed[0]['id']}/agreements", headers=tenant_a.headers)).json()
    assert [(a["name"], a["size_bytes"], a["signed_on"]) for a in stored] == [("hop-dong-dai-ly.pdf", 15, "2026-01-05")]
    await upload.get_by_label("Hiệu lực từ").fill("2026-02-01")
    await upload.get_by_label("Hiệu lực đến").fill("2026-01-01")
    await upload.get_by_label("Tệp").set_input_files(
        {"name": "sai-ngay.pdf", "mimeType": "application/pdf", "buffer": b"%PDF"})
    await upload.get_by_role("button", name="Tải lên").click()
    await expect(partners.get_by_role("alert")).to_contain_text("valid_to")  # the API's problem, naming the field
    await screenshot(page, "partners-agreements")

    await partners.get_by_role("form", name="Lọc đối tác").get_by_label("Trạng thái").select_option("active")
    await expect(partners.get_by_text("Chưa có dữ liệu.")).to_be_visible()
    await screenshot(page, "partners-partner-created")


async def test_a_targets_progress_and_a_partners_credit_ageing(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    partner = await new_partner(client, tenant_a, "Đại lý Minh Châu")
    month = TODAY.replace(day=1).isoformat()
    target = await ok(await client.post(f"{API}/targets", headers=tenant_a.headers, json={
        "partner_id": partner["id"], "period": "month", "period_start": month, "target": 10_000_000,
        "tiers": [{"threshold_percent": 50, "rate_bp": 100}, {"threshold_percent": 100, "rate_bp": 300}]}), 201)
    await ledger(client, tenant_a, partner["customer_id"], kind="sales_order", reference="DH-1", amount=6_000_000,
                 document_date=TODAY.isoformat())
    # Credit: a limit, an invoice 45 days past due and one not yet due, a partial payment (oldest first).
    await ok(await client.put(f"{API}/credit/{partner['customer_id']}", headers=tenant_a.headers,
                              json={"credit_limit": 50_000_000, "payment_terms_days": 30}))
    late = TODAY - datetime.timedelta(days=75)
    await ledger(client, tenant_a, partner["customer_id"], kind="invoice", reference="HD-1", amount=8_000_000,
                 document_date=late.isoformat(), due_date=(late + datetime.timedelta(days=30)).isoformat())
    await ledger(client, tenant_a, partner["customer_id"], kind="invoice", reference="HD-2", amount=2_500_000,
                 document_date=TODAY.isoformat(), due_date=(TODAY + datetime.timedelta(days=30)).isoformat())
    await ledger(client, tenant_a, partner["customer_id"], kind="payment", reference="PT-1", amount=3_000_000,
                 document_date=TODAY.isoformat())

    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Chỉ tiêu chiết khấu").click()
    targets = page.locator("partners-targets")
    bar = targets.get_by_role("progressbar", name="Tiến độ Đại lý Minh Châu")
    await expect(bar).to_have_attribute("aria-valuenow", "60")
    row = targets.locator("tbody tr", has=page.locator(f'[data-target="{target["id"]}"]'))
    await expect(row.locator("[data-attainment]")).to_have_text("60%")
    await expect(row).to_contain_text("6.000.000")
    await expect(row).to_contain_text("1.00%")  # the 50 % tier reached: 1 % rebate
    await expect(row).to_contain_text("60.000")  # 1 % of 6,000,000
    await screenshot(page, "partners-target-progress")

    await page.get_by_role("navigation").get_by_role("link", name="Tín dụng đối tác").click()
    credit = page.locator("partners-credit")
    await credit.get_by_role("form", name="Chọn đối tác").get_by_label("Đối tác").select_option(partner["id"])
    account = credit.get_by_role("region", name="Tín dụng của đối tác")
    await expect(account.locator("[data-balance]")).to_contain_text("7.500.000")
    await expect(account.locator("[data-overdue]")).to_contain_text("5.000.000")
    await expect(account.locator("[data-available]")).to_contain_text("42.500.000")
    ageing = credit.locator(f'tr[data-customer="{partner["customer_id"]}"]')
    await expect(ageing.locator('[data-bucket="days_31_60"]')).to_contain_text("5.000.000")
    await expect(ageing.locator('[data-bucket="current"]')).to_contain_text("2.500.000")
    await expect(ageing.locator('[data-bucket="days_0_30"]')).to_contain_text("0")
    await expect(ageing).to_contain_text("khóa")  # overdue beyond the terms: on hold
    await screenshot(page, "partners-credit-ageing")

    await page.get_by_role("button", name="English").click()
    await expect(page.get_by_role("heading", name="Partner credit")).to_be_visible()
    await expect(credit.get_by_role("columnheader", name="31–60 days")).to_be_visible()


async def test_territories_show_their_overlaps_and_gaps_and_are_edited_in_place(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await ok(await client.post(f"{API}/territories", headers=tenant_a.headers,
                               json={"name": "Thủ đô", "province_codes": ["01"]}), 201)
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Vùng phụ trách").click()
    territories = page.locator("partners-territories")
    form = territories.get_by_role("form", name="Thêm vùng")
    await form.get_by_label("Tên vùng").fill("Miền Bắc")
    await form.get_by_label("Cả tỉnh/thành").select_option(["01", "31"])  # Hà Nội, Hải Phòng
    await form.get_by_label("Quận/huyện").fill("79: Quận 1")
    await form.get_by_role("button", name="Thêm vùng").click()
    await expect(territories.locator("tbody tr", has_text="Miền Bắc")).to_contain_text("Quận 1 (Hồ Chí Minh)")
    await expect(territories.locator("[data-overlaps]")).to_contain_text("Hà Nội: Thủ đô, Miền Bắc")
    await screenshot(page, "partners-territories-overlap")

    await territories.get_by_role("button", name="Sửa Miền Bắc").click()
    edit = territories.get_by_role("form", name="Sửa vùng")
    await edit.get_by_label("Cả tỉnh/thành").select_option(["31"])
    await edit.get_by_role("button", name="Lưu").click()
    await expect(territories.get_by_text("Không có nơi nào bị hai vùng cùng phủ.")).to_be_visible()
    coverage = (await client.get(f"{API}/territories/coverage", headers=tenant_a.headers)).json()
    assert coverage["overlaps"] == [] and "01" not in coverage["gaps"] and "31" not in coverage["gaps"]
    await expect(territories.locator("[data-gaps]")).not_to_contain_text("Hải Phòng")


async def test_collaborator_results_for_the_month(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await default_stages(client, tenant_a)
    policy = await ok(await client.post(f"{API}/policies", headers=tenant_a.headers, json={
        "name": "Hoa hồng CTV", "valid_from": "2020-01-01", "rules": {"commissions": [{"rate_percent": 2.5}]}}), 201)
    ctv = await new_partner(client, tenant_a, "CTV Lê Văn Cường", kind="collaborator", policy_id=policy["id"])
    buyer = await create_customer(client, tenant_a, name="Khách của CTV")
    await add_opportunity(client, tenant_a, kind="lead", name="Lead CTV", referred_by_partner_id=ctv["id"])
    deal = await add_opportunity(client, tenant_a, name="Đơn CTV", customer_id=buyer["id"],
                                 expected_revenue=12_345_678, referred_by_partner_id=ctv["id"])
    await act(client, tenant_a, deal["id"], "won")
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Kết quả cộng tác viên").click()
    results = page.locator("partners-results")
    row = results.locator("tbody tr", has_text="CTV Lê Văn Cường")
    await expect(row).to_contain_text("1 (50%)")  # of 2 referred, 1 converted
    await expect(row).to_contain_text("12.345.678")
    await expect(row.locator("[data-commission]")).to_contain_text("308.642")  # 2.5 % = 308,641.95 → 308,642
    await screenshot(page, "partners-results-month")
    last_year = f"{TODAY.year - 1}-01-01"
    form = results.get_by_role("form", name="Chọn kỳ")
    await form.locator('select[name="period"]').select_option("year")
    await form.get_by_label("Bắt đầu kỳ").fill(last_year)
    await expect(row.locator("[data-commission]")).to_contain_text("0")
    await expect(row).not_to_contain_text("12.345.678")
