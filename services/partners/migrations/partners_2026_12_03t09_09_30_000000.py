from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T09:09:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Partners' visibility: an index by owner, and existing partners placed in their owner's team and branch"

# The owner role is subject to the forced row-level security (it sees no tenant's rows without a tenant set),
# so the backfill runs with RLS not forced on the tables it reads and writes, forced again right after.
_READ_AND_WRITTEN = ("partner", "sales_team_member", "sales_team", "salesperson")
STATEMENTS = [
    "CREATE INDEX partner_tenant_owner ON partner (tenant_id, owner_id)",
    *(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY" for table in _READ_AND_WRITTEN),
    # The same placement as identity's `placement_of`: the team they are in, else one they lead; their branch.
    "UPDATE partner p SET "
    "team_id = COALESCE((SELECT team_id FROM sales_team_member m WHERE m.tenant_id = p.tenant_id "
    "AND m.user_id = p.owner_id), (SELECT id FROM sales_team t WHERE t.tenant_id = p.tenant_id "
    "AND t.leader_id = p.owner_id ORDER BY id LIMIT 1)), "
    "branch_id = (SELECT branch_id FROM salesperson s WHERE s.tenant_id = p.tenant_id AND s.user_id = p.owner_id) "
    "WHERE p.owner_id IS NOT NULL",
    *(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY" for table in _READ_AND_WRITTEN),
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="partners", description=DESCRIPTION)

    async def place_partners() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(place_partners)
    return manager
