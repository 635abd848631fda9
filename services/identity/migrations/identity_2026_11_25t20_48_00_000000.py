from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T20:48:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Roles and org structure: unique keys and lookups per tenant"

STATEMENTS = [
        "CREATE UNIQUE INDEX role_tenant_name ON role (tenant_id, name)",
        "CREATE UNIQUE INDEX branch_tenant_code ON branch (tenant_id, code)",
        "CREATE UNIQUE INDEX salesperson_tenant_user ON salesperson (tenant_id, user_id)",
        "CREATE UNIQUE INDEX salesperson_tenant_employee_code ON salesperson (tenant_id, employee_code)",
        "CREATE INDEX salesperson_tenant_branch ON salesperson (tenant_id, branch_id)",
        "CREATE INDEX sales_team_tenant_leader ON sales_team (tenant_id, leader_id)",
        "CREATE UNIQUE INDEX sales_team_member_tenant_user ON sales_team_member (tenant_id, user_id)",
        "CREATE INDEX sales_team_member_tenant_team ON sales_team_member (tenant_id, team_id)",
        "CREATE INDEX membership_tenant_role ON membership (tenant_id, role)",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="identity", description=DESCRIPTION)

    async def create_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create_indexes)
    return manager
