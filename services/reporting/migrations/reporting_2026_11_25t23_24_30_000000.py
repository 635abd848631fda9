from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-25T23:24:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "customer_fact: its unique key, and the statement-level triggers on customer that feed its deltas"

DIMENSIONS = "owner_id, team_id, branch_id, source_id, lifecycle_stage, relationship_status_id"
# A customer's dimensions as one row value, to tell an update that moves it from one that does not.
_KEY = "(x.owner_id, x.team_id, x.branch_id, x.source_id, x.lifecycle_stage, x.relationship_status_id, x.created_at)"


def _delta(rows: str, sign: str, where: str = "") -> str:
    return (f"INSERT INTO customer_fact_delta (id, tenant_id, created_day, {DIMENSIONS}, delta) "
            f"SELECT uuidv7(), x.tenant_id, (x.created_at AT TIME ZONE t.time_zone)::date, "
            f"x.owner_id, x.team_id, x.branch_id, x.source_id, x.lifecycle_stage, x.relationship_status_id, "
            f"{sign}count(*) FROM {rows} x JOIN tenant t ON t.id = x.tenant_id AND t.status <> 'deleting' {where} "
            f"GROUP BY x.tenant_id, 3, x.owner_id, x.team_id, x.branch_id, x.source_id, x.lifecycle_stage, "
            f"x.relationship_status_id;")


_MOVED_FROM = f"WHERE EXISTS (SELECT 1 FROM new_rows y WHERE y.id = x.id AND {_KEY.replace('x.', 'y.')} IS DISTINCT FROM {_KEY})"
_MOVED_TO = f"WHERE EXISTS (SELECT 1 FROM old_rows y WHERE y.id = x.id AND {_KEY.replace('x.', 'y.')} IS DISTINCT FROM {_KEY})"

STATEMENTS = [
    f"CREATE UNIQUE INDEX customer_fact_key ON customer_fact (tenant_id, created_day, {DIMENSIONS}) "
    "NULLS NOT DISTINCT",
    "CREATE INDEX customer_fact_delta_tenant ON customer_fact_delta (tenant_id, id)",
    # A deleted tenant's rows go without deltas: the tenant is marked `deleting` first (see identity).
    "CREATE FUNCTION reporting_customer_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _delta("new_rows", "") + " RETURN NULL; END $$",
    "CREATE FUNCTION reporting_customer_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _delta("old_rows", "-") + " RETURN NULL; END $$",
    "CREATE FUNCTION reporting_customer_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + _delta("old_rows", "-", _MOVED_FROM) + _delta("new_rows", "", _MOVED_TO) + " RETURN NULL; END $$",
    "CREATE TRIGGER customer_fact_inserted AFTER INSERT ON customer REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION reporting_customer_inserted()",
    "CREATE TRIGGER customer_fact_deleted AFTER DELETE ON customer REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION reporting_customer_deleted()",
    "CREATE TRIGGER customer_fact_updated AFTER UPDATE ON customer REFERENCING OLD TABLE AS old_rows "
    "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reporting_customer_updated()",
]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="reporting", description=DESCRIPTION)

    async def create() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement)

    manager.add_raw(create)
    return manager
