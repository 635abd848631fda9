from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T21:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The reaper's lookup: which tenants have deliveries or outbox rows that no job carries"

# The reaper runs for no tenant, and the outbox and deliveries are tenant tables (RLS forced, even for their
# owner). `webhook_tenants_to_reap` is SECURITY DEFINER, owned by the owner role, and returns only tenant ids;
# the owner gets SELECT-only policies so that it can read, and the app role may EXECUTE it. The reaper then
# re-queues each tenant's rows as the app role inside that tenant's transaction.
STATEMENTS = [
    "CREATE INDEX webhook_delivery_tenant_pending ON webhook_delivery (tenant_id, next_attempt_at) "
    "WHERE status = 'pending'",
    "CREATE POLICY webhook_delivery_reaper ON webhook_delivery FOR SELECT TO CURRENT_USER USING (true)",
    "CREATE POLICY webhook_outbox_reaper ON webhook_outbox FOR SELECT TO CURRENT_USER USING (true)",
    """
    CREATE FUNCTION webhook_tenants_to_reap(p_overdue_since timestamptz) RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT tenant_id FROM webhook_delivery WHERE status = 'pending' AND next_attempt_at < p_overdue_since
        UNION
        SELECT tenant_id FROM webhook_outbox WHERE dispatched_at IS NULL AND created_at < p_overdue_since
    $$
    """,
    "REVOKE ALL ON FUNCTION webhook_tenants_to_reap(timestamptz) FROM PUBLIC",
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
            GRANT EXECUTE ON FUNCTION webhook_tenants_to_reap(timestamptz) TO crm_app;
        END IF;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create_reaper_lookup() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_reaper_lookup)
    return manager
