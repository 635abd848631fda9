from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Customers carry their last touch as a column, so the ageing job's ranges are index conditions under RLS"

# Under row-level security PostgreSQL uses a condition as an index condition only if it is leakproof, and it takes
# any COALESCE over a column for leaky: on the expression index `COALESCE(last_contacted_at, created_at)` the
# ageing's range and keyset were filters, so each batch re-read every row before it (docs/decisions.md §22). A
# plain column compared with leakproof operators is an index condition.
STATEMENTS = [
    "ALTER TABLE customer ADD COLUMN last_touched_at timestamptz "
    "GENERATED ALWAYS AS (COALESCE(last_contacted_at, created_at)) STORED",
    "DROP INDEX IF EXISTS customer_tenant_last_touch",
    "CREATE INDEX customer_tenant_last_touch ON customer (tenant_id, last_touched_at, id)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def last_touched_column() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(last_touched_column)
    return manager
