from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T21:23:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Classification: unique codes and names per tenant, link and history lookups, customer filters"

STATEMENTS = [
        "CREATE UNIQUE INDEX customer_group_tenant_code ON customer_group (tenant_id, code)",
        "CREATE INDEX customer_group_tenant_parent ON customer_group (tenant_id, parent_id)",
        "CREATE UNIQUE INDEX customer_group_member_tenant_group_customer "
        "ON customer_group_member (tenant_id, group_id, customer_id)",
        "CREATE INDEX customer_group_member_tenant_customer ON customer_group_member (tenant_id, customer_id)",
        "CREATE UNIQUE INDEX customer_source_tenant_name ON customer_source (tenant_id, name_folded)",
        "CREATE UNIQUE INDEX relationship_status_tenant_system_key ON relationship_status (tenant_id, system_key) "
        "WHERE system_key IS NOT NULL",
        "CREATE INDEX customer_status_change_tenant_customer "
        "ON customer_status_change (tenant_id, customer_id, id)",
        "CREATE UNIQUE INDEX tag_tenant_name ON tag (tenant_id, name_folded)",
        "CREATE UNIQUE INDEX customer_tag_tenant_tag_customer ON customer_tag (tenant_id, tag_id, customer_id)",
        "CREATE INDEX customer_tag_tenant_customer ON customer_tag (tenant_id, customer_id)",
        "CREATE INDEX customer_tenant_source ON customer (tenant_id, source_id, id)",
        "CREATE INDEX customer_tenant_relationship_status ON customer (tenant_id, relationship_status_id, id)",
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
