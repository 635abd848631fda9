from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "The last-touch index ends with the id, so the ageing job reads its batches as index ranges"

# The ageing job reads due customers in (last touch, id) order after the previous batch's last row; with the id in
# the index, that is a range scan of the batch's own rows however many share one last-touch time (an import, or a
# benchmark), instead of sorting every due row of that time for each batch.
STATEMENTS = [
    "DROP INDEX IF EXISTS customer_tenant_last_touch",
    "CREATE INDEX customer_tenant_last_touch ON customer (tenant_id, (COALESCE(last_contacted_at, created_at)), id)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def last_touch_with_id() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(last_touch_with_id)
    return manager
