"""Billing in the admin UI: a company's admin sees the plan and usage and is told, in the API's words, when online
payment is not set up (local mode: checkout and the portal answer 409); support staff put the company on another
plan and the company's page follows. A payment that failed at Stripe (a signed webhook event, processed by the
worker) shows the admin the past-due banner, and support the company's Stripe ids and event history."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests import conftest
from tests.admin_ui.conftest import screenshot, sign_in, support_sign_in
from tests.conftest import DATA_DIR, TenantUser, serve_product
from tests.identity.billing_helpers import event, invoice, link_customer, send
from tests.identity.support_helpers import support_headers
from tests.identity.test_tenant_lifecycle import run_worker

BILLING = "/api/identity/v1/billing"


@asynccontextmanager
async def company_billing_for_support(browser: Browser, base: str, stack: conftest.TestStack,
                                      tenant: TenantUser) -> AsyncIterator[tuple[Page, Locator]]:
    """Support staff, signed in in a browser context of their own, on the company's billing section."""
    context = await browser.new_context()
    support = await context.new_page()
    try:
        await support_sign_in(support, base, stack)
        await support.get_by_label("Tên, slug").fill(tenant.email)
        await support.get_by_role("button", name="Tìm", exact=True).click()
        await support.get_by_role("button", name="Công ty An Phát").click()
        yield support, support.locator("identity-tenant-billing")
    finally:
        await context.close()


@pytest.fixture(scope="session")
def local_billing_server(stack: conftest.TestStack) -> Iterator[str]:
    """The product without a Stripe key, as `make run` serves it: checkout and portal refuse (409)."""
    with serve_product({**stack.env, "CRM_STRIPE_SECRET_KEY": ""}, DATA_DIR / "test-server-local-billing.log") as url:
        yield url


async def test_an_admin_sees_plan_and_usage_and_support_changes_the_plan(
        page: Page, browser: Browser, local_billing_server: str, client: httpx.AsyncClient, stack: conftest.TestStack,
        tenant_a: TenantUser) -> None:
    base = local_billing_server
    usage = (await client.get(f"{BILLING}/usage", headers=tenant_a.headers)).json()
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

    # The portal button asks the API for a portal session; in local mode its 409 problem is what the page says.
    await page.get_by_role("button", name="Tiếng Việt").click()
    async with page.expect_response(lambda r: r.url.endswith(f"{BILLING}/portal")) as portal_answer:
        await billing.get_by_role("button", name="Quản lý thanh toán và hóa đơn").click()
    portal = await portal_answer.value
    assert (portal.request.method, portal.status) == ("POST", 409)
    problem = await portal.json()
    assert portal.headers["content-type"].startswith("application/problem+json")
    await expect(billing.get_by_role("alert")).to_have_text(problem["i18n"]["vi"]["detail"])
    await page.get_by_role("button", name="English").click()
    await expect(billing.get_by_role("alert")).to_have_text(problem["i18n"]["en"]["detail"])

    async with company_billing_for_support(browser, base, stack, tenant_a) as (support, tenant_billing):
        await expect(tenant_billing.locator("[data-plan]")).to_have_text("Trial")
        await tenant_billing.get_by_label("Gói mới").select_option("pro")
        await tenant_billing.get_by_label("Căn cứ đổi gói").fill("Hợp đồng ký ngoài Stripe")
        await tenant_billing.get_by_role("button", name="Đổi gói").click()
        await expect(tenant_billing.locator("[data-plan]")).to_have_text("Pro")
        await screenshot(support, "support-billing")

    await page.reload()
    await expect(billing.locator("[data-plan]")).to_have_text("Pro")


async def test_a_failed_payment_shows_the_banner_and_support_sees_stripe_ids_and_events(
        page: Page, browser: Browser, local_billing_server: str, client: httpx.AsyncClient, stack: conftest.TestStack,
        tenant_a: TenantUser) -> None:
    # Stripe tells the product (the receiver of the server with the webhook secret) that checkout completed and
    # then that the invoice was not paid; the worker applies both.
    customer = await link_customer(client, stack, tenant_a)
    failed = await send(client, event("invoice.payment_failed", invoice(customer), created=int(time.time()) + 1))
    assert failed.status_code == 200, failed.text
    run_worker(stack)
    state = (await client.get(BILLING, headers=tenant_a.headers)).json()
    assert (state["status"], state["banner"]["code"]) == ("past_due", "payment_past_due")
    support_view = (await client.get(f"/api/identity/v1/support/tenants/{tenant_a.tenant_id}/billing",
                                     headers=await support_headers(client, stack))).json()
    events = support_view["events"]
    assert [e["type"] for e in events] == ["invoice.payment_failed", "checkout.session.completed"]

    base = local_billing_server
    await sign_in(page, base, tenant_a.email, tenant_a.password)
    await page.get_by_role("navigation").get_by_role("link", name="Gói dịch vụ và thanh toán").click()
    billing = page.locator("identity-billing")
    banner = billing.locator("[data-banner=payment_past_due]")
    await expect(banner).to_have_attribute("role", "alert")
    await expect(banner.locator("strong")).to_have_text(state["banner"]["message_vi"])
    await expect(banner).to_contain_text("Chỉ đọc từ")
    await page.get_by_role("button", name="English").click()
    await expect(banner.locator("strong")).to_have_text(state["banner"]["message_en"])
    await expect(banner).to_contain_text("Read-only from")
    await screenshot(page, "billing-past-due")

    async with company_billing_for_support(browser, base, stack, tenant_a) as (support, tenant_billing):
        await expect(tenant_billing.locator("[data-banner=payment_past_due]")).to_be_visible()
        ids = tenant_billing.locator("dl:not([data-subscription])")
        await expect(ids.locator("dd")).to_have_text([customer, support_view["stripe_subscription_id"]])
        history = tenant_billing.locator("table").last.locator("tbody tr")
        await expect(history).to_have_count(len(events))
        for row, shown in zip([history.nth(n) for n in range(len(events))], events, strict=True):
            cells = row.locator("td")
            await expect(cells.nth(0)).to_have_text(shown["type"])
            await expect(cells.nth(1)).to_have_text(shown["event_id"])
            await expect(cells.nth(5)).to_have_text(shown["outcome"])
        await screenshot(support, "support-billing-events")
