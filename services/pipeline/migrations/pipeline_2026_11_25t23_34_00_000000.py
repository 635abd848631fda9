from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T23:34:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Indexes of stages by team, the board, stage moves and seeded lost reasons"

STATEMENTS = [
        "CREATE INDEX stage_tenant_team_sequence ON stage (tenant_id, team_id, sequence)",
        # The board: open opportunities of a team per stage, summed by an index-only scan.
        "CREATE INDEX opportunity_board ON opportunity (tenant_id, team_id, stage_id, id) "
        "INCLUDE (expected_revenue, probability, currency, date_last_stage_update) "
        "WHERE state = 'open' AND kind = 'opportunity'",
        # Deleting a stage finds its opportunities; the restrict foreign key checks them too.
        "CREATE INDEX opportunity_tenant_stage ON opportunity (tenant_id, stage_id)",
        "CREATE INDEX opportunity_tenant_owner ON opportunity (tenant_id, owner_id)",
        "CREATE INDEX opportunity_tenant_customer ON opportunity (tenant_id, customer_id)",
        "CREATE INDEX opportunity_lost_reason ON opportunity (lost_reason_id) WHERE lost_reason_id IS NOT NULL",
        "CREATE INDEX stage_move_tenant_opportunity ON stage_move (tenant_id, opportunity_id, id)",
        "CREATE INDEX stage_move_opportunity ON stage_move (opportunity_id)",
        "CREATE UNIQUE INDEX lost_reason_tenant_seed ON lost_reason (tenant_id, seed_key) WHERE seed_key IS NOT NULL",
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
