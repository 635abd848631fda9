"""Row-level security: the second wall, checked on the database itself as the app role."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from tenants.rls import POLICY, tenant_tables
from tenants.tables import TenantTable


async def test_every_tenant_table_has_rls_enabled_forced_and_a_policy(stack, owner_conn):
    tables = tenant_tables()
    assert {t._meta.tablename for t in tables} >= {"customer", "code_sequence", "stage", "territory"}
    for table in tables:
        name = table._meta.tablename
        row = await owner_conn.fetchrow(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1", name)
        assert row is not None, f"{name} was not created by the migrations"
        assert row["relrowsecurity"], f"{name}: RLS not enabled"
        assert row["relforcerowsecurity"], f"{name}: RLS not forced"
        policy = await owner_conn.fetchrow(
            "SELECT qual, with_check FROM pg_policies WHERE tablename = $1 AND policyname = $2", name, POLICY)
        assert policy is not None, f"{name}: no tenant policy"
        for expression in (policy["qual"], policy["with_check"]):
            assert "app.tenant_id" in expression and "NULLIF" in expression
        index = await owner_conn.fetchval(
            "SELECT indexdef FROM pg_indexes WHERE tablename = $1 AND indexname = $2", name, f"{name}_tenant_id_id")
        assert index is not None and "(tenant_id, id)" in index


async def test_app_role_is_neither_owner_nor_superuser_nor_bypassrls(app_conn):
    role = await app_conn.fetchrow(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    assert not role["rolsuper"] and not role["rolbypassrls"]
    owners = await app_conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user")
    assert owners == []


async def _insert_customer(connection: asyncpg.Connection, tenant_id: uuid.UUID, name: str) -> None:
    await connection.execute(
        "INSERT INTO customer (tenant_id, code, name, name_folded) VALUES ($1, $2, $3, $3)",
        tenant_id, f"T{uuid.uuid4().hex[:8]}", name)


async def _as_tenant(connection: asyncpg.Connection, tenant_id: uuid.UUID | str) -> None:
    await connection.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant_id))


async def test_without_a_tenant_tables_are_empty_and_inserts_fail(app_conn):
    tenant_id = uuid.uuid4()
    async with app_conn.transaction():
        await _as_tenant(app_conn, tenant_id)
        await _insert_customer(app_conn, tenant_id, "Có dữ liệu")
    assert await app_conn.fetchval("SELECT count(*) FROM customer") == 0
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="row-level security"):
        await _insert_customer(app_conn, tenant_id, "Không được ghi")


async def test_a_pooled_connection_that_had_a_tenant_reads_no_rows_and_no_error(app_conn):
    """After a transaction with the setting, it reads back as '' (hence the NULLIF in the policy)."""
    async with app_conn.transaction():
        await _as_tenant(app_conn, uuid.uuid4())
    assert await app_conn.fetchval("SELECT current_setting('app.tenant_id', true)") == ""
    assert await app_conn.fetchval("SELECT count(*) FROM customer") == 0


async def test_tenant_a_cannot_see_or_write_tenant_b_rows(app_conn):
    tenant_a, tenant_b = uuid.uuid4(), uuid.uuid4()
    for tenant in (tenant_a, tenant_b):
        async with app_conn.transaction():
            await _as_tenant(app_conn, tenant)
            await _insert_customer(app_conn, tenant, f"Khách của {tenant}")
    async with app_conn.transaction():
        await _as_tenant(app_conn, tenant_a)
        seen = {row["tenant_id"] for row in await app_conn.fetch("SELECT tenant_id FROM customer")}
        assert seen == {tenant_a}
        # Writing a row that names B fails the WITH CHECK, as does moving a row to B.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with app_conn.transaction():
                await _insert_customer(app_conn, tenant_b, "Giả mạo")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with app_conn.transaction():
                await app_conn.execute("UPDATE customer SET tenant_id = $1", tenant_b)
        # B's rows are not there to update or delete.
        assert await app_conn.execute("DELETE FROM customer WHERE tenant_id = $1", tenant_b) == "DELETE 0"
    async with app_conn.transaction():
        await _as_tenant(app_conn, tenant_b)
        assert await app_conn.fetchval("SELECT count(*) FROM customer WHERE tenant_id = $1", tenant_b) == 1


def test_tenant_tables_are_found_by_inheritance_not_by_a_list():
    """A new table derived from the base is covered without being listed anywhere."""
    assert all(issubclass(table, TenantTable) for table in tenant_tables())
    assert len(tenant_tables()) == len({t._meta.tablename for t in tenant_tables()})
