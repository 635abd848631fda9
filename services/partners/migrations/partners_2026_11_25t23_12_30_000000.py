from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T23:12:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Composite indexes of partners, ledger and credit (Piccolo declares single-column ones only)"

STATEMENTS = [
    "CREATE UNIQUE INDEX partner_tenant_customer ON partner (tenant_id, customer_id)",
    "CREATE INDEX partner_tenant_parent ON partner (tenant_id, parent_id)",
    "CREATE UNIQUE INDEX account_parent_tenant_customer ON account_parent (tenant_id, customer_id)",
    "CREATE INDEX account_parent_tenant_parent ON account_parent (tenant_id, parent_customer_id)",
    "CREATE UNIQUE INDEX policy_version_tenant_policy_version ON policy_version (tenant_id, policy_id, version)",
    "CREATE UNIQUE INDEX credit_account_tenant_customer ON credit_account (tenant_id, customer_id)",
    "CREATE UNIQUE INDEX ledger_entry_tenant_kind_reference ON ledger_entry (tenant_id, kind, reference)",
    # The credit check sums one customer's entries from this index alone (an index-only scan).
    "CREATE INDEX ledger_entry_credit ON ledger_entry (tenant_id, customer_id, currency, kind, due_date) "
    "INCLUDE (amount, document_date)",
    "CREATE UNIQUE INDEX ledger_balance_tenant_customer_currency ON ledger_balance (tenant_id, customer_id, currency)",
    "CREATE INDEX credit_approval_tenant_document ON credit_approval (tenant_id, document_id)",
    "CREATE UNIQUE INDEX partners_settings_tenant ON partners_settings (tenant_id)",
    "CREATE INDEX discount_target_tenant_partner ON discount_target (tenant_id, partner_id, period_start)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
