"""The admin shell in headless Chromium: sign-in, the menu from the services' manifests, language, tenant
switching without leaks, an API key's secret shown once, a service down, session expiry, support acting."""

from __future__ import annotations

import asyncio
import re
import uuid

import asyncpg
import httpx
from playwright.async_api import Page, expect

from services.identity.tables import Membership
from tests import conftest
from tests.admin_ui.conftest import screenshot, sign_in
from tests.conftest import TenantUser, sign_up
from tests.identity.members import add_member, user_id_of
from tests.identity.support_helpers import SUPPORT_PASSWORD, create_support_user
from tests.webhooks.test_endpoints import create_endpoint
from tests.worker import failed_run


async def test_sign_in_shows_the_menu_from_manifests_and_switches_language(
        page: Page, server: str, tenant_a: TenantUser) -> None:
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    menu = page.get_by_role("navigation")
    # Pages of two services, each read from its own manifest; Vietnamese for a Vietnamese company.
    await expect(menu.get_by_role("link", name="Thành viên")).to_be_visible()
    await expect(menu.get_by_role("link", name="Nguồn khách hàng")).to_be_visible()
    await expect(page.get_by_role("heading", name="Thành viên")).to_be_visible()
    await expect(page.get_by_role("cell", name=tenant_a.email)).to_be_visible()
    # Every page of the menu opens without a script error (the `page` fixture fails on one); a picture of each.
    links = menu.get_by_role("link")
    for index in range(await links.count()):
        link = links.nth(index)
        title = (await link.text_content() or "").strip()
        await link.click()
        await expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_text(title)
        await expect(page.get_by_role("main").get_by_text("Đang tải…")).to_have_count(0)
        await screenshot(page, (await link.get_attribute("href") or "").strip("#/").replace("/", "-"))
    await menu.get_by_role("link", name="Thành viên").click()

    await page.get_by_role("button", name="English").click()
    await expect(menu.get_by_role("link", name="Members")).to_be_visible()
    await expect(page.get_by_role("heading", name="Members")).to_be_visible()
    assert await page.evaluate("document.documentElement.lang") == "en"
    await page.reload()  # the choice stays
    await expect(page.get_by_role("heading", name="Members")).to_be_visible()

    await menu.get_by_role("link", name="Customer sources").click()
    await page.get_by_label("Source name").fill("Hội chợ triển lãm")
    await page.get_by_role("button", name="Add").click()
    await expect(page.get_by_role("cell", name="Hội chợ triển lãm")).to_be_visible()
    await page.get_by_role("button", name="Add").click()  # an empty name: the API's problem, in English
    await expect(page.get_by_role("alert")).to_contain_text("name")
    await screenshot(page, "sources")


async def test_an_english_speaking_company_gets_english_until_the_user_chooses_and_signs_out(
        page: Page, server: str, client: httpx.AsyncClient) -> None:
    email = f"owner-{uuid.uuid4().hex[:10]}@example.com"
    signup = await client.post("/api/identity/v1/signup", json={
        "company_name": "Saigon Imports Ltd", "email": email, "password": "a-long-password-1", "language": "en"})
    assert signup.status_code == 201, signup.text
    await sign_in(page, server, email, "a-long-password-1")
    await expect(page.get_by_role("heading", name="Members")).to_be_visible()
    await page.get_by_role("button", name="Tiếng Việt").click()
    await expect(page.get_by_role("heading", name="Thành viên")).to_be_visible()

    session = await page.evaluate("JSON.parse(localStorage['crm.session']).user")
    await page.get_by_role("button", name="Đăng xuất").click()
    await expect(page.get_by_role("form", name="Đăng nhập")).to_be_visible()
    assert "refresh_token" not in await page.evaluate("localStorage['crm.session']")
    ended = await client.post("/api/identity/v1/token/refresh", json={"refresh_token": session["refresh_token"]})
    assert ended.status_code == 401  # signing out ended the session on the server too


async def test_switching_tenant_shows_only_that_tenants_members(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser, tenant_b: TenantUser) -> None:
    # Tenant A's owner is also an admin of tenant B.
    await Membership(tenant_id=tenant_b.tenant_id, user_id=await user_id_of(client, tenant_a), role="admin").save()
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    members = page.locator("identity-members")
    await expect(members.get_by_role("cell", name=tenant_a.email)).to_be_visible()
    await expect(members).not_to_contain_text(tenant_b.email)

    await page.get_by_label("Công ty").select_option(str(tenant_b.tenant_id))
    await expect(members.get_by_role("cell", name=tenant_b.email)).to_be_visible()
    await expect(members.get_by_role("cell", name=tenant_a.email)).to_be_visible()  # a member of B too
    rows = members.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(page.get_by_role("banner")).to_contain_text("Công ty Bình Minh")
    # A's other members never show in B: add one to A and look again.
    other = await sign_up(client, "Công ty An Phát 2")
    await Membership(tenant_id=tenant_a.tenant_id, user_id=await user_id_of(client, other), role="viewer").save()
    await page.reload()
    await expect(rows).to_have_count(2)
    await expect(members).not_to_contain_text(other.email)
    await page.get_by_label("Công ty").select_option(str(tenant_a.tenant_id))
    await expect(members.get_by_role("cell", name=other.email)).to_be_visible()
    await expect(members).not_to_contain_text(tenant_b.email)


