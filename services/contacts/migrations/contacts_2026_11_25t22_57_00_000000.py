from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:57:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of interactions, documents and imports: each starts with tenant_id"

STATEMENTS = [
        # The customer timeline reads a customer's interactions newest first.
        "CREATE INDEX interaction_tenant_customer_time ON interaction (tenant_id, customer, occurred_at DESC, id DESC)",
        # One row per version of a customer's document name.
        "CREATE UNIQUE INDEX document_tenant_customer_name_version ON document (tenant_id, customer, name, version)",
        "CREATE INDEX customer_import_error_tenant_import_row "
        "ON customer_import_error (tenant_id, customer_import, row_number)",
        # Imports match existing customers on a code, a tax code or an email.
        "CREATE INDEX customer_tenant_tax_code ON customer (tenant_id, tax_code) WHERE tax_code IS NOT NULL",
        "CREATE INDEX customer_tenant_email ON customer (tenant_id, email) WHERE email IS NOT NULL",
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
