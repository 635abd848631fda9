from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:01:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Referred leads and opportunities by partner (partners' collaborator results)"


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def create_index() -> None:
        await RawTable.raw("CREATE INDEX opportunity_referred_by ON opportunity (tenant_id, referred_by_partner_id) "
                           "WHERE referred_by_partner_id IS NOT NULL")

    manager.add_raw(create_index)
    return manager
