"""Tenant lifecycle: read-only answers 423 on writes, suspended answers 403 and refuses login, and deletion
exports the tenant's data, then leaves no row and no object of it, while the other tenant is untouched."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest
import redis

from infra.jobs import enqueue_for_tenant
from infra.settings import get_settings
from infra.storage import TenantStorage
from services.identity.service.tenant_deletion import delete_tenant, export_key
from tenants.rls import tenant_tables
from tests.conftest import ROOT
from tests.identity.support_helpers import audit_log, support_headers

CUSTOMERS = "/api/contacts/v1/customers"
SUPPORT = "/api/identity/v1/support"


@pytest.fixture
async def support(client, stack) -> dict[str, str]:
    return await support_headers(client, stack)


async def set_status(client, support, tenant_id, status: str) -> None:
    response = await client.patch(f"{SUPPORT}/tenants/{tenant_id}", headers=support,
                                  json={"status": status, "reason": "Chưa thanh toán hóa đơn tháng 11"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status


def run_worker(stack) -> None:
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


async def test_a_read_only_tenant_reads_but_every_write_answers_423(client, support, tenant_a, tenant_b):
    existing = (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Có sẵn"})).json()
    await set_status(client, support, tenant_a.tenant_id, "read_only")
    writes = [
        client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Mới"}),
        client.patch(f"{CUSTOMERS}/{existing['id']}", headers=tenant_a.headers, json={"name": "Đổi"}),
        client.delete(f"{CUSTOMERS}/{existing['id']}", headers=tenant_a.headers),
        client.post("/api/pipeline/v1/stages", headers=tenant_a.headers, json={"name_vi": "A", "name_en": "A"}),
        client.post("/api/partners/v1/territories", headers=tenant_a.headers, json={"name": "Miền Nam"}),
    ]
    for write in writes:
        response = await write
        assert response.status_code == 423, response.text
        body = response.json()
        assert body["code"] == "tenant_read_only"
        assert body["i18n"]["vi"]["detail"] and body["i18n"]["en"]["detail"].startswith("This company is read-only")
    listed = await client.get(CUSTOMERS, headers=tenant_a.headers)
    assert listed.status_code == 200 and [c["name"] for c in listed.json()["items"]] == ["Có sẵn"]
    assert (await client.post(CUSTOMERS, headers=tenant_b.headers, json={"name": "B vẫn ghi"})).status_code == 201

    [change] = await audit_log(client, tenant_a.headers, action="tenant.status_change")
    assert change["before"] == {"status": "active"} and change["after"] == {"status": "read_only"}
    assert change["actor_kind"] == "support" and change["support_reason"] == "Chưa thanh toán hóa đơn tháng 11"
    await set_status(client, support, tenant_a.tenant_id, "active")
    assert (await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Mới"})).status_code == 201


async def test_a_suspended_tenant_cannot_log_in_or_do_anything(client, support, tenant_a, tenant_b):
    await set_status(client, support, tenant_a.tenant_id, "suspended")
    login = await client.post("/api/identity/v1/login", json={"email": tenant_a.email, "password": tenant_a.password})
    assert login.status_code == 403
    assert login.json()["code"] == "tenant_suspended"
    for response in (await client.get(CUSTOMERS, headers=tenant_a.headers),
                     await client.post(CUSTOMERS, headers=tenant_a.headers, json={"name": "Không"})):
        assert response.status_code == 403
        assert response.json()["code"] == "tenant_suspended"
    assert (await client.get(CUSTOMERS, headers=tenant_b.headers)).status_code == 200
    invalid = await client.patch(f"{SUPPORT}/tenants/{tenant_a.tenant_id}", headers=support,
                                 json={"status": "deleted", "reason": "không hợp lệ"})
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "status"
    await set_status(client, support, tenant_a.tenant_id, "active")
    assert (await client.post("/api/identity/v1/login",
                              json={"email": tenant_a.email, "password": tenant_a.password})).status_code == 200


async def _rows_of(owner_conn, tenant_id) -> dict[str, int]:
    """One tenant's row count in every table of the database that has a `tenant_id` column (found in the
    catalogue, so a new table cannot be missed), read under that tenant's RLS setting."""
    tables = await owner_conn.fetch(
        "SELECT c.table_schema, c.table_name FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "WHERE c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE' "
        "AND c.table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")
    counts = {}
    async with owner_conn.transaction():
        await owner_conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))
        for schema, name in tables:
            counts[name] = await owner_conn.fetchval(
                f'SELECT count(*) FROM "{schema}"."{name}" WHERE tenant_id = $1', tenant_id)  # noqa: S608
    assert {table._meta.tablename for table in tenant_tables()} <= set(counts)
    return counts


