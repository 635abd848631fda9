"""The audit log: every write recorded with who, what, before/after, request id and IP; append-only."""

from __future__ import annotations

import asyncpg
import pytest

from tests.identity.members import add_member
from tests.identity.support_helpers import audit_log

CUSTOMERS = "/api/contacts/v1/customers"


async def test_customer_create_update_delete_are_audited_with_before_and_after(client, tenant_a):
    me = (await client.get("/api/identity/v1/me", headers=tenant_a.headers)).json()
    created = await client.post(CUSTOMERS, headers={**tenant_a.headers, "X-Request-ID": "req-create-1"},
                                json={"name": "Công ty Hoa Sen", "phone": "0912 345 678"})
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == "req-create-1"
    customer_id = created.json()["id"]
    updated = await client.patch(f"{CUSTOMERS}/{customer_id}", headers=tenant_a.headers,
                                 json={"name": "Công ty Hoa Sen Vàng"})
    assert updated.status_code == 200
    assert (await client.delete(f"{CUSTOMERS}/{customer_id}", headers=tenant_a.headers)).status_code == 204

    entries = await audit_log(client, tenant_a.headers, object_id=customer_id)
    assert [e["action"] for e in entries] == ["customer.delete", "customer.update", "customer.create"]
    deleted, changed, made = entries
    assert made["before"] is None
    assert made["after"]["name"] == "Công ty Hoa Sen" and made["after"]["phone"] == "+84912345678"
    assert made["request_id"] == "req-create-1"
    assert changed["before"] == {"name": "Công ty Hoa Sen"}
    assert changed["after"] == {"name": "Công ty Hoa Sen Vàng"}
    assert changed["request_id"] == updated.headers["x-request-id"]
    assert deleted["before"]["name"] == "Công ty Hoa Sen Vàng" and deleted["after"] is None
    for entry in entries:
        assert entry["actor_kind"] == "user" and entry["actor_id"] == me["user_id"]
        assert entry["object_type"] == "customer" and entry["ip"] == "127.0.0.1"
        assert entry["support_staff_id"] is None


async def test_pipeline_and_partners_writes_are_audited(client, tenant_a):
    stage = await client.post("/api/pipeline/v1/stages", headers=tenant_a.headers,
                              json={"name_vi": "Đàm phán", "name_en": "Negotiation", "probability": 70})
    territory = await client.post("/api/partners/v1/territories", headers=tenant_a.headers,
                                  json={"name": "Miền Bắc", "province_codes": ["01"]})
    assert stage.status_code == territory.status_code == 201
    [stage_entry] = await audit_log(client, tenant_a.headers, object_id=stage.json()["id"])
    assert stage_entry["action"] == "stage.create" and stage_entry["after"]["probability"] == 70
    [territory_entry] = await audit_log(client, tenant_a.headers, action="territory.create")
    assert territory_entry["after"] == {"name": "Miền Bắc", "province_codes": ["01"], "districts": []}


async def test_a_refused_write_leaves_no_audit_entry(client, tenant_a):
    bad = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Sai số", "phone": "123"})
    assert bad.status_code == 422
    assert await audit_log(client, tenant_a.headers, action="customer.create") == []


async def test_request_ids_are_echoed_or_generated(client, tenant_a):
    given = await client.get(CUSTOMERS, headers={**tenant_a.headers, "X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    generated = await client.get(CUSTOMERS, headers=tenant_a.headers)
    assert len(generated.headers["x-request-id"]) == 32
    hostile = await client.get(CUSTOMERS, headers={**tenant_a.headers, "X-Request-ID": "x" * 500})
    assert hostile.headers["x-request-id"] != "x" * 500
    unauthenticated = await client.get(CUSTOMERS, headers={"X-Request-ID": "no-token-1"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["x-request-id"] == "no-token-1"


async def test_tenant_b_cannot_read_tenant_a_audit_log(client, tenant_a, tenant_b):
    created = await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Bí mật của A"})
    customer_id = created.json()["id"]
    assert len(await audit_log(client, tenant_a.headers, object_id=customer_id)) == 1
    assert await audit_log(client, tenant_b.headers, object_id=customer_id) == []
    assert all(e["object_id"] != customer_id for e in await audit_log(client, tenant_b.headers))


async def test_filters_and_keyset_pages(client, tenant_a):
    ids = [(await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": f"Khách {n}"})).json()["id"]
           for n in range(3)]
    first = await client.get("/api/identity/v1/audit-log", headers=tenant_a.headers,
                             params={"action": "customer.create", "limit": 2})
    body = first.json()
    assert [e["object_id"] for e in body["items"]] == [ids[2], ids[1]]
    second = await client.get("/api/identity/v1/audit-log", headers=tenant_a.headers,
                              params={"action": "customer.create", "limit": 2, "cursor": body["next_cursor"]})
    assert [e["object_id"] for e in second.json()["items"]] == [ids[0]]
    assert second.json()["next_cursor"] is None
    assert await audit_log(client, tenant_a.headers, action="customer.create", until="2020-01-01T00:00:00Z") == []
    assert len(await audit_log(client, tenant_a.headers, action="customer.create",
                               since="2020-01-01T00:00:00Z")) == 3
    bad = await client.get("/api/identity/v1/audit-log", headers=tenant_a.headers, params={"since": "hôm qua"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.since"


async def test_only_owners_and_admins_read_the_audit_log(client, tenant_a):
    viewer = await add_member(tenant_a, "viewer")
    response = await client.get("/api/identity/v1/audit-log", headers=viewer.headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_app_role_cannot_change_or_erase_audit_entries(client, tenant_a, app_conn):
    await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Không xóa được"})
    for statement in ("UPDATE audit_entry SET action = 'forged'", "DELETE FROM audit_entry",
                      "TRUNCATE audit_entry"):
        async with app_conn.transaction():  # ends in ROLLBACK: the statement below aborts it
            await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await app_conn.execute(statement)
    async with app_conn.transaction():  # the erase function refuses a tenant that is not being deleted
        await app_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_a.tenant_id))
        assert await app_conn.fetchval("SELECT erase_deleting_tenant_audit()") == 0
        assert await app_conn.fetchval("SELECT count(*) FROM audit_entry") >= 1
