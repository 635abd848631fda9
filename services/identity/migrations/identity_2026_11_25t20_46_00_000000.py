from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of sessions, invitations and the mail outbox; the invitation lookup by token"

# Accepting an invitation happens before any tenant is known, and `invitation` is a tenant table (RLS
# forced, even for its owner). `invitation_by_token` is SECURITY DEFINER, owned by the owner role, and
# returns the one row whose token hash matches: only a caller who holds the token finds it. The owner
# gets a SELECT-only policy so that the function can read; the app role's only policy is still the
# tenant one, and it may EXECUTE the function but not change it. Writes to the invitation (accepting it)
# then run as the app role inside the invitation's tenant transaction.
STATEMENTS = [
    "CREATE INDEX invitation_tenant_email ON invitation (tenant_id, email)",
    "CREATE INDEX refresh_token_user_tenant ON refresh_token (user_id, tenant_id) WHERE revoked_at IS NULL",
    "CREATE INDEX mail_outbox_pending ON mail_outbox (id) WHERE status = 'pending'",
    "CREATE POLICY invitation_token_lookup ON invitation FOR SELECT TO CURRENT_USER USING (true)",
    """
    CREATE FUNCTION invitation_by_token(p_token_hash text)
    RETURNS TABLE (id uuid, tenant_id uuid, email varchar, role varchar, expires_at timestamptz,
                   accepted_at timestamptz)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT i.id, i.tenant_id, i.email, i.role, i.expires_at, i.accepted_at
        FROM invitation i WHERE i.token_hash = p_token_hash
    $$
    """,
    "REVOKE ALL ON FUNCTION invitation_by_token(text) FROM PUBLIC",
    # The app role exists wherever the local stack or the tests bootstrapped the database; on an external
    # database whose app role `crm migrate` creates afterwards, grant it by hand.
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
            GRANT EXECUTE ON FUNCTION invitation_by_token(text) TO crm_app;
        END IF;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def create_indexes_and_lookup() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes_and_lookup)
    return manager
