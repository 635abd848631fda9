from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:46:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "api_key_lookup: find an API key by its prefix before the tenant is known, without weakening RLS"

# The function runs as its owner (the migrating role) and turns `app.api_key_lookup` on for its own query
# only; the extra policy lets that role read api_key rows only while the setting is on, i.e. inside the
# function (the setting would not help any other role: the policy is for the owner alone). The app role may
# only EXECUTE it, and it returns the one row whose prefix matches.
STATEMENTS = [
    "CREATE POLICY api_key_lookup ON api_key FOR SELECT TO CURRENT_USER "
    "USING (current_setting('app.api_key_lookup', true) = 'on')",
    """
    CREATE FUNCTION api_key_lookup(key_prefix text)
    RETURNS TABLE (id uuid, tenant_id uuid, secret_hash varchar, scopes varchar[], expires_at timestamptz,
                   revoked_at timestamptz, last_used_at timestamptz, tenant_status varchar,
                   requests_per_minute integer)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    BEGIN
        PERFORM set_config('app.api_key_lookup', 'on', true);
        RETURN QUERY
            SELECT k.id, k.tenant_id, k.secret_hash, k.scopes, k.expires_at, k.revoked_at, k.last_used_at,
                   t.status, t.requests_per_minute
            FROM public.api_key AS k JOIN public.tenant AS t ON t.id = k.tenant_id
            WHERE k.prefix = key_prefix;
        PERFORM set_config('app.api_key_lookup', '', true);
    END
    $$
    """,
    "REVOKE ALL ON FUNCTION api_key_lookup(text) FROM PUBLIC",
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
            GRANT EXECUTE ON FUNCTION api_key_lookup(text) TO crm_app;
        END IF;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def create_lookup() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_lookup)
    return manager
