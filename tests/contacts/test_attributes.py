"""Custom attributes through HTTP: definitions, typed values on customers, filters, removal, two tenants."""

from __future__ import annotations

import uuid

import asyncpg

from tests.conftest import TEST_DATABASE, _with_database
from tests.contacts.helpers import ATTRIBUTES, CUSTOMERS, create_customer, fields_at_fault
from tests.identity.members import add_member

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
    deleted = await client.delete(f"{ATTRIBUTES}/{size['id']}", headers=tenant_a.headers)
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
