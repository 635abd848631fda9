from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Activities: seeded types once, one next activity per completion, calendar and reminder indexes"

STATEMENTS = [
        "CREATE UNIQUE INDEX activity_type_tenant_seed_key ON activity_type (tenant_id, seed_key) "
        "WHERE seed_key IS NOT NULL",
        "CREATE UNIQUE INDEX activity_tenant_created_from ON activity (tenant_id, created_from_activity_id) "
        "WHERE created_from_activity_id IS NOT NULL",
        "CREATE INDEX activity_tenant_record ON activity (tenant_id, record_type, record_id)",
        # Calendars ask for an assignee's activities in a time range.
        "CREATE INDEX activity_tenant_assignee_due ON activity (tenant_id, assignee_id, due_at)",
        # Reminders and the chain's safety net look at open activities by deadline and done ones that chain.
        "CREATE INDEX activity_tenant_open_due ON activity (tenant_id, due_at) WHERE status = 'open'",
        "CREATE INDEX activity_tenant_chained ON activity (tenant_id, done_at) WHERE chain_type_id IS NOT NULL",
        "CREATE UNIQUE INDEX calendar_feed_tenant_user ON calendar_feed (tenant_id, user_id)",
        "CREATE UNIQUE INDEX notification_tenant_activity_kind ON notification "
        "(tenant_id, activity_id, kind, deadline) WHERE activity_id IS NOT NULL",
        "CREATE INDEX notification_tenant_user ON notification (tenant_id, user_id, id)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
