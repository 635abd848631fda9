"""A customer's own fields through HTTP: tax code, phones and emails with one primary, addresses with a
province code, needs, and the lifecycle history."""

from __future__ import annotations

from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault
from tests.identity.members import add_member


async def test_a_tax_code_with_a_valid_checksum_is_kept_and_a_bad_one_refused(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Viettel", tax_code="0100109106")
    assert customer["tax_code"] == "0100109106"
    branch = await create_customer(client, tenant_a, name="Chi nhánh", tax_code="0100109106001")
    assert branch["tax_code"] == "0100109106-001"
    for bad in ("0100109107", "0100000050", "0100109106-000"):
        refused = await client.post(CUSTOMERS, headers={**tenant_a.headers, "Accept-Language": "en"},
                                    json={"name": "Sai mã", "tax_code": bad})
        assert refused.status_code == 422, bad
        assert fields_at_fault(refused) == ["tax_code"]
        error = refused.json()["errors"][0]
        assert error["code"] == "invalid_tax_code" and "check digit" in error["message"]
        assert "chữ số kiểm tra" in error["message_vi"]
    cleared = await client.patch(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers, json={"tax_code": None})
    assert cleared.json()["tax_code"] is None
    bad_patch = await client.patch(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers,
                                   json={"tax_code": "0101245487"})
    assert bad_patch.status_code == 422 and fields_at_fault(bad_patch) == ["tax_code"]


async def test_several_phones_and_emails_with_one_primary_mirrored_to_phone_and_email(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Nhiều số", phones=[
        {"value": "0912 345 678", "label": "di động"}, {"value": "024 3825 1234", "primary": True},
    ], emails=[{"value": "Ban.Hang@AnPhat.vn"}])
    assert customer["phone"] == "+842438251234"
    assert [(p["value"], p["primary"]) for p in customer["phones"]] == [("+84912345678", False),
                                                                         ("+842438251234", True)]
    assert customer["email"] == "ban.hang@anphat.vn" and customer["emails"][0]["primary"] is True

    url = f"{CUSTOMERS}/{customer['id']}"
    # Setting the single `phone` replaces the primary number and keeps the others.
    changed = (await client.patch(url, headers=tenant_a.headers, json={"phone": "0987654321"})).json()
    assert changed["phone"] == "+84987654321"
    assert {(p["value"], p["primary"]) for p in changed["phones"]} == {("+84987654321", True),
                                                                        ("+84912345678", False)}
    # Removing it promotes the next one.
    removed = (await client.patch(url, headers=tenant_a.headers, json={"phone": None})).json()
    assert removed["phone"] == "+84912345678" and removed["phones"] == [
        {"value": "+84912345678", "label": "di động", "primary": True}]


async def test_two_primaries_or_a_bad_entry_are_refused_naming_the_entry(client, tenant_a):
    two = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Hai chính", "emails": [
        {"value": "a@x.vn", "primary": True}, {"value": "b@x.vn", "primary": True}]})
    assert two.status_code == 422 and fields_at_fault(two) == ["emails[1].primary"]
    assert two.json()["errors"][0]["code"] == "two_primaries"
    bad_phone = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Số sai", "phones": [
        {"value": "0912345678"}, {"value": "0123"}]})
    assert bad_phone.status_code == 422 and fields_at_fault(bad_phone) == ["phones[1].value"]
    both = await client.post(CUSTOMERS, headers=tenant_a.headers, json={
        "name": "Cả hai", "phone": "0912345678", "phones": [{"value": "0987654321"}]})
    assert both.status_code == 422 and fields_at_fault(both) == ["phone"]
    listed = await client.get(CUSTOMERS, headers=tenant_a.headers)
    assert listed.json()["items"] == []  # nothing half-written


async def test_addresses_need_a_gso_province_code(client, tenant_a):
    customer = await create_customer(client, tenant_a, name="Có địa chỉ", website="https://anphat.vn",
                                     industry="Xây dựng", needs_status="interested", notes="Cần báo giá Q3",
                                     last_contacted_at="2026-11-20T08:30:00Z", addresses=[
            {"street": "12 Lý Thường Kiệt", "ward": "Hàng Bài", "district": "Hoàn Kiếm", "province_code": "01"},
            {"street": "5 Nguyễn Huệ", "province_code": "79", "primary": True}])
    assert [(a["province_code"], a["primary"]) for a in customer["addresses"]] == [("01", False), ("79", True)]
    assert customer["website"] == "https://anphat.vn" and customer["industry"] == "Xây dựng"
    assert customer["needs_status"] == "interested" and customer["notes"] == "Cần báo giá Q3"
    assert customer["last_contacted_at"].startswith("2026-11-20T08:30:00")
    bad = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Tỉnh lạ", "addresses": [
        {"province_code": "01"}, {"province_code": "03"}]})
    assert bad.status_code == 422 and fields_at_fault(bad) == ["addresses[1].province_code"]
    assert "03" in bad.json()["errors"][0]["message"]
    not_two_digits = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Sai", "addresses": [
        {"province_code": "Hà Nội"}]})
    assert not_two_digits.status_code == 422
    unknown_need = await client.patch(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers,
                                      json={"needs_status": "maybe"})
    assert unknown_need.status_code == 422 and fields_at_fault(unknown_need) == ["needs_status"]


async def test_the_lifecycle_history_keeps_every_stage_with_who_and_when(client, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson", "Dũng")
    customer = await create_customer(client, seller, name="Đi hết vòng đời")
    url = f"{CUSTOMERS}/{customer['id']}"
    for stage in ("lead", "customer", "customer", "member"):  # the repeated stage is no change
        assert (await client.patch(url, headers=seller.headers, json={"lifecycle_stage": stage})).status_code == 200
    await client.patch(url, headers=seller.headers, json={"name": "Đổi tên thôi"})
    history = await client.get(f"{url}/lifecycle-history", headers=seller.headers)
    assert history.status_code == 200
    steps = history.json()
    assert [(s["from_stage"], s["to_stage"]) for s in steps] == [
        (None, "raw"), ("raw", "lead"), ("lead", "customer"), ("customer", "member")]
    assert {(s["actor_kind"], s["actor_id"]) for s in steps} == {("user", str(seller.user_id))}
    assert steps == sorted(steps, key=lambda s: s["changed_at"])
    other = await client.get(f"{url}/lifecycle-history", headers=tenant_b.headers)
    assert other.status_code == 404
