from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Ordered delivery's lookup, and support staff's cross-tenant list of failing endpoints"

# `webhook_failing_endpoints` is SECURITY DEFINER (owned by the owner role, like `webhook_tenants_to_reap`):
# support staff work outside any tenant, and the endpoint table is a tenant table with RLS forced. It returns
# no secret. The app role may EXECUTE it; the support routes are what guard it.
STATEMENTS = [
    # Ordered endpoints: is an earlier event still pending for this endpoint?
    "CREATE INDEX webhook_delivery_tenant_endpoint_pending ON webhook_delivery (tenant_id, endpoint_id, event_id) "
    "WHERE status = 'pending'",
    "CREATE POLICY webhook_endpoint_support ON webhook_endpoint FOR SELECT TO CURRENT_USER USING (true)",
    """
    CREATE FUNCTION webhook_failing_endpoints(p_limit integer)
    RETURNS TABLE (tenant_id uuid, id uuid, url varchar, description varchar, enabled boolean,
                   disabled_reason varchar, failing_since timestamptz, updated_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT tenant_id, id, url, description, enabled, disabled_reason, failing_since, updated_at
        FROM webhook_endpoint
        WHERE failing_since IS NOT NULL OR disabled_reason IS NOT NULL
        ORDER BY failing_since NULLS LAST, updated_at DESC
        LIMIT p_limit
    $$
    """,
    "REVOKE ALL ON FUNCTION webhook_failing_endpoints(integer) FROM PUBLIC",
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
            GRANT EXECUTE ON FUNCTION webhook_failing_endpoints(integer) TO crm_app;
        END IF;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create_lookups() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_lookups)
    return manager
