from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:01:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Agreement documents: one row per contacts document, gone with it; referrals by partner"

STATEMENTS = [
    "CREATE UNIQUE INDEX partner_agreement_document ON partner_agreement (document_id)",
    "CREATE INDEX partner_agreement_tenant_partner ON partner_agreement (tenant_id, partner_id)",
    "ALTER TABLE partner_agreement ADD CONSTRAINT partner_agreement_document_fk FOREIGN KEY (document_id) "
    "REFERENCES document (id) ON DELETE CASCADE",
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
