from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T21:25:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of the outbox, deliveries and attempts; all start with tenant_id"

STATEMENTS = [
        # The dispatcher's queue: only rows not yet turned into deliveries.
        "CREATE INDEX webhook_outbox_tenant_undispatched ON webhook_outbox (tenant_id, id) "
        "WHERE dispatched_at IS NULL",
        "CREATE INDEX webhook_delivery_tenant_endpoint ON webhook_delivery (tenant_id, endpoint_id, id)",
        "CREATE UNIQUE INDEX webhook_delivery_tenant_event_endpoint "
        "ON webhook_delivery (tenant_id, event_id, endpoint_id)",
        "CREATE INDEX webhook_attempt_tenant_delivery ON webhook_attempt (tenant_id, delivery_id, attempted_at)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="webhooks", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
