from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:48:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Audit log: tenant-first indexes, append-only for the app role, erasure only of a deleting tenant"

STATEMENTS = [
    "CREATE INDEX audit_entry_tenant_object ON audit_entry (tenant_id, object_type, object_id, id)",
    "CREATE INDEX audit_entry_tenant_actor ON audit_entry (tenant_id, actor_id, id)",
    "CREATE INDEX audit_entry_tenant_action ON audit_entry (tenant_id, action, id)",
    "CREATE INDEX audit_entry_tenant_created ON audit_entry (tenant_id, created_at)",
    # Append-only: `crm migrate` grants the app role SELECT and INSERT only (tenants.rls); this makes sure.
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN "
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit_entry FROM crm_app; END IF; END $$",
    # Deleting a tenant must erase its audit log too. The function runs as its owner (the owner role), still
    # under the forced tenant policy, and erases only the current tenant's entries, and only once that
    # tenant is marked `deleting`: the app role cannot erase the log of a live tenant. That guard is the
    # function's own, so it keeps the default EXECUTE for every role (the app role may not exist yet here).
    """
    CREATE FUNCTION erase_deleting_tenant_audit() RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE erased bigint;
    BEGIN
        DELETE FROM audit_entry AS entry
        WHERE entry.tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
          AND EXISTS (SELECT 1 FROM tenant WHERE tenant.id = entry.tenant_id AND tenant.status = 'deleting');
        GET DIAGNOSTICS erased = ROW_COUNT;
        RETURN erased;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def audit_rules() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(audit_rules)
    return manager
