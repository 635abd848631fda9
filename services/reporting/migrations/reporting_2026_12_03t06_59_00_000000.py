from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from services.reporting.facts import FACTS, Fact

ID = "2026-12-03T06:59:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "opportunity_fact and activity_fact: unique keys, and the statement-level triggers that feed their deltas"


def _delta(fact: Fact, rows: str, sign: str, other: str = "") -> str:
    # A deleted tenant's rows go without deltas: the tenant is marked `deleting` first (see identity).
    where = "WHERE t.status <> 'deleting'"
    if other:  # an update: only the rows whose key changed move
        moved = fact.key.replace("x.", "y.")
        where += f" AND EXISTS (SELECT 1 FROM {other} y WHERE y.id = x.id AND {moved} IS DISTINCT FROM {fact.key})"
    return (f"INSERT INTO {fact.delta} (id, tenant_id, {fact.columns}, {fact.measure_columns}) "
            f"SELECT uuidv7(), g.* FROM ({fact.grouped(rows, sign, where)}) g;")


def _statements(fact: Fact) -> list[str]:
    name = f"reporting_{fact.source}"
    return [
        f"CREATE UNIQUE INDEX {fact.table}_key ON {fact.table} (tenant_id, {fact.columns}) NULLS NOT DISTINCT",
        f"CREATE INDEX {fact.delta}_tenant ON {fact.delta} (tenant_id, id)",
        f"CREATE FUNCTION {name}_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _delta(fact, "new_rows", "") + " RETURN NULL; END $$",
        f"CREATE FUNCTION {name}_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _delta(fact, "old_rows", "-") + " RETURN NULL; END $$",
        f"CREATE FUNCTION {name}_updated() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _delta(fact, "old_rows", "-", "new_rows") + _delta(fact, "new_rows", "", "old_rows")
        + " RETURN NULL; END $$",
        f"CREATE TRIGGER {fact.table}_inserted AFTER INSERT ON {fact.source} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_inserted()",
        f"CREATE TRIGGER {fact.table}_deleted AFTER DELETE ON {fact.source} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_deleted()",
        f"CREATE TRIGGER {fact.table}_updated AFTER UPDATE ON {fact.source} REFERENCING OLD TABLE AS old_rows "
        f"NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}_updated()",
    ]


class RawTable(Table):
    pass


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="reporting", description=DESCRIPTION)

    async def create() -> None:
        for fact in FACTS:
            for statement in _statements(fact):
                await RawTable.raw(statement)
        # Existing rows: counted once, as the rebuild does.
        for fact in FACTS:
            await RawTable.raw(f"INSERT INTO {fact.table} (id, tenant_id, {fact.columns}, {fact.measure_columns}) "
                               f"SELECT uuidv7(), g.* FROM ({fact.grouped(fact.source)}) g")

    manager.add_raw(create)
    return manager
