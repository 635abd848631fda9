from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of saved import mappings and import outcomes: each starts with tenant_id"

STATEMENTS = [
        "CREATE UNIQUE INDEX import_mapping_tenant_name ON import_mapping (tenant_id, name_folded)",
        # An import's outcomes: the revert deletes its created customers and restores its updated ones.
        "CREATE INDEX customer_import_outcome_tenant_import "
        "ON customer_import_outcome (tenant_id, customer_import, outcome)",
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
