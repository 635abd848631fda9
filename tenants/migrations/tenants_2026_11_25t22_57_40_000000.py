from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:57:40:000000"
VERSION = "1.38.0"
DESCRIPTION = "One quota counter per tenant and quota"

STATEMENTS = [
    "CREATE UNIQUE INDEX tenant_quota_tenant_quota ON tenant_quota (tenant_id, quota)",
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
