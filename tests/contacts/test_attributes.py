"""Custom attributes through HTTP: definitions, typed values on customers, filters, removal, two tenants."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import TEST_DATABASE, _with_database
from tests.contacts.helpers import ATTRIBUTES, CUSTOMERS, create_customer, fields_at_fault
from tests.identity.members import add_member, user_id_of

DEFINITIONS = [
    {"key": "size", "label_vi": "Quy mô", "label_en": "Size", "type": "select", "sort_order": 1, "options": [
        {"value": "small", "label_vi": "Nhỏ", "label_en": "Small"},
        {"value": "large", "label_vi": "Lớn", "label_en": "Large"}]},
    {"key": "staff", "label_vi": "Số nhân viên", "label_en": "Staff", "type": "number", "sort_order": 2},
    {"key": "founded", "label_vi": "Ngày thành lập", "label_en": "Founded", "type": "date", "sort_order": 3},
    {"key": "vip", "label_vi": "Khách VIP", "label_en": "VIP", "type": "boolean", "sort_order": 4},
    {"key": "products", "label_vi": "Sản phẩm quan tâm", "label_en": "Products", "type": "multiselect",
     "sort_order": 5, "options": [{"value": "erp", "label_vi": "ERP", "label_en": "ERP"},
                                  {"value": "crm", "label_vi": "CRM", "label_en": "CRM"},
                                  {"value": "hrm", "label_vi": "Nhân sự", "label_en": "HR"}]},
    {"key": "slogan", "label_vi": "Khẩu hiệu", "label_en": "Slogan", "type": "text", "sort_order": 6},
]


async def _define(client, user, definitions=DEFINITIONS):
    created = []
    for definition in definitions:
        response = await client.post(ATTRIBUTES, headers=user.headers, json=definition)
        assert response.status_code == 201, response.text
        created.append(response.json())
    return created


async def test_only_attributes_manage_defines_them_and_every_reader_lists_them(client, tenant_a):
    seller = await add_member(tenant_a, "salesperson")
    manager = await add_member(tenant_a, "manager")
    admin = await add_member(tenant_a, "admin")
    for user in (seller, manager):
        refused = await client.post(ATTRIBUTES, headers=user.headers, json=DEFINITIONS[1])
        assert refused.status_code == 403 and "attributes:manage" in refused.json()["detail"]
    await _define(client, admin, DEFINITIONS[:2])
    listed = await client.get(ATTRIBUTES, headers=seller.headers)
    assert [a["key"] for a in listed.json()] == ["size", "staff"]
    assert listed.json()[0]["options"][1] == {"value": "large", "label_vi": "Lớn", "label_en": "Large"}


async def test_definitions_are_checked(client, tenant_a):
    base = {"label_vi": "Nhãn", "label_en": "Label"}
    cases = [
        ({**base, "key": "kind", "type": "select"}, "options"),  # a select needs options
        ({**base, "key": "kind", "type": "text", "options": [{"value": "a", "label_vi": "A", "label_en": "A"}]},
         "options"),
        ({**base, "key": "kind", "type": "select", "options": [{"value": "a", "label_vi": "A", "label_en": "A"}] * 2},
         "options"),
        ({**base, "key": "Bad Key", "type": "text"}, "key"),
        ({**base, "key": "kind", "type": "colour"}, "type"),
    ]
    for body, field in cases:
        response = await client.post(ATTRIBUTES, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, body
        assert fields_at_fault(response) == [field], body
    await _define(client, tenant_a, [{**base, "key": "kind", "type": "text"}])
    taken = await client.post(ATTRIBUTES, headers=tenant_a.headers, json={**base, "key": "kind", "type": "number"})
    assert taken.status_code == 409 and fields_at_fault(taken) == ["key"]
    fixed_type = await client.patch(f"{ATTRIBUTES}/{uuid.uuid4()}", headers=tenant_a.headers, json={"type": "number"})
    assert fixed_type.status_code == 422  # key and type cannot be changed: unknown fields


async def test_values_are_validated_against_their_type(client, tenant_a):
    await _define(client, tenant_a)
    good = await create_customer(client, tenant_a, name="Đủ thuộc tính", attributes={
        "size": "large", "staff": 120, "founded": "2009-05-01", "vip": True, "products": ["erp", "crm"],
        "slogan": "Vì khách hàng"})
    assert good["attributes"] == {"size": "large", "staff": 120, "founded": "2009-05-01", "vip": True,
                                  "products": ["erp", "crm"], "slogan": "Vì khách hàng"}
    bad_values = {"size": "medium", "staff": "nhiều", "founded": "01/05/2009", "vip": "yes",
                  "products": ["erp", "pos"], "slogan": 7, "colour": "red"}
    refused = await client.post(CUSTOMERS, headers={**tenant_a.headers, "Accept-Language": "en"},
                                json={"name": "Sai hết", "attributes": bad_values})
    assert refused.status_code == 422
    assert sorted(fields_at_fault(refused)) == sorted(f"attributes.{key}" for key in bad_values)
    messages = {error["field"]: error for error in refused.json()["errors"]}
    assert messages["attributes.colour"]["code"] == "unknown_attribute"
    assert messages["attributes.founded"]["message"] == "Expected a date as YYYY-MM-DD"
    assert messages["attributes.size"]["message_vi"] == "'medium' không thuộc các lựa chọn"
    repeated = await client.post(CUSTOMERS, headers=tenant_a.headers,
                                 json={"name": "Lặp", "attributes": {"products": ["erp", "erp"]}})
    assert repeated.status_code == 422 and fields_at_fault(repeated) == ["attributes.products"]
    not_scalar = await client.post(CUSTOMERS, headers=tenant_a.headers,
                                   json={"name": "Đối tượng", "attributes": {"slogan": {"a": 1}}})
    assert not_scalar.status_code == 422


async def test_required_attributes_and_patches_that_merge(client, tenant_a):
    await _define(client, tenant_a, DEFINITIONS[:2])
    customer = await create_customer(client, tenant_a, name="Trước khi bắt buộc", attributes={"staff": 10})
    size = (await client.get(ATTRIBUTES, headers=tenant_a.headers)).json()[0]
    assert (await client.patch(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers,
                               json={"required": True, "label_en": "Company size"})).json()["required"] is True
    missing = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Thiếu quy mô"})
    assert missing.status_code == 422 and fields_at_fault(missing) == ["attributes.size"]
    assert missing.json()["errors"][0]["code"] == "required"
    url = f"{CUSTOMERS}/{customer['id']}"
    # Other fields of an older customer can still change; its attributes only together with the required one.
    assert (await client.patch(url, headers=tenant_a.headers, json={"name": "Đổi tên"})).status_code == 200
    partial = await client.patch(url, headers=tenant_a.headers, json={"attributes": {"staff": 11}})
    assert partial.status_code == 422 and fields_at_fault(partial) == ["attributes.size"]
    merged = await client.patch(url, headers=tenant_a.headers, json={"attributes": {"size": "small"}})
    assert merged.json()["attributes"] == {"size": "small", "staff": 10}
    cleared = await client.patch(url, headers=tenant_a.headers, json={"attributes": {"staff": None}})
    assert cleared.json()["attributes"] == {"size": "small"}
    unset_required = await client.patch(url, headers=tenant_a.headers, json={"attributes": {"size": None}})
    assert unset_required.status_code == 422 and fields_at_fault(unset_required) == ["attributes.size"]


async def test_lists_filter_by_attribute_values(client, tenant_a, tenant_b):
    await _define(client, tenant_a)
    big = await create_customer(client, tenant_a, name="Lớn", attributes={
        "size": "large", "staff": 500, "vip": True, "products": ["erp", "crm"], "founded": "2001-01-02"})
    small = await create_customer(client, tenant_a, name="Nhỏ", attributes={
        "size": "small", "staff": 12.5, "vip": False, "products": ["crm"]})
    await create_customer(client, tenant_a, name="Chưa rõ")

    async def names(params, user=tenant_a):
        response = await client.get(CUSTOMERS, headers=user.headers, params=params)
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert await names({"attr.size": "large"}) == [big["name"]]
    assert await names({"attr.staff": "12.5"}) == [small["name"]]
    assert await names({"attr.staff": "500"}) == [big["name"]]
    assert await names({"attr.vip": "false"}) == [small["name"]]
    assert await names({"attr.products": "crm"}) == [big["name"], small["name"]]
    assert await names([("attr.products", "crm"), ("attr.products", "erp")]) == [big["name"]]
    assert await names({"attr.products": "crm", "attr.size": "small"}) == [small["name"]]
    assert await names({"attr.founded": "2001-01-02"}) == [big["name"]]
    assert await names({"attr.products": "crm", "q": "nho"}) == [small["name"]]

    for params, field in (({"attr.staff": "nhiều"}, "query.attr.staff"), ({"attr.vip": "yes"}, "query.attr.vip"),
                          ({"attr.size": "medium"}, "query.attr.size"), ({"attr.nope": "x"}, "query.attr.nope")):
        refused = await client.get(CUSTOMERS, headers=tenant_a.headers, params=params)
        assert refused.status_code == 422 and fields_at_fault(refused) == [field]
    # Tenant B has no such attribute, and its own customers never match A's values.
    await create_customer(client, tenant_b, name="Của B")
    unknown_to_b = await client.get(CUSTOMERS, headers=tenant_b.headers, params={"attr.size": "large"})
    assert unknown_to_b.status_code == 422
    await _define(client, tenant_b, DEFINITIONS[:1])
    assert await names({"attr.size": "large"}, tenant_b) == []


async def test_the_gin_index_serves_attribute_containment(stack, tenant_a):
    """As a role that bypasses RLS: under RLS, PostgreSQL will not use an index for `@>`, because
    `jsonb_contains` is not LEAKPROOF (see the report of the custom attributes work)."""
    assert stack.admin_url is not None
    connection = await asyncpg.connect(_with_database(stack.admin_url, TEST_DATABASE))
    transaction = connection.transaction()
    await transaction.start()
    try:  # a tenant with enough customers for the planner to choose; all of it rolled back, statistics too
        await connection.execute(
            "INSERT INTO customer (id, tenant_id, code, name, name_folded, attributes) "
            "SELECT uuidv7(), $1, 'T' || n, 'x', 'x', jsonb_build_object('size', "
            "CASE WHEN n % 500 = 0 THEN 'large' ELSE 'small' END) FROM generate_series(1, 20000) n",
            tenant_a.tenant_id)
        await connection.execute("ANALYZE customer")
        plan = "\n".join(row[0] for row in await connection.fetch(
            "EXPLAIN SELECT id FROM customer WHERE tenant_id = $1 AND attributes @> $2::jsonb",
            tenant_a.tenant_id, '{"size": "large"}'))
    finally:
        await transaction.rollback()
        await connection.close()
    assert "customer_attributes" in plan, plan


async def test_removing_a_definition_removes_its_values(client, tenant_a):
    size, staff = await _define(client, tenant_a, DEFINITIONS[:2])
    first = await create_customer(client, tenant_a, name="Một", attributes={"size": "large", "staff": 3})
    await create_customer(client, tenant_a, name="Hai", attributes={"size": "small"})
    await create_customer(client, tenant_a, name="Ba", attributes={"staff": 4})
    deleted = await client.delete(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers,
                                  params={"confirm": "true"})
    assert deleted.status_code == 200 and deleted.json() == {"key": "size", "records_affected": 2}
    assert (await client.get(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers)).status_code == 404
    one = (await client.get(f"{CUSTOMERS}/{first['id']}", headers=tenant_a.headers)).json()
    assert one["attributes"] == {"staff": 3}
    listed = (await client.get(CUSTOMERS, headers=tenant_a.headers)).json()["items"]
    assert all("size" not in c["attributes"] for c in listed)
    # A new attribute under the old key starts empty: no old value comes back under another meaning.
    await _define(client, tenant_a, [{**DEFINITIONS[1], "key": "size", "label_en": "Size in m²"}])
    again = (await client.get(f"{CUSTOMERS}/{first['id']}", headers=tenant_a.headers)).json()
    assert again["attributes"] == {"staff": 3}
    assert staff["key"] == "staff"


async def test_another_tenant_cannot_see_or_change_the_definitions(client, tenant_a, tenant_b):
    (size,) = await _define(client, tenant_a, DEFINITIONS[:1])
    one = f"{ATTRIBUTES}/{size['id']}"
    assert (await client.get(ATTRIBUTES, headers=tenant_b.headers)).json() == []
    assert (await client.get(one, headers=tenant_b.headers)).status_code == 404
    assert (await client.patch(one, headers=tenant_b.headers, json={"label_vi": "Của B"})).status_code == 404
    assert (await client.delete(one, headers=tenant_b.headers)).status_code == 404
    # B may use the same key for its own attribute; A's stays as it was.
    await _define(client, tenant_b, [{**DEFINITIONS[1], "key": "size"}])
    b_customer = await client.post(CUSTOMERS, headers=tenant_b.headers, json={"name": "B", "attributes": {"size": 5}})
    assert b_customer.status_code == 201
    assert (await client.get(one, headers=tenant_a.headers)).json()["type"] == "select"


NEW_TYPES = [
    {"key": "history", "label_vi": "Lịch sử", "label_en": "History", "type": "long_text",
     "validation": {"max_length": 5000}, "help_vi": "Quá trình hợp tác", "help_en": "How we worked together"},
    {"key": "budget", "label_vi": "Ngân sách", "label_en": "Budget", "type": "money",
     "validation": {"min": 0}, "default": 1000000},
    {"key": "account_manager", "label_vi": "Người chăm sóc", "label_en": "Account manager", "type": "user"},
    {"key": "portal", "label_vi": "Cổng thông tin", "label_en": "Portal", "type": "url"},
    {"key": "billing_email", "label_vi": "Email hoá đơn", "label_en": "Billing email", "type": "email"},
    {"key": "hotline", "label_vi": "Đường dây nóng", "label_en": "Hotline", "type": "phone"},
    {"key": "staff", "label_vi": "Số nhân viên", "label_en": "Staff", "type": "number",
     "validation": {"min": 1, "max": 100000}},
]


async def test_new_types_check_their_values_per_tenant(client, tenant_a, tenant_b):
    definitions = await _define(client, tenant_a, NEW_TYPES)
    assert definitions[0]["help_vi"] == "Quá trình hợp tác" and definitions[0]["validation"] == {"max_length": 5000}
    assert definitions[1]["default"] == {"amount": 1000000, "currency": "VND"}
    seller = await add_member(tenant_a, "salesperson")
    outsider = await user_id_of(client, tenant_b)
    good = await create_customer(client, tenant_a, name="Đủ kiểu mới", attributes={
        "history": "Dài " * 1000, "budget": {"amount": 2500, "currency": "USD"}, "account_manager": str(seller.user_id),
        "portal": "https://portal.example.vn/kh", "billing_email": "KeToan@Example.VN", "hotline": "0912 345 678",
        "staff": 120})
    assert good["attributes"]["budget"] == {"amount": 2500, "currency": "USD"}
    assert good["attributes"]["account_manager"] == str(seller.user_id)
    assert good["attributes"]["billing_email"] == "ketoan@example.vn"
    assert good["attributes"]["hotline"] == "+84912345678"
    defaulted = await create_customer(client, tenant_a, name="Mặc định", attributes={"budget": 750000})
    assert defaulted["attributes"] == {"budget": {"amount": 750000, "currency": "VND"}}
    assert (await create_customer(client, tenant_a, name="Chỉ mặc định"))["attributes"] == {
        "budget": {"amount": 1000000, "currency": "VND"}}
    bad = {"history": "x" * 5001, "budget": 12.5, "account_manager": str(outsider), "portal": "ftp://x.vn",
           "billing_email": "ketoan@", "hotline": "12345", "staff": 0}
    for language in ("en", "vi"):
        refused = await client.post(CUSTOMERS, headers={**tenant_a.headers, "Accept-Language": language},
                                    json={"name": "Sai kiểu mới", "attributes": bad})
        assert refused.status_code == 422, refused.text
        assert sorted(fields_at_fault(refused)) == sorted(f"attributes.{key}" for key in bad)
        errors = {error["field"]: error for error in refused.json()["errors"]}
        assert errors["attributes.account_manager"]["message_en"] == "No such member in this company"
        assert errors["attributes.account_manager"]["message_vi"] == "Không có thành viên này trong công ty"
        assert errors["attributes.hotline"]["message_vi"] == "Số điện thoại Việt Nam không hợp lệ"
        assert errors["attributes.staff"]["message_en"] == "At least 1"
        assert errors["attributes.history"]["message_en"] == "At most 5000 characters"
    assert refused.json()["errors"][0]["message"] == refused.json()["errors"][0]["message_vi"]
    negative = await client.post(CUSTOMERS, headers=tenant_a.headers,
                                 json={"name": "Âm", "attributes": {"budget": {"amount": -1}}})
    assert negative.status_code == 422 and fields_at_fault(negative) == ["attributes.budget"]
    # Tenant B has none of these attributes; its member ids are not A's members, and the reverse.
    unknown = await client.post(CUSTOMERS, headers=tenant_b.headers,
                                json={"name": "B", "attributes": {"hotline": "0912345678"}})
    assert unknown.status_code == 422 and fields_at_fault(unknown) == ["attributes.hotline"]
    await _define(client, tenant_b, [NEW_TYPES[2]])
    foreign = await client.post(CUSTOMERS, headers=tenant_b.headers,
                                json={"name": "B", "attributes": {"account_manager": str(seller.user_id)}})
    assert foreign.status_code == 422 and fields_at_fault(foreign) == ["attributes.account_manager"]
    own = await create_customer(client, tenant_b, name="B", attributes={"account_manager": str(outsider)})
    assert own["attributes"] == {"account_manager": str(outsider)}


async def test_limits_defaults_and_help_are_checked_and_renaming_keeps_values(client, tenant_a):
    base = {"label_vi": "Nhãn", "label_en": "Label"}
    cases = [
        ({**base, "key": "a", "type": "text", "validation": {"min": 1}}, "validation.min"),
        ({**base, "key": "a", "type": "number", "validation": {"min": 5, "max": 1}}, "validation.max"),
        ({**base, "key": "a", "type": "date", "default": "31/12/2026"}, "default"),
        ({**base, "key": "a", "type": "user", "default": str(uuid.uuid4())}, "default"),
        ({**base, "key": "a", "type": "select", "default": "zz",
          "options": [{"value": "b", "label_vi": "B", "label_en": "B"}]}, "default"),
        ({**base, "key": "a", "type": "money", "default": {"amount": 5, "currency": "dong"}}, "default.currency"),
        ({**base, "key": "a", "type": "text", "help_en": "x" * 501}, "help_en"),
    ]
    for body, field in cases:
        response = await client.post(ATTRIBUTES, headers=tenant_a.headers, json=body)
        assert response.status_code == 422, (body, response.text)
        assert fields_at_fault(response) == [field], body
    (founded,) = await _define(client, tenant_a, [{**base, "key": "founded", "type": "date",
                                                     "validation": {"min_date": "1990-01-01"}}])
    customer = await create_customer(client, tenant_a, name="Có ngày", attributes={"founded": "2001-02-03"})
    too_early = await client.post(CUSTOMERS, headers=tenant_a.headers,
                                  json={"name": "Sớm", "attributes": {"founded": "1989-12-31"}})
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["message_en"] == "Not before 1990-01-01"
    renamed = await client.patch(f"{ATTRIBUTES}/{founded['id']}", headers=tenant_a.headers,
                                 json={"label_vi": "Ngày thành lập", "label_en": "Founded on",
                                       "help_en": "As registered"})
    assert renamed.status_code == 200 and renamed.json()["label_en"] == "Founded on"
    assert renamed.json()["help_en"] == "As registered" and renamed.json()["key"] == "founded"
    again = (await client.get(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).json()
    assert again["attributes"] == {"founded": "2001-02-03"}


SORTABLE = [
    {"key": "staff", "label_vi": "Số nhân viên", "label_en": "Staff", "type": "number"},
    {"key": "founded", "label_vi": "Ngày thành lập", "label_en": "Founded", "type": "date"},
    {"key": "budget", "label_vi": "Ngân sách", "label_en": "Budget", "type": "money"},
    {"key": "products", "label_vi": "Sản phẩm", "label_en": "Products", "type": "multiselect",
     "options": [{"value": "erp", "label_vi": "ERP", "label_en": "ERP"}]},
]


async def _walk(client, user, params, limit=2):
    """Every page of a sorted list, following the cursors; the names in order."""
    names, cursor = [], None
    while True:
        response = await client.get(CUSTOMERS, headers=user.headers,
                                    params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        names += [customer["name"] for customer in response.json()["items"]]
        if not (cursor := response.json()["next_cursor"]):
            return names


async def test_lists_sort_by_an_attribute_in_keyset_pages(client, tenant_a, tenant_b):
    await _define(client, tenant_a, SORTABLE)
    await _define(client, tenant_b, SORTABLE[:1])
    # Values whose text order is not their order: 9 < 10 < 100, and dates across years; two equal values.
    for name, staff, founded, budget in (("A", 100, "2010-01-05", 900), ("B", 9, "2009-12-31", 10000000),
                                         ("C", 10, None, 50), ("D", 2.5, "2024-03-01", None),
                                         ("E", 10, "1999-07-07", 900), ("F", None, None, 7)):
        values = {key: value for key, value in (("staff", staff), ("founded", founded), ("budget", budget))
                  if value is not None}
        await create_customer(client, tenant_a, name=name, attributes=values)
    await create_customer(client, tenant_b, name="Của B", attributes={"staff": 1})
    by_staff = await _walk(client, tenant_a, {"sort": "attr.staff"})
    assert by_staff == ["D", "B", "C", "E", "A", "F"]  # equal values in id order; no value: last
    assert await _walk(client, tenant_a, {"sort": "-attr.staff"}) == ["A", "E", "C", "B", "D", "F"]
    assert await _walk(client, tenant_a, {"sort": "attr.founded"}, limit=1) == ["E", "B", "A", "D", "C", "F"]
    assert await _walk(client, tenant_a, {"sort": "-attr.budget"}, limit=3) == ["B", "E", "A", "C", "F", "D"]
    # Filters and the sort together, across pages.
    assert await _walk(client, tenant_a, {"sort": "attr.staff", "attr.staff.min": "9", "attr.staff.max": "10"},
                       limit=1) == ["B", "C", "E"]
    assert await _walk(client, tenant_b, {"sort": "attr.staff"}) == ["Của B"]
    for params, field in (({"sort": "attr.products"}, "query.sort"), ({"sort": "attr.nope"}, "query.sort"),
                          ({"sort": "name"}, "query.sort")):
        refused = await client.get(CUSTOMERS, headers=tenant_a.headers, params=params)
        assert refused.status_code == 422 and fields_at_fault(refused) == [field]
    first = await client.get(CUSTOMERS, headers=tenant_a.headers, params={"sort": "attr.staff", "limit": 1})
    mismatched = await client.get(CUSTOMERS, headers=tenant_a.headers,
                                  params={"sort": "-attr.staff", "cursor": first.json()["next_cursor"]})
    assert mismatched.status_code == 400 and fields_at_fault(mismatched) == ["cursor"]


async def test_range_filters_per_type(client, tenant_a):
    await _define(client, tenant_a, [*SORTABLE, DEFINITIONS[0]])
    await create_customer(client, tenant_a, name="Nhỏ", attributes={"staff": 9, "founded": "2009-12-31",
                                                                    "budget": 900})
    await create_customer(client, tenant_a, name="Lớn", attributes={"staff": 100, "founded": "2010-01-01",
                                                                    "budget": {"amount": 10000000}})

    async def names(params):
        response = await client.get(CUSTOMERS, headers=tenant_a.headers, params=params)
        assert response.status_code == 200, response.text
        return sorted(c["name"] for c in response.json()["items"])

    assert await names({"attr.staff.min": "10"}) == ["Lớn"]
    assert await names({"attr.staff.max": "10"}) == ["Nhỏ"]
    assert await names({"attr.founded.min": "2010-01-01"}) == ["Lớn"]
    assert await names({"attr.founded.max": "2009-12-31"}) == ["Nhỏ"]
    assert await names({"attr.budget.min": "900", "attr.budget.max": "1000"}) == ["Nhỏ"]
    assert await names({"attr.budget": "10000000"}) == ["Lớn"]
    for params, field in (({"attr.size.min": "1"}, "query.attr.size.min"),
                          ({"attr.founded.min": "hôm qua"}, "query.attr.founded.min"),
                          ({"attr.staff.max": "nhiều"}, "query.attr.staff.max")):
        refused = await client.get(CUSTOMERS, headers=tenant_a.headers, params=params)
        assert refused.status_code == 422 and fields_at_fault(refused) == [field], params


async def test_deleting_an_attribute_or_options_says_what_it_affects(client, tenant_a, tenant_b):
    size, _, _, _, products = await _define(client, tenant_a, DEFINITIONS[:5])
    one = await create_customer(client, tenant_a, name="Một", attributes={"size": "large", "products": ["erp", "crm"]})
    two = await create_customer(client, tenant_a, name="Hai", attributes={"size": "small", "products": ["crm"]})
    await create_customer(client, tenant_a, name="Ba", attributes={"size": "small"})
    impact = await client.get(f"{ATTRIBUTES}/{size['id']}/impact", headers=tenant_a.headers)
    assert impact.json() == {"key": "size", "records_affected": 3, "options": {}}
    per_option = await client.get(f"{ATTRIBUTES}/{products['id']}/impact", headers=tenant_a.headers,
                                  params=[("option", "crm"), ("option", "erp"), ("option", "hrm")])
    assert per_option.json() == {"key": "products", "records_affected": 2, "options": {"crm": 2, "erp": 1, "hrm": 0}}
    assert (await client.get(f"{ATTRIBUTES}/{size['id']}/impact", headers=tenant_b.headers)).status_code == 404
    # Unconfirmed: refused with the count, nothing changed.
    refused = await client.delete(f"{ATTRIBUTES}/{size['id']}", headers={**tenant_a.headers, "Accept-Language": "en"})
    assert refused.status_code == 409 and refused.json()["records_affected"] == 3
    assert fields_at_fault(refused) == ["confirm"] and "3 records" in refused.json()["detail"]
    still = (await client.get(f"{CUSTOMERS}/{one['id']}", headers=tenant_a.headers)).json()
    assert still["attributes"]["size"] == "large"
    # Dropping options: a select's value goes, a multiselect keeps its other options.
    erp, hrm = ({"value": value, "label_vi": value, "label_en": value} for value in ("erp", "hrm"))
    keep_erp = {"options": [erp, hrm]}
    unconfirmed = await client.patch(f"{ATTRIBUTES}/{products['id']}", headers=tenant_a.headers, json=keep_erp)
    assert unconfirmed.status_code == 409 and unconfirmed.json()["options"] == {"crm": 2}
    assert len((await client.get(f"{ATTRIBUTES}/{products['id']}", headers=tenant_a.headers)).json()["options"]) == 3
    confirmed = await client.patch(f"{ATTRIBUTES}/{products['id']}", headers=tenant_a.headers, json=keep_erp,
                                   params={"confirm": "true"})
    assert confirmed.status_code == 200 and [o["value"] for o in confirmed.json()["options"]] == ["erp", "hrm"]
    drop_small = await client.patch(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers,
                                    json={"options": [{"value": "large", "label_vi": "Lớn", "label_en": "Large"}]},
                                    params={"confirm": "true"})
    assert drop_small.status_code == 200
    after_one = (await client.get(f"{CUSTOMERS}/{one['id']}", headers=tenant_a.headers)).json()["attributes"]
    after_two = (await client.get(f"{CUSTOMERS}/{two['id']}", headers=tenant_a.headers)).json()["attributes"]
    assert after_one == {"size": "large", "products": ["erp"]} and after_two == {}
    # An option nobody holds goes without confirmation; B's customers are never counted nor touched.
    await _define(client, tenant_b, DEFINITIONS[:1])
    b_customer = await create_customer(client, tenant_b, name="B", attributes={"size": "large"})
    quiet = await client.delete(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers, params={"confirm": "true"})
    assert quiet.json() == {"key": "size", "records_affected": 1}
    b_after = (await client.get(f"{CUSTOMERS}/{b_customer['id']}", headers=tenant_b.headers)).json()
    assert b_after["attributes"] == {"size": "large"}