async def _fill(client, tenant, storage: TenantStorage) -> None:
    headers = {**tenant.headers, "Idempotency-Key": f"fill-{tenant.tenant_id}"}
    assert (await client.post(CUSTOMERS, headers=headers, json={"name": "Khách thật"})).status_code == 201
    await client.post("/api/pipeline/v1/stages", headers=tenant.headers, json={"name_vi": "Mới", "name_en": "New"})
    await client.post("/api/partners/v1/territories", headers=tenant.headers, json={"name": "Hà Nội"})
    storage.put(tenant.tenant_id, "documents/hop-dong.pdf", b"%PDF-1.7 hop dong", "application/pdf")


async def test_deleting_a_tenant_exports_then_removes_every_row_and_object(client, stack, support, owner_conn,
                                                                          tenant_a, tenant_b):
    storage = TenantStorage(get_settings())
    for tenant in (tenant_a, tenant_b):
        await _fill(client, tenant, storage)
    before_a, before_b = await _rows_of(owner_conn, tenant_a.tenant_id), await _rows_of(owner_conn, tenant_b.tenant_id)
    assert all(before_a[name] > 0 for name in ("customer", "stage", "territory", "idempotency_key", "audit_entry",
                                               "membership", "refresh_token", "subscription"))

    response = await client.request("DELETE", f"{SUPPORT}/tenants/{tenant_a.tenant_id}", headers=support,
                                    json={"reason": "Khách hàng yêu cầu chấm dứt hợp đồng"})
    assert response.status_code == 202, response.text
    assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).status_code == 403
    run_worker(stack)

    assert {name: rows for name, rows in (await _rows_of(owner_conn, tenant_a.tenant_id)).items() if rows} == {}
    assert await _rows_of(owner_conn, tenant_b.tenant_id) == before_b
    assert await owner_conn.fetchval("SELECT count(*) FROM tenant WHERE id = $1", tenant_a.tenant_id) == 0
    assert storage.list(tenant_a.tenant_id) == []
    assert storage.list(tenant_b.tenant_id) == ["documents/hop-dong.pdf"]

    export = storage.client.get_object(Bucket=storage.bucket, Key=export_key(tenant_a.tenant_id))["Body"].read()
    lines = [msgspec.json.decode(line) for line in export.splitlines()]
    exported: dict[str, int] = {}
    for line in lines:
        owner_column = "id" if line["table"] == "tenant" else "tenant_id"
        assert line["row"][owner_column] == str(tenant_a.tenant_id)
        exported[line["table"]] = exported.get(line["table"], 0) + 1
    # everything that was there, plus the audit entry of the deletion request and the deletion job's own run
    # Exported: the tenant tables and the platform rows that describe the tenant; not its sessions (hashes of
    # secrets) nor derived rows (the search words are rebuilt from the customers).
    expected = {name: before_a[name] for name in [t._meta.tablename for t in tenant_tables()]
                + ["membership", "subscription"]}
    expected.update(audit_entry=before_a["audit_entry"] + 1, job_run=before_a["job_run"] + 1)
    assert {name: exported.get(name, 0) for name in expected} == expected
    assert (exported["tenant"], exported["membership"]) == (1, 1)
    assert any(line["row"].get("action") == "tenant.delete_requested" for line in lines)
    copied = storage.client.get_object(Bucket=storage.bucket,
                                       Key=f"deleted-tenants/{tenant_a.tenant_id}/objects/documents/hop-dong.pdf")
    assert copied["Body"].read() == b"%PDF-1.7 hop dong"

    login = await client.post("/api/identity/v1/login", json={"email": tenant_a.email, "password": tenant_a.password})
    assert login.status_code == 401
    search = await client.get(f"{SUPPORT}/tenants", headers=support, params={"q": str(tenant_a.tenant_id)})
    assert search.json() == []

    again = enqueue_for_tenant(tenant_a.tenant_id, delete_tenant, connection=redis.Redis.from_url(stack.redis_url))
    run_worker(stack)  # idempotent: a second run finds nothing to do and keeps the export
    again.refresh()
    report = again.return_value()
    assert again.get_status() == "finished" and report is not None and report.deleted is False
    assert storage.client.get_object(Bucket=storage.bucket, Key=export_key(tenant_a.tenant_id))["Body"].read() == export


async def test_the_owner_deletes_the_company_by_typing_its_name(client, stack, tenant_a, tenant_b, owner_conn):
    url = "/api/identity/v1/tenant/deletion"
    wrong = await client.post(url, headers=tenant_a.headers, json={"company_name": "Công ty khác"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "company_name"
    assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).status_code == 200
    accepted = await client.post(url, headers=tenant_a.headers, json={"company_name": " công ty an phát "})
    assert accepted.status_code == 202, accepted.text
    assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).status_code == 403
    run_worker(stack)
    assert await owner_conn.fetchval("SELECT count(*) FROM tenant WHERE id = $1", tenant_a.tenant_id) == 0
    assert (await client.get(CUSTOMERS, headers=tenant_b.headers)).status_code == 200
