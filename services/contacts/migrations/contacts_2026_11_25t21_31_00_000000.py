from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T21:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Lifecycle history, contact persons, attribute definitions; GIN index over custom attribute values"

STATEMENTS = [
        "CREATE INDEX lifecycle_change_tenant_customer ON lifecycle_change (tenant_id, customer, created_at)",
        "CREATE INDEX contact_person_tenant_customer ON contact_person (tenant_id, customer, id)",
        # The database's guard for "one primary person per customer", whatever races the service loses.
        "CREATE UNIQUE INDEX contact_person_one_primary ON contact_person (tenant_id, customer) WHERE is_primary",
        "CREATE UNIQUE INDEX attribute_definition_tenant_key ON attribute_definition (tenant_id, entity, key)",
        # `attributes @> '{"key": value}'` filters. Not led by tenant_id, on purpose: in a GIN index (with
        # btree_gin) the tenant_id key's posting list is the whole tenant, so every lookup would read all of
        # a large tenant's entries (measured: 4 ms against 0.02 ms for one match in 20,000 rows). The path
        # and value hashes are selective; tenant_id and RLS are checked on the rows found.
        "CREATE INDEX customer_attributes ON customer USING gin (attributes jsonb_path_ops)",
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
