from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:34:27:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes that start with tenant_id (Piccolo declares single-column ones only)"

STATEMENTS = [
    "CREATE UNIQUE INDEX idempotency_key_tenant_key ON idempotency_key (tenant_id, key)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
