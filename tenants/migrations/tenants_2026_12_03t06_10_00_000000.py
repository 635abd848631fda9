from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Job runs: the lookup of runs a dead worker left running, and the pruning of old finished runs"

# Both run for no tenant, and job_run is a tenant table (RLS forced, even for its owner). The two functions are
# SECURITY DEFINER, owned by the owner role, which gets a SELECT and a DELETE policy of its own; the app role may
# EXECUTE them. `job_runs_lost` returns only what the rescue needs to check a run's lease and re-queue its rq job
# (in the tenant's own transaction); `job_runs_prune` deletes only finished runs, a bounded batch per call.
STATEMENTS = [
    "CREATE INDEX job_run_running ON job_run (updated_at) WHERE status = 'running'",
    "CREATE INDEX job_run_finished ON job_run (finished_at) WHERE finished_at IS NOT NULL",
    "CREATE POLICY job_run_rescue ON job_run FOR SELECT TO CURRENT_USER USING (true)",
    "CREATE POLICY job_run_prune ON job_run FOR DELETE TO CURRENT_USER USING (finished_at IS NOT NULL)",
    """
    CREATE FUNCTION job_runs_lost(p_idle_since timestamptz)
    RETURNS TABLE (tenant_id uuid, id uuid, rq_job_id varchar, queue_name varchar)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        SELECT r.tenant_id, r.id, r.rq_job_id, r.queue_name FROM job_run r
        WHERE r.status = 'running' AND r.updated_at < p_idle_since
    $$
    """,
    """
    CREATE FUNCTION job_runs_prune(p_finished_before timestamptz, p_batch integer) RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
    AS $$
        WITH gone AS (
            DELETE FROM job_run WHERE id IN (
                SELECT id FROM job_run WHERE finished_at < p_finished_before LIMIT p_batch)
            RETURNING 1
        )
        SELECT count(*)::integer FROM gone
    $$
    """,
    "REVOKE ALL ON FUNCTION job_runs_lost(timestamptz) FROM PUBLIC",
    "REVOKE ALL ON FUNCTION job_runs_prune(timestamptz, integer) FROM PUBLIC",
    """
    DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'crm_app') THEN
            GRANT EXECUTE ON FUNCTION job_runs_lost(timestamptz) TO crm_app;
            GRANT EXECUTE ON FUNCTION job_runs_prune(timestamptz, integer) TO crm_app;
        END IF;
    END $$
    """,
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="tenants", description=DESCRIPTION)

    async def job_run_rescue_and_prune() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(job_run_rescue_and_prune)
    return manager
