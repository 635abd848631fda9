from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T21:48:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "One settings row per tenant; the index status ageing finds due customers by"

STATEMENTS = [
        "CREATE UNIQUE INDEX contacts_settings_tenant ON contacts_settings (tenant_id)",
        # Ageing asks for customers whose last contact, or creation when never contacted, is before a date.
        "CREATE INDEX customer_tenant_last_touch ON customer (tenant_id, (COALESCE(last_contacted_at, created_at)))",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
