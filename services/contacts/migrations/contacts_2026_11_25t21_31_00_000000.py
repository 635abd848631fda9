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
        # `attributes @> '{"key": value}'` filters; btree_gin lets the GIN index start with tenant_id.
        "CREATE EXTENSION IF NOT EXISTS btree_gin",
        "CREATE INDEX customer_tenant_attributes ON customer USING gin (tenant_id, attributes jsonb_path_ops)",
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
