from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T23:14:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Job runs: the latest run of each job of a tenant, for the job console"

STATEMENTS = ["CREATE INDEX job_run_tenant_name ON job_run (tenant_id, name, id)"]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def job_run_indexes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(job_run_indexes)
    return manager
