"""Billing in the admin UI: a company's admin sees the plan and usage and is told when online payment is not
set up (local mode); support staff put the company on another plan and the company's page follows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests import conftest
from tests.admin_ui.conftest import screenshot, sign_in, support_sign_in
from tests.conftest import DATA_DIR, TenantUser, serve_product


@pytest.fixture(scope="session")
def local_billing_server(stack: conftest.TestStack) -> Iterator[str]:
    """The product without a Stripe key, as `make run` serves it: checkout and portal refuse (409)."""
    with serve_product({**stack.env, "CRM_STRIPE_SECRET_KEY": ""}, DATA_DIR / "test-server-local-billing.log") as url:
        yield url


async def test_an_admin_sees_plan_and_usage_and_support_changes_the_plan(
        page: Page, browser: Browser, local_billing_server: str, client: httpx.AsyncClient, stack: conftest.TestStack,
        tenant_a: TenantUser) -> None:
    base = local_billing_server
    usage = (await client.get("/api/identity/v1/billing/usage", headers=tenant_a.headers)).json()
    await sign_in(page, base, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Gói dịch vụ và thanh toán").click()
    billing = page.locator("identity-billing")
    await expect(billing.locator("[data-plan]")).to_have_text("Trial")
    rows = billing.locator("tbody tr")
    await expect(rows).to_have_count(len(usage["quotas"]))
    for index, quota in enumerate(usage["quotas"]):
        await expect(rows.nth(index).locator("td").nth(1)).to_have_text(str(quota["used"]))
        await expect(rows.nth(index).locator("td").nth(2)).to_have_text(str(quota["limit"]))
    await billing.get_by_role("form", name="Nâng cấp gói").get_by_label("Gói").select_option("pro")
    await billing.get_by_role("button", name="Nâng cấp").click()
    await expect(billing.get_by_role("alert")).to_contain_text("Thanh toán trực tuyến chưa được cấu hình")
    await page.get_by_role("button", name="English").click()
    await expect(billing.get_by_role("alert")).to_contain_text("Online payment is not configured")
    await screenshot(page, "billing-local-mode")

    support_context = await browser.new_context()
    support = await support_context.new_page()
    try:
        await support_sign_in(support, base, stack)
        await support.get_by_label("Tên, slug").fill(tenant_a.email)
        await support.get_by_role("button", name="Tìm", exact=True).click()
        await support.get_by_role("button", name="Công ty An Phát").click()
        tenant_billing = support.locator("identity-tenant-billing")
        await expect(tenant_billing.locator("[data-plan]")).to_have_text("Trial")
        await tenant_billing.get_by_label("Gói mới").select_option("pro")
        await tenant_billing.get_by_label("Căn cứ đổi gói").fill("Hợp đồng ký ngoài Stripe")
        await tenant_billing.get_by_role("button", name="Đổi gói").click()
        await expect(tenant_billing.locator("[data-plan]")).to_have_text("Pro")
        await screenshot(support, "support-billing")
    finally:
        await support_context.close()

    await page.reload()
    await expect(billing.locator("[data-plan]")).to_have_text("Pro")