async def test_an_api_key_secret_is_shown_once(page: Page, server: str, client: httpx.AsyncClient,
                                                tenant_a: TenantUser) -> None:
    await sign_in(page, server, tenant_a.email, tenant_a.password)
    await page.get_by_role("link", name="Khóa API").click()
    await page.get_by_label("Tên", exact=True).fill("Kế toán ERP")
    await page.get_by_label("Phạm vi").fill("contacts:read")
    await page.get_by_role("button", name="Tạo khóa").click()
    secret = page.locator("[data-secret]")
    await expect(secret).to_have_text(re.compile(r"^crm_"))
    key = (await secret.text_content() or "").strip()
    await screenshot(page, "api-key-created")
    works = await client.get("/api/contacts/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert works.status_code == 200, works.text

    await page.get_by_role("button", name="Tôi đã lưu khóa").click()
    await expect(secret).to_have_count(0)
    await expect(page.get_by_role("cell", name="Kế toán ERP")).to_be_visible()
    await page.reload()
    await expect(page.get_by_role("cell", name="Kế toán ERP")).to_be_visible()
    assert key not in await page.locator("identity-api-keys").evaluate("e => e.shadowRoot.innerHTML")
    assert key not in await page.evaluate("JSON.stringify(localStorage)")

    await page.get_by_role("button", name="Thu hồi").click()
    await expect(page.get_by_text("Đã thu hồi", exact=True)).to_be_visible()
    refused = await client.get("/api/contacts/v1/customers", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401


async def test_a_service_down_is_unavailable_in_the_menu_while_the_rest_works(
        page: Page, server_without_contacts: str, tenant_a: TenantUser) -> None:
    await sign_in(page, server_without_contacts, tenant_a.email, tenant_a.password)
    menu = page.get_by_role("navigation")
    await expect(menu.locator('[data-service="contacts"]')).to_contain_text("không khả dụng")
    await expect(menu.get_by_role("link", name="Nguồn khách hàng")).to_have_count(0)
    await menu.get_by_role("link", name="Chi nhánh").click()
    await page.get_by_label("Mã").fill("HN")
    await page.get_by_label("Tên", exact=True).fill("Chi nhánh Hà Nội")
    await page.get_by_role("button", name="Mở chi nhánh").click()
    await expect(page.get_by_role("cell", name="Chi nhánh Hà Nội")).to_be_visible()
    await page.goto(f"{server_without_contacts}/#/contacts/sources")
    await expect(page.get_by_role("main")).to_contain_text("không khả dụng")
    await screenshot(page, "service-down")


async def test_an_expired_access_token_is_refreshed_then_an_ended_session_goes_back_to_sign_in(
        page: Page, server_without_contacts: str, tenant_a: TenantUser) -> None:
    base = server_without_contacts  # its access tokens last three seconds
    await sign_in(page, base, tenant_a.email, tenant_a.password)
    await expect(page.get_by_role("cell", name=tenant_a.email)).to_be_visible()
    first = await page.evaluate("JSON.parse(localStorage['crm.session']).user")
    await asyncio.sleep(3.5)
    await page.get_by_role("link", name="Vai trò và quyền").click()
    await expect(page.get_by_role("heading", name="Vai trò và quyền")).to_be_visible()
    await expect(page.get_by_role("cell", name=re.compile("Chủ sở hữu"))).to_be_visible()
    second = await page.evaluate("JSON.parse(localStorage['crm.session']).user")
    assert second["refresh_token"] != first["refresh_token"]  # rotated

    # Presenting the spent refresh token again ends the whole session on the server.
    async with httpx.AsyncClient(base_url=base) as http:
        reuse = await http.post("/api/identity/v1/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    await page.get_by_role("link", name="Thành viên").click()
    await expect(page.get_by_role("form", name="Đăng nhập")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text("Phiên đăng nhập đã hết hạn")
    # Signing in again returns to the page that was asked for.
    await sign_in(page, base, tenant_a.email, tenant_a.password)
    await expect(page.get_by_role("heading", name="Thành viên")).to_be_visible()


async def failing_endpoint(client: httpx.AsyncClient, owner_conn: asyncpg.Connection, user: TenantUser,
                           url: str) -> None:
    """An endpoint of `user`'s company that has been failing for an hour (the delivery itself is tested in
    tests/webhooks)."""
    endpoint = await create_endpoint(client, user, url)
    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(user.tenant_id))
    await owner_conn.execute("UPDATE webhook_endpoint SET failing_since = now() - interval '1 hour' WHERE id = $1",
                             uuid.UUID(endpoint["id"]))


async def test_support_finds_a_tenant_sees_its_members_webhooks_and_jobs_and_acts_as_its_user_with_a_reason(
        page: Page, server: str, client: httpx.AsyncClient, stack: conftest.TestStack, tenant_a: TenantUser,
        tenant_b: TenantUser, owner_conn: asyncpg.Connection) -> None:
    seller = await add_member(tenant_a, "salesperson", "Trần Thị Bán")
    await add_member(tenant_b, "salesperson", "Người của Bình Minh")
    hook_a, hook_b = (f"http://127.0.0.1:9/hook-{uuid.uuid4().hex[:8]}" for _ in range(2))
    await failing_endpoint(client, owner_conn, tenant_a, hook_a)
    await failing_endpoint(client, owner_conn, tenant_b, hook_b)
    await failed_run(stack, owner_conn, tenant_a)
    await failed_run(stack, owner_conn, tenant_b)
    email = create_support_user(stack)
    await page.goto(f"{server}/")
    await page.get_by_role("button", name="Đăng nhập nhân viên hỗ trợ").click()
    form = page.get_by_role("form", name="Đăng nhập nhân viên hỗ trợ")
    await form.get_by_label("Email").fill(email)
    await form.get_by_label("Mật khẩu").fill(SUPPORT_PASSWORD)
    await form.get_by_role("button", name="Đăng nhập").click()
    await page.get_by_label("Tên, slug").fill(tenant_a.email)
    await page.get_by_role("button", name="Tìm", exact=True).click()
    await page.get_by_role("button", name="Công ty An Phát").click()
    # The company's detail: its members, failing webhooks and failed jobs, none of Bình Minh's.
    members = page.locator("identity-tenant-members").get_by_role("table", name="Thành viên của công ty")
    await expect(members.locator("tbody tr")).to_have_count(2)
    await expect(members.get_by_role("row").filter(has_text=tenant_a.email)).to_contain_text("owner")
    await expect(members.get_by_role("row").filter(has_text=seller.email)).to_contain_text("Trần Thị Bán")
    await expect(members).not_to_contain_text(tenant_b.email)
    hooks = page.locator("webhooks-support-failing").get_by_role("table", name="Điểm nhận đang lỗi của công ty")
    await expect(hooks.locator("tbody tr")).to_have_count(1)
    await expect(hooks.locator("tbody tr")).to_contain_text(hook_a)
    await expect(hooks.locator("tbody tr")).to_contain_text("đang lỗi")
    jobs = page.locator("identity-tenant-failed-jobs")
    failed = jobs.get_by_role("table", name="Các lần chạy lỗi của công ty").locator("tbody tr")
    await expect(failed).to_have_count(1)
    await expect(failed.locator("[data-status]")).to_have_text("lỗi")
    await expect(failed).to_contain_text("Đếm khách hàng")
    await expect(failed).to_contain_text("permission denied")
    await screenshot(page, "support-tenant-detail")
    await failed.get_by_role("button", name="Chạy lại…").click()
    retry = jobs.get_by_role("form", name="Chạy lại với lý do")
    await expect(retry).to_contain_text(str(tenant_a.tenant_id))
    await retry.get_by_label("Lý do").fill("Khách báo lỗi đếm khách")
    await retry.get_by_role("button", name="Chạy lại", exact=True).click()
    await expect(page.get_by_text("Đã xếp lại lần chạy.")).to_be_visible()
    await expect(failed).to_have_count(0)  # queued again: no longer failed
    [run_a] = (await client.get("/api/identity/v1/jobs/runs", headers=tenant_a.headers)).json()["items"]
    [run_b] = (await client.get("/api/identity/v1/jobs/runs", headers=tenant_b.headers)).json()["items"]
    assert (run_a["status"], run_a["attempts"], run_b["status"]) == ("queued", 2, "failed")

    reason = f"Phiếu hỗ trợ #{uuid.uuid4().hex[:6]}"
    await page.get_by_label("Lý do").fill(reason)
    await page.get_by_role("button", name="Đóng vai chủ sở hữu").click()
    banner = page.locator(".acting")
    await expect(banner).to_contain_text(reason)
    await expect(banner).to_contain_text("chỉ đọc")
    await expect(page.get_by_role("cell", name=tenant_a.email)).to_be_visible()
    await screenshot(page, "support-acting")

    await page.get_by_role("link", name="Nhật ký hoạt động").click()
    await expect(page.get_by_role("cell", name=re.compile(re.escape(reason))).first).to_be_visible()
    await page.get_by_role("button", name="Kết thúc đóng vai").click()
    await expect(page.get_by_role("heading", name="Tìm công ty")).to_be_visible()
