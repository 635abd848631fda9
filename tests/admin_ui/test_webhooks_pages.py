"""Webhook pages in headless Chromium, with a real receiver on loopback and a real worker: an admin adds an
endpoint (its secret shown once) and sees a delivery in its log with its attempts; a test-send that fails once,
then a resend from the page; support staff see a company's failing endpoint."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Page, expect
from standardwebhooks.webhooks import Webhook

from tests import conftest
from tests.admin_ui.conftest import screenshot, sign_in, support_sign_in
from tests.conftest import TenantUser
from tests.webhooks.conftest import Receiver
from tests.webhooks.test_delivery import settled_deliveries_of
from tests.webhooks.test_delivery_rules import endpoint_state
from tests.webhooks.test_endpoints import API, create_endpoint

pytestmark = pytest.mark.usefixtures("worker")


async def open_webhooks(page: Page, server: str, user: TenantUser) -> None:
    await sign_in(page, server, user.email, user.password)
    await page.get_by_role("navigation").get_by_role("link", name="Webhook", exact=True).click()
    await expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_text("Webhook")


async def test_an_admin_adds_an_endpoint_and_sees_a_delivery_in_its_log(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser, receiver: Receiver) -> None:
    path = f"/ok/ui-{uuid.uuid4().hex[:8]}"
    await open_webhooks(page, server, tenant_a)
    hooks = page.locator("webhooks-endpoints")
    add = hooks.get_by_role("form", name="Thêm điểm nhận")
    await add.get_by_label("URL nhận").fill(receiver.url(path))
    await add.get_by_label("Mô tả").fill("Kế toán ERP")
    await add.locator("summary").click()  # the event types, folded
    await add.get_by_role("checkbox", name="customer.created").check()
    await add.get_by_role("button", name="Thêm điểm nhận").click()
    secret = hooks.locator("[data-secret]")
    await expect(secret).to_have_text(re.compile(r"^whsec_"))
    whsec = (await secret.text_content() or "").strip()
    await screenshot(page, "webhooks-secret-once")
    await hooks.get_by_role("button", name="Tôi đã lưu khóa").click()
    await expect(secret).to_have_count(0)
    await expect(hooks.get_by_role("cell", name=receiver.url(path), exact=True)).to_be_visible()

    created = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                json={"name": "Cửa hàng Hoa Mai"})
    assert created.status_code == 201, created.text
    [message] = await receiver.wait_for(path, lambda got: len(got) == 1)
    assert Webhook(whsec).verify(message.body, message.headers)["data"]["name"] == "Cửa hàng Hoa Mai"
    [endpoint] = (await client.get(f"{API}/endpoints", headers=tenant_a.headers)).json()["items"]
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    assert delivery["status"] == "succeeded"

    await hooks.get_by_role("button", name=f"Mở {receiver.url(path)}").click()
    log = hooks.get_by_role("table", name="Nhật ký gửi")
    await expect(log.locator("tbody tr")).to_have_count(1)
    await expect(log.locator("tbody tr").first).to_contain_text("customer.created")
    await expect(log.locator("[data-status]")).to_have_text("thành công")
    await log.get_by_role("button", name="Xem các lần thử của customer.created").click()
    attempts = hooks.get_by_role("table", name="Các lần thử")
    await expect(attempts.locator("tbody tr")).to_have_count(1)
    await expect(attempts.locator("tbody tr td").nth(1)).to_have_text("200")
    await expect(attempts).to_contain_text("answered 200")
    await screenshot(page, "webhooks-delivery-log")

    # The log's filters go to the API: no failed delivery, then the succeeded one again.
    filters = hooks.get_by_role("search", name="Lọc nhật ký gửi")
    await filters.get_by_label("Trạng thái").select_option("failed")
    await filters.get_by_role("button", name="Lọc").click()
    await expect(hooks.get_by_role("table", name="Nhật ký gửi")).to_have_count(0)
    await filters.get_by_label("Trạng thái").select_option("succeeded")
    await filters.get_by_label("Loại sự kiện").select_option("customer.created")
    await filters.get_by_role("button", name="Lọc").click()
    await expect(log.locator("tbody tr")).to_have_count(1)

    # Editing: all event types, switched off; English texts.
    edit = hooks.get_by_role("form", name="Sửa điểm nhận")
    await expect(edit.locator("summary")).to_have_text("Loại sự kiện: 1 loại đã chọn")
    await edit.locator("summary").click()
    await edit.get_by_role("checkbox", name="customer.created").uncheck()
    await edit.get_by_label("Đang bật").uncheck()
    await edit.get_by_role("button", name="Lưu").click()
    await expect(hooks.get_by_role("table", name="Điểm nhận").locator("tbody tr").first).to_contain_text("đã tắt")
    changed = (await client.get(f"{API}/endpoints/{endpoint['id']}", headers=tenant_a.headers)).json()
    assert (changed["event_types"], changed["enabled"]) == ([], False)
    await page.get_by_role("button", name="English").click()
    await expect(hooks.get_by_role("table", name="Endpoints").locator("tbody tr").first).to_contain_text("off")


async def test_a_failed_attempt_then_a_resend_from_the_page(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser, tenant_b: TenantUser,
        receiver: Receiver) -> None:
    path = f"/fail/1/ui-{uuid.uuid4().hex[:8]}"
    endpoint = await create_endpoint(client, tenant_a, receiver.url(path))
    await create_endpoint(client, tenant_b, receiver.url(f"{path}-b"))
    await open_webhooks(page, server, tenant_a)
    hooks = page.locator("webhooks-endpoints")
    await expect(hooks.get_by_role("table", name="Điểm nhận").locator("tbody tr")).to_have_count(1)  # not B's
    await hooks.get_by_role("button", name=f"Mở {receiver.url(path)}").click()
    test_send = hooks.get_by_role("form", name="Gửi thử")
    await test_send.get_by_label("Loại sự kiện thử").select_option("customer.updated")
    await test_send.get_by_role("button", name="Gửi thử").click()
    await expect(page.get_by_text("Đã gửi sự kiện thử.")).to_be_visible()
    await receiver.wait_for(path, lambda got: [r.status for r in got] == [500, 200])
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    assert delivery["status"] == "succeeded"

    await hooks.get_by_role("search", name="Lọc nhật ký gửi").get_by_role("button", name="Lọc").click()
    log = hooks.get_by_role("table", name="Nhật ký gửi")
    await expect(log.locator("[data-status]")).to_have_text("thành công")
    await log.get_by_role("button", name="Xem các lần thử của customer.updated").click()
    attempts = hooks.get_by_role("table", name="Các lần thử")
    await expect(attempts.locator("tbody tr")).to_have_count(2)
    await expect(attempts).to_contain_text("answered 500")

    await log.get_by_role("button", name="Gửi lại").click()
    await expect(page.get_by_text("Đã gửi lại.")).to_be_visible()
    received = await receiver.wait_for(path, lambda got: len(got) == 3)
    assert received[2].status == 200
    assert len({r.headers["webhook-id"] for r in received}) == 1  # the same message, sent again
    [again] = await settled_deliveries_of(client, tenant_a, endpoint)
    assert again["id"] == delivery["id"] and again["status"] == "succeeded"
    await log.get_by_role("button", name="Xem các lần thử của customer.updated").click()
    await expect(attempts.locator("tbody tr")).to_have_count(3)
    await expect(log.locator("[data-status]")).to_have_text("thành công")  # the log follows the resend
    await screenshot(page, "webhooks-resend")
    await page.set_viewport_size({"width": 390, "height": 844})
    await screenshot(page, "webhooks-phone")


async def test_support_sees_a_companys_failing_endpoint(
        page: Page, server: str, client: httpx.AsyncClient, stack: conftest.TestStack,
        tenant_a: TenantUser, receiver: Receiver) -> None:
    path = f"/gone/ui-{uuid.uuid4().hex[:8]}"
    gone = await create_endpoint(client, tenant_a, receiver.url(path))
    sent = await client.post(f"{API}/endpoints/{gone['id']}/test", headers=tenant_a.headers,
                             json={"event_type": "customer.created"})
    assert sent.status_code == 202, sent.text
    await endpoint_state(client, tenant_a, gone, lambda state: not state["enabled"])

    await support_sign_in(page, server, stack)
    await page.get_by_role("navigation").get_by_role("link", name="Webhook đang lỗi").click()
    failing = page.get_by_role("table", name="Điểm nhận đang lỗi")
    row = failing.locator("tbody tr").filter(has_text=receiver.url(path))
    await expect(row).to_contain_text("Công ty An Phát")
    await expect(row).to_contain_text("đã tắt: trả 410")
    await screenshot(page, "support-failing-webhooks")
