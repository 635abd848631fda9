"""The contacts pages in headless Chromium: a custom attribute added on its page shows on the customer form; a
customer created there is found by a search without diacritics; a field the API refuses is marked beside its
input; the group tree (create under a parent, a move the API refuses as a cycle, a move to the top); a customer's
detail with an interaction logged into its timeline, a status change and a document uploaded and downloaded;
the statuses page with the system "Đừng quên" and the ageing settings."""

from __future__ import annotations

import uuid
from typing import get_args

import httpx
from playwright.async_api import Page, expect

from services.contacts.schemas import AttributeType
from tests.admin_ui.conftest import screenshot, sign_in
from tests.conftest import TenantUser
from tests.contacts.helpers import ATTRIBUTES, CUSTOMERS, create_customer
from tests.identity.members import user_id_of

API = "/api/contacts/v1"


async def signed_in_at(page: Page, server: str, user: TenantUser, title: str) -> None:
    await sign_in(page, server, user.email, user.password)
    await open_page(page, title)


async def open_page(page: Page, title: str) -> None:
    await page.get_by_role("navigation").get_by_role("link", name=title, exact=True).click()
    await expect(page.get_by_role("main").get_by_role("heading", level=1)).to_have_text(title)


async def test_an_attribute_added_shows_on_the_customer_form_and_a_search_without_diacritics_finds_the_customer(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await signed_in_at(page, server, tenant_a, "Thuộc tính riêng")
    attributes = page.locator("contacts-attributes")
    new = attributes.get_by_role("form", name="Thêm thuộc tính")
    # The types offered are the API's own, read from its OpenAPI document.
    await expect(new.get_by_label("Kiểu").locator("option")).to_have_count(len(get_args(AttributeType)))
    await new.get_by_label("Mã (chữ thường, số, _)").fill("quy_mo")
    await new.get_by_label("Nhãn tiếng Việt").fill("Quy mô")
    await new.get_by_label("Nhãn tiếng Anh").fill("Company size")
    await new.get_by_label("Kiểu").select_option("select")
    await new.get_by_label("Lựa chọn (mỗi dòng: giá trị | nhãn | label)").fill(
        "nho | Nhỏ | Small\nvua | Vừa | Medium\nlon | Lớn | Large")
    await new.get_by_role("button", name="Thêm").click()
    await expect(attributes.get_by_role("cell", name="Quy mô", exact=True)).to_be_visible()
    await expect(attributes.get_by_role("cell", name="Nhỏ, Vừa, Lớn")).to_be_visible()
    defined = (await client.get(ATTRIBUTES, headers=tenant_a.headers)).json()
    assert [(a["key"], a["type"], [o["value"] for o in a["options"]]) for a in defined] == [
        ("quy_mo", "select", ["nho", "vua", "lon"])]
    await screenshot(page, "contacts-attributes")

    await open_page(page, "Danh sách khách hàng")
    customers = page.locator("contacts-customers")
    await customers.get_by_role("button", name="Thêm khách hàng").click()
    form = customers.get_by_role("form", name="Thêm khách hàng")
    await expect(form.get_by_label("Quy mô")).to_be_visible()  # the attribute just added, as a select
    await form.get_by_label("Tên khách hàng").fill("Nguyễn Văn Ẩn")
    await form.get_by_label("Email").fill("not-an-email")
    await form.get_by_role("button", name="Thêm").click()
    email = form.get_by_label("Email")  # the API's refusal, beside the field it names
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(form.locator("#error-email")).to_be_visible()
    await screenshot(page, "contacts-customer-form-error")
    await email.fill("an.nguyen@example.vn")
    await form.get_by_label("Quy mô").select_option("vua")
    await form.get_by_role("button", name="Thêm").click()
    await expect(customers.get_by_role("form", name="Thêm khách hàng")).to_have_count(0)
    await expect(customers.get_by_role("alert")).to_have_count(0)
    await create_customer(client, tenant_a, name="Trần Thị Bình")

    search = customers.get_by_role("search", name="Lọc khách hàng")
    await search.get_by_label("Tìm (tên, mã, điện thoại, email, MST)").fill("nguyen van an")
    await search.get_by_role("button", name="Lọc", exact=True).click()
    rows = customers.locator("tbody tr")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Nguyễn Văn Ẩn")
    await screenshot(page, "contacts-customers-search")
    found = (await client.get(CUSTOMERS, headers=tenant_a.headers, params={"q": "nguyen van an"})).json()["items"]
    assert [(c["name"], c["email"], c["attributes"]) for c in found] == [
        ("Nguyễn Văn Ẩn", "an.nguyen@example.vn", {"quy_mo": "vua"})]

    # The attribute filter narrows the list the same way.
    await search.get_by_label("Tìm (tên, mã, điện thoại, email, MST)").fill("")
    await search.get_by_label("Lọc theo thuộc tính").select_option("quy_mo")
    await search.get_by_label("Giá trị cần lọc").select_option("vua")
    await search.get_by_role("button", name="Lọc", exact=True).click()
    await expect(rows).to_have_count(1)
    await search.get_by_role("button", name="Bỏ lọc").click()
    await expect(rows).to_have_count(2)
    # The owner filter (both are the signed-in owner's); another owner's customers are none of these.
    owner = await user_id_of(client, tenant_a)
    await search.get_by_label("Người phụ trách").select_option(str(owner))
    await search.get_by_role("button", name="Lọc", exact=True).click()
    await expect(rows).to_have_count(2)
    for owner_id, count in ((owner, 2), (uuid.uuid4(), 0)):
        listed = await client.get(CUSTOMERS, headers=tenant_a.headers, params={"owner_id": str(owner_id)})
        assert len(listed.json()["items"]) == count

    # Edit the attribute, then delete it: the page says how many customers lose their value, as the API counts.
    await open_page(page, "Thuộc tính riêng")
    await attributes.get_by_role("button", name="Sửa Quy mô").click()
    edit = attributes.get_by_role("form", name="Sửa thuộc tính quy_mo")
    await edit.get_by_label("Nhãn tiếng Việt").fill("Quy mô công ty")
    await edit.get_by_role("button", name="Lưu").click()
    await expect(attributes.get_by_role("cell", name="Quy mô công ty", exact=True)).to_be_visible()
    await attributes.get_by_role("button", name="Xóa Quy mô công ty").click()
    await expect(page.get_by_text("Đã xóa thuộc tính Quy mô công ty: 1 khách hàng mất giá trị của nó.")).to_be_visible()
    assert (await client.get(ATTRIBUTES, headers=tenant_a.headers)).json() == []


async def test_group_tree_create_under_a_parent_refuse_a_cycle_and_move(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await signed_in_at(page, server, tenant_a, "Nhóm khách hàng")
    groups = page.locator("contacts-groups")
    add = groups.get_by_role("form", name="Thêm nhóm")
    await add.get_by_label("Tên nhóm").fill("Miền Bắc")
    await add.get_by_role("button", name="Thêm").click()
    top = groups.get_by_role("listitem", name="Miền Bắc")
    await expect(top).to_be_visible()
    await add.get_by_label("Tên nhóm").fill("Hà Nội")
    await add.get_by_label("Nhóm cha").select_option(label="Miền Bắc")
    await add.get_by_role("button", name="Thêm").click()
    child = top.get_by_role("listitem", name="Hà Nội")  # nested under its parent
    await expect(child).to_be_visible()
    listed = {g["name"]: g for g in (await client.get(f"{API}/groups", headers=tenant_a.headers)).json()}
    assert listed["Hà Nội"]["parent_id"] == listed["Miền Bắc"]["id"]
    assert listed["Hà Nội"]["code"] == "HA-NOI"

    # Moving the parent under its own child: the API's 409, shown with the field it names.
    await groups.get_by_role("button", name="Chuyển Miền Bắc").click()
    move = groups.get_by_role("form", name="Chuyển nhóm Miền Bắc")
    await move.get_by_label("Nhóm cha mới").select_option(label="— Hà Nội")
    await move.get_by_role("button", name="Chuyển").click()
    await expect(groups.get_by_role("alert")).to_contain_text("Không thể chuyển nhóm vào chính nó")
    await expect(move.locator("#error-move_parent_id")).to_contain_text("vòng lặp")
    await screenshot(page, "contacts-groups-cycle")

    await groups.get_by_role("button", name="Chuyển Hà Nội").click()
    move = groups.get_by_role("form", name="Chuyển nhóm Hà Nội")
    await move.get_by_label("Nhóm cha mới").select_option("")  # to the top
    await move.get_by_role("button", name="Chuyển").click()
    await expect(groups.get_by_role("alert")).to_have_count(0)
    await expect(top.get_by_role("listitem")).to_have_count(0)
    await expect(groups.locator("ul.tree > li")).to_have_count(2)
    listed = {g["name"]: g for g in (await client.get(f"{API}/groups", headers=tenant_a.headers)).json()}
    assert listed["Hà Nội"]["parent_id"] is None

    await groups.get_by_role("button", name="Đổi tên Hà Nội").click()
    rename = groups.get_by_role("form", name="Đổi tên nhóm Hà Nội")
    await rename.get_by_label("Tên mới").fill("Thủ đô Hà Nội")
    await rename.get_by_role("button", name="Lưu").click()
    await expect(groups.get_by_role("listitem", name="Thủ đô Hà Nội")).to_be_visible()
    await groups.get_by_role("button", name="Xóa Miền Bắc").click()  # the dialog is accepted by the fixture
    await expect(groups.get_by_role("listitem", name="Miền Bắc")).to_have_count(0)
    await screenshot(page, "contacts-groups")


async def test_customer_detail_logs_an_interaction_into_the_timeline_changes_status_and_keeps_a_document(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    customer = await create_customer(client, tenant_a, name="Công ty TNHH Hoa Sen", phone="0912345678")
    for n in range(11):  # more than a page of the timeline (10)
        noted = await client.post(f"{CUSTOMERS}/{customer['id']}/interactions", headers=tenant_a.headers,
                                  json={"kind": "note", "subject": f"Ghi chú {n}"})
        assert noted.status_code == 201, noted.text
    await signed_in_at(page, server, tenant_a, "Danh sách khách hàng")
    customers = page.locator("contacts-customers")
    await customers.get_by_role("button", name="Công ty TNHH Hoa Sen").click()
    detail = customers.locator("contacts-customer-detail")
    await expect(detail.get_by_role("heading", level=1)).to_have_text(f"Công ty TNHH Hoa Sen ({customer['code']})")

    timeline = detail.get_by_role("list", name="Dòng thời gian")
    await expect(timeline.locator("li")).to_have_count(10)
    await detail.get_by_role("button", name="Tải thêm").click()
    await expect(timeline.locator("li")).to_have_count(12)  # 11 notes and the customer's creation
    await expect(detail.get_by_role("button", name="Tải thêm")).to_have_count(0)

    log = detail.get_by_role("form", name="Ghi tương tác")
    await log.get_by_label("Loại tương tác").select_option("call")
    await log.get_by_label("Tiêu đề").fill("Gọi giới thiệu phần mềm")
    await log.get_by_label("Nội dung").fill("Khách hẹn gặp tuần sau")
    await log.get_by_label("Thời lượng (phút)").fill("5")
    await log.get_by_role("button", name="Ghi lại").click()
    entry = timeline.locator('li[data-kind="interaction"]').first  # the newest first
    await expect(entry).to_contain_text("Gọi giới thiệu phần mềm")
    await expect(entry).to_contain_text("Khách hẹn gặp tuần sau")
    logged = (await client.get(f"{CUSTOMERS}/{customer['id']}/interactions", headers=tenant_a.headers)).json()
    newest = logged["items"][0]
    assert (newest["kind"], newest["subject"], newest["duration_seconds"]) == ("call", "Gọi giới thiệu phần mềm", 300)

    await detail.get_by_role("button", name="Sửa thông tin").click()
    edit = detail.get_by_role("form", name="Sửa thông tin")
    await edit.get_by_label("Mã số thuế").fill("123")
    await edit.get_by_role("button", name="Lưu").click()
    await expect(edit.locator("#error-edit_tax_code")).to_be_visible()  # the API's checksum rule, beside the field
    await edit.get_by_label("Mã số thuế").fill("")
    await edit.get_by_label("Ngành nghề").fill("Thủy sản")
    await edit.get_by_role("button", name="Lưu").click()
    await expect(detail.get_by_text("Thủy sản")).to_be_visible()
    changed = (await client.get(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).json()
    assert (changed["industry"], changed["tax_code"], changed["phone"]) == ("Thủy sản", None, customer["phone"])

    people = detail.get_by_role("form", name="Thêm người liên hệ")
    await people.get_by_label("Tên người liên hệ").fill("Lê Văn Cường")
    await people.get_by_label("Email người liên hệ").fill("cuong@")
    await people.get_by_role("button", name="Thêm người liên hệ").click()
    await expect(people.locator("#error-person_emails")).to_be_visible()  # beside this form's field only
    await expect(log.locator(".field-error")).to_have_count(0)
    await people.get_by_label("Email người liên hệ").fill("cuong@hoasen.vn")
    await people.get_by_role("button", name="Thêm người liên hệ").click()
    await expect(detail.get_by_role("cell", name="cuong@hoasen.vn")).to_be_visible()

    statuses = (await client.get(f"{API}/relationship-statuses", headers=tenant_a.headers)).json()
    hot = next(s for s in statuses if s["name"] == "Nóng")
    change = detail.get_by_role("form", name="Đổi trạng thái quan hệ")
    await change.get_by_label("Trạng thái quan hệ").select_option(hot["id"])
    await change.get_by_role("button", name="Đổi trạng thái").click()
    await expect(timeline.locator('li[data-kind="status_change"]')).to_contain_text("Nóng")
    assert (await client.get(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).json()[
        "relationship_status_id"] == hot["id"]

    upload = detail.get_by_role("form", name="Tải tài liệu lên")
    content = "Hợp đồng nguyên tắc 2026\n".encode()
    await upload.get_by_label("Tệp").set_input_files(
        {"name": "hop-dong.txt", "mimeType": "text/plain", "buffer": content})
    await upload.get_by_role("button", name="Tải lên").click()
    await expect(detail.get_by_role("cell", name="hop-dong.txt", exact=True)).to_be_visible()
    await expect(timeline.locator('li[data-kind="document"]')).to_contain_text("hop-dong.txt")
    await detail.get_by_role("button", name="Lấy liên kết tải hop-dong.txt").click()
    link = detail.get_by_role("link", name="Tải xuống hop-dong.txt")
    await expect(link).to_be_focused()
    url = await link.get_attribute("href")
    assert url
    async with httpx.AsyncClient(timeout=30) as outside:  # the presigned link works without our token
        downloaded = await outside.get(url)
    assert downloaded.status_code == 200
    assert downloaded.content == content
    await screenshot(page, "contacts-customer-detail")

    # A phone's width: the detail stays readable (nothing wider than the screen but the scrolling tables).
    await page.set_viewport_size({"width": 390, "height": 800})
    await expect(log.get_by_label("Tiêu đề")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 400
    await screenshot(page, "contacts-customer-detail-phone")
    await detail.get_by_role("button", name="Danh sách khách hàng").click()
    await expect(customers.get_by_role("heading", level=1)).to_have_text("Danh sách khách hàng")


async def test_statuses_show_the_system_one_and_the_ageing_settings_are_saved(
        page: Page, server: str, client: httpx.AsyncClient, tenant_a: TenantUser) -> None:
    await signed_in_at(page, server, tenant_a, "Trạng thái quan hệ")
    statuses = page.locator("contacts-statuses")
    system = statuses.locator("tr", has_text="Đừng quên")
    await expect(system.locator("[data-system]")).to_have_text("hệ thống")
    await expect(system.get_by_role("button", name="Xóa Đừng quên")).to_have_count(0)
    add = statuses.get_by_role("form", name="Thêm trạng thái")
    await add.get_by_label("Tên tiếng Việt").fill("Chăm sóc lại")
    await add.get_by_label("Tên tiếng Anh").fill("Re-engage")
    await add.get_by_role("button", name="Thêm").click()
    await expect(statuses.get_by_role("cell", name="Re-engage")).to_be_visible()

    ageing = statuses.get_by_role("form", name="Nhắc “Đừng quên”")
    await ageing.get_by_label("Chuyển sang “Đừng quên” sau (ngày không liên hệ)").fill("45")
    await ageing.get_by_label("Chăm sóc lại").check()
    await ageing.get_by_role("button", name="Lưu cài đặt").click()
    await expect(page.get_by_text("Đã lưu cài đặt.")).to_be_visible()
    settings = (await client.get(f"{API}/settings", headers=tenant_a.headers)).json()
    listed = (await client.get(f"{API}/relationship-statuses", headers=tenant_a.headers)).json()
    again = next(s for s in listed if s["name"] == "Chăm sóc lại")
    assert settings["dont_forget_after_days"] == 45
    assert again["id"] in settings["dont_forget_excluded"]
    await ageing.get_by_label("Chuyển sang “Đừng quên” sau (ngày không liên hệ)").fill("0")
    await ageing.get_by_role("button", name="Lưu cài đặt").click()
    await expect(ageing.locator("#error-dont_forget_after_days")).to_be_visible()
    await screenshot(page, "contacts-statuses")

    await page.get_by_role("button", name="English").click()  # the same page, in English, without reloading
    await expect(statuses.get_by_role("heading", level=1)).to_have_text("Relationship statuses")
    await expect(system.locator("[data-system]")).to_have_text("system")
    await expect(statuses.get_by_role("form", name="“Don't forget” reminder")).to_be_visible()
