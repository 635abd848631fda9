"""The customers page in headless Chromium with the duplicate engine: creating a customer that matches one
already there shows the match (the API's 409 `duplicate`), and "Create it anyway" sends it confirmed."""

from __future__ import annotations

import httpx
from playwright.async_api import Page, expect

from tests.admin_ui.test_contacts_pages import signed_in_at
from tests.conftest import TenantUser
from tests.contacts.helpers import CUSTOMERS, create_customer


async def test_a_likely_duplicate_is_shown_and_can_be_created_anyway(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    existing = await create_customer(client, tenant_a, name="Công ty Hoa Sen", email="lienhe@hoasen.vn")
    await signed_in_at(page, server, tenant_a, "Danh sách khách hàng")
    customers = page.locator("contacts-customers")
    # the page's lists loaded first: a list answering late clears a problem shown (see the report)
    await expect(customers.get_by_role("button", name="Công ty Hoa Sen")).to_be_visible()
    await page.wait_for_load_state("networkidle")
    await customers.get_by_role("button", name="Thêm khách hàng").click()
    form = customers.get_by_role("form", name="Thêm khách hàng")
    await form.get_by_label("Tên khách hàng").fill("Hoa Sen (chi nhánh)")
    await form.get_by_label("Email").fill("LienHe@HoaSen.vn")
    await form.get_by_role("button", name="Thêm").click()
    matches = customers.get_by_role("list", name="Khách hàng trùng")
    await expect(matches).to_contain_text(f"{existing['code']} — Công ty Hoa Sen")
    assert len((await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"]) == 1
    await customers.get_by_role("button", name="Vẫn tạo khách hàng mới").click()
    await expect(customers.get_by_role("form", name="Thêm khách hàng")).to_have_count(0)
    names = sorted(c["name"] for c in (await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"])
    assert names == ["Công ty Hoa Sen", "Hoa Sen (chi nhánh)"]
