from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Customer pages per owner, team and branch (data visibility)"

STATEMENTS = [
        "CREATE INDEX customer_tenant_owner ON customer (tenant_id, owner_id, id)",
        "CREATE INDEX customer_tenant_team ON customer (tenant_id, team_id, id)",
        "CREATE INDEX customer_tenant_branch ON customer (tenant_id, branch_id, id)",
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
