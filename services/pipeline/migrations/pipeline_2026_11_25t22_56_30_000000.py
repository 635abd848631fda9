from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T22:56:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Products, price policies, quotations and contracts: unique codes and numbers, tenant-first indexes"

STATEMENTS = [
        "CREATE UNIQUE INDEX product_tenant_code ON product (tenant_id, code)",
        "CREATE UNIQUE INDEX bundle_component_tenant_pair ON bundle_component (tenant_id, bundle, component)",
        "CREATE INDEX price_policy_tenant_valid ON price_policy (tenant_id, valid_from)",
        "CREATE UNIQUE INDEX quotation_tenant_number ON quotation (tenant_id, number)",
        # The expiry job looks for sent quotations past their date.
        "CREATE INDEX quotation_tenant_state_valid ON quotation (tenant_id, state, valid_until)",
        "CREATE INDEX quotation_tenant_opportunity ON quotation (tenant_id, opportunity_id)",
        "CREATE UNIQUE INDEX quotation_revision_tenant_number ON quotation_revision (tenant_id, quotation, revision)",
        "CREATE INDEX quotation_send_tenant_quotation ON quotation_send (tenant_id, quotation)",
        "CREATE UNIQUE INDEX contract_tenant_number ON contract (tenant_id, number)",
        # Renewal reminders and expiry look for signed or active contracts by end date.
        "CREATE INDEX contract_tenant_state_end ON contract (tenant_id, state, end_date)",
        "CREATE UNIQUE INDEX contract_document_tenant_version ON contract_document (tenant_id, contract, version)",
        "CREATE UNIQUE INDEX contract_renewal_reminder_tenant_term "
        "ON contract_renewal_reminder (tenant_id, contract, end_date)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
