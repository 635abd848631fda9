"""Row-level security for every table derived from `TenantTable`, applied by `crm migrate`."""

from __future__ import annotations

import asyncpg
from piccolo.conf.apps import Finder
from piccolo.table import Table

from infra.database import APP_ROLE
from tenants.tables import TenantTable

POLICY = "tenant_isolation"
TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def tenant_tables() -> list[type[Table]]:
    return [table for table in Finder().get_table_classes() if issubclass(table, TenantTable)]


def platform_tables() -> list[type[Table]]:
    return [table for table in Finder().get_table_classes() if not issubclass(table, TenantTable)]


async def apply_tenancy(owner: asyncpg.Connection) -> list[str]:
    """Enable and force RLS with the tenant policy, index `(tenant_id, id)`, and grant the app role.

    Idempotent: it runs after every migration, so a new tenant table is covered without being listed.
    """
    names = []
    async with owner.transaction():
        for table in tenant_tables():
            name = table._meta.tablename
            names.append(name)
            await owner.execute(
                f'ALTER TABLE "{name}" ENABLE ROW LEVEL SECURITY; '
                f'ALTER TABLE "{name}" FORCE ROW LEVEL SECURITY; '
                f'DROP POLICY IF EXISTS {POLICY} ON "{name}"; '
                f'CREATE POLICY {POLICY} ON "{name}" USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE}); '
                f'CREATE INDEX IF NOT EXISTS "{name}_tenant_id_id" ON "{name}" (tenant_id, id);'
            )
        for table in tenant_tables() + platform_tables():
            name = table._meta.tablename
            if getattr(table, "append_only", False):  # e.g. the audit log: the app may add, never change
                await owner.execute(f'GRANT SELECT, INSERT ON "{name}" TO {APP_ROLE}; '
                                    f'REVOKE UPDATE, DELETE, TRUNCATE ON "{name}" FROM {APP_ROLE}')
            else:
                await owner.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON "{name}" TO {APP_ROLE}')
    return names
