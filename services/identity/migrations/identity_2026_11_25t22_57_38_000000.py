from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:57:38:000000"
VERSION = "1.38.0"
DESCRIPTION = "The four plans, and a trial subscription for every tenant that signed up before plans"

GiB = 1024**3
STATEMENTS = [
    "CREATE INDEX subscription_stripe_subscription ON subscription (stripe_subscription_id)",
    "CREATE INDEX subscription_past_due ON subscription (past_due_since) WHERE status = 'past_due'",
    # code, name, position, seats, customers, storage, rpm, webhook endpoints, custom attributes, features
    "INSERT INTO plan (id, code, name, position, seats, customers, storage_bytes, requests_per_minute, "
    "webhook_endpoints, custom_attributes, features) VALUES "
    f"(uuidv7(), 'trial', 'Trial', 0, 5, 1000, {GiB}, 600, 5, 20, ARRAY[]::varchar[]), "
    f"(uuidv7(), 'standard', 'Standard', 1, 10, 10000, {10 * GiB}, 600, 10, 50, ARRAY['reports', 'imports']), "
    f"(uuidv7(), 'pro', 'Pro', 2, 50, 100000, {100 * GiB}, 1200, 25, 200, "
    "ARRAY['reports', 'imports', 'territories', 'api']), "
    "(uuidv7(), 'enterprise', 'Enterprise', 3, NULL, NULL, NULL, 6000, NULL, NULL, "
    "ARRAY['reports', 'imports', 'territories', 'api', 'sso', 'priority_support']) "
    "ON CONFLICT (code) DO NOTHING",
    "INSERT INTO subscription (id, tenant_id, plan_code, status, trial_ends_at) "
    "SELECT uuidv7(), t.id, 'trial', 'trialing', now() + interval '14 days' FROM tenant t "
    "WHERE NOT EXISTS (SELECT 1 FROM subscription s WHERE s.tenant_id = t.id)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def seed_plans() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(seed_plans)
    return manager
