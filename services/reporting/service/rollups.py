"""Keeping `customer_fact` current: folding the pending deltas in, and rebuilding it from the source rows.

Both run inside one tenant's transaction. Folding deletes the deltas it read and adds them in one statement,
so a delta is counted either as pending or as folded, never both and never lost; a concurrent fold waits on
the rows the first one deleted and then skips them.
"""

from __future__ import annotations

from services.reporting.facts import FACTS, Fact
from services.reporting.tables import CustomerFact
from tenants.context import current_tenant_id

_DIMENSIONS = "created_day, owner_id, team_id, branch_id, source_id, lifecycle_stage, relationship_status_id"
FOLD = f"""
WITH moved AS (DELETE FROM customer_fact_delta WHERE tenant_id = {{}} RETURNING {_DIMENSIONS}, delta),
summed AS (SELECT {_DIMENSIONS}, sum(delta) AS delta FROM moved GROUP BY {_DIMENSIONS})
INSERT INTO customer_fact (id, tenant_id, {_DIMENSIONS}, customers)
SELECT uuidv7(), {{}}, {_DIMENSIONS}, delta FROM summed WHERE delta <> 0
ON CONFLICT (tenant_id, {_DIMENSIONS}) DO UPDATE SET customers = customer_fact.customers + excluded.customers,
    updated_at = now()
RETURNING 1
"""  # noqa: S608
_REBUILD = f"""
INSERT INTO customer_fact (id, tenant_id, {_DIMENSIONS}, customers)
SELECT uuidv7(), c.tenant_id, (c.created_at AT TIME ZONE t.time_zone)::date, c.owner_id, c.team_id, c.branch_id,
       c.source_id, c.lifecycle_stage, c.relationship_status_id, count(*)
FROM customer c JOIN tenant t ON t.id = c.tenant_id WHERE c.tenant_id = {{}}
GROUP BY c.tenant_id, 3, c.owner_id, c.team_id, c.branch_id, c.source_id, c.lifecycle_stage,
         c.relationship_status_id
"""  # noqa: S608


async def fold_customer_facts() -> int:
    """Move pending deltas into the roll-up; returns how many roll-up rows changed."""
    tenant_id = current_tenant_id()
    changed = await CustomerFact.raw(FOLD, tenant_id, tenant_id)
    await CustomerFact.raw("DELETE FROM customer_fact WHERE tenant_id = {} AND customers = 0", tenant_id)
    return len(changed)


async def rebuild_customer_facts() -> int:
    """Recompute the roll-up from `customer` (after a time-zone change, or to repair); returns its rows."""
    tenant_id = current_tenant_id()
    # The customer rows are locked for the duration, so no delta can slip between the delete and the insert.
    await CustomerFact.raw("SELECT 1 FROM customer WHERE tenant_id = {} FOR SHARE", tenant_id)
    await CustomerFact.raw("DELETE FROM customer_fact_delta WHERE tenant_id = {}", tenant_id)
    await CustomerFact.raw("DELETE FROM customer_fact WHERE tenant_id = {}", tenant_id)
    await CustomerFact.raw(_REBUILD, tenant_id)
    rows: int = await CustomerFact.count().where(CustomerFact.tenant_id == tenant_id)
    return rows


def fold_sql(fact: Fact) -> str:
    sums = ", ".join(f"sum({column}) AS {column}" for column, _ in fact.measures)
    added = ", ".join(f"{column} = {fact.table}.{column} + excluded.{column}" for column, _ in fact.measures)
    # A change of value alone (the same row moved onto itself) nets 0 opportunities but not 0 value.
    changed = " OR ".join(f"{column} <> 0" for column, _ in fact.measures)
    return f"""
WITH moved AS (DELETE FROM {fact.delta} WHERE tenant_id = {{}} RETURNING {fact.columns}, {fact.measure_columns}),
summed AS (SELECT {fact.columns}, {sums} FROM moved GROUP BY {fact.columns})
INSERT INTO {fact.table} (id, tenant_id, {fact.columns}, {fact.measure_columns})
SELECT uuidv7(), {{}}, {fact.columns}, {fact.measure_columns} FROM summed WHERE {changed}
ON CONFLICT (tenant_id, {fact.columns}) DO UPDATE SET {added}, updated_at = now()
RETURNING 1
"""  # noqa: S608


async def fold_facts(fact: Fact) -> int:
    """`fold_customer_facts` for another roll-up (opportunities, activities)."""
    tenant_id = current_tenant_id()
    changed = await CustomerFact.raw(fold_sql(fact), tenant_id, tenant_id)
    await CustomerFact.raw(f"DELETE FROM {fact.table} WHERE tenant_id = {{}} AND {fact.measures[0][0]} = 0",  # noqa: S608
                           tenant_id)
    return len(changed)


async def rebuild_facts(fact: Fact) -> int:
    """`rebuild_customer_facts` for another roll-up; returns its rows."""
    tenant_id = current_tenant_id()
    await CustomerFact.raw(f"SELECT 1 FROM {fact.source} WHERE tenant_id = {{}} FOR SHARE", tenant_id)  # noqa: S608
    for table in (fact.delta, fact.table):
        await CustomerFact.raw(f"DELETE FROM {table} WHERE tenant_id = {{}}", tenant_id)  # noqa: S608
    await CustomerFact.raw(
        f"INSERT INTO {fact.table} (id, tenant_id, {fact.columns}, {fact.measure_columns}) "  # noqa: S608
        f"SELECT uuidv7(), g.* FROM ({fact.grouped(fact.source, where='WHERE x.tenant_id = {}')}) g", tenant_id)
    rows = await CustomerFact.raw(f"SELECT count(*) AS n FROM {fact.table} WHERE tenant_id = {{}}",  # noqa: S608
                                  tenant_id)
    return int(rows[0]["n"])


async def fold_all() -> int:
    """Every roll-up's pending deltas folded in."""
    return await fold_customer_facts() + sum([await fold_facts(fact) for fact in FACTS])


async def rebuild_all() -> int:
    return await rebuild_customer_facts() + sum([await rebuild_facts(fact) for fact in FACTS])
