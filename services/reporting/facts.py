"""The roll-ups' shapes: each fact table's dimensions as expressions over its source table (aliased `x`, joined
to its `tenant` as `t` for the time zone) and its measures, shared by the triggers (migration), the fold and
the rebuild (service.rollups), and the direct queries that tests and the benchmark compare them with."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fact:
    table: str  # the roll-up
    source: str  # the table it counts
    dimensions: tuple[tuple[str, str], ...]  # (column, expression over x)
    measures: tuple[tuple[str, str], ...]  # (column, aggregate over x)
    key: str  # what tells an update that moves a row between roll-up rows: a row value over x
    expand: str = ""  # joined after `x` and its tenant `t`: a source row counted in several roll-up rows

    @property
    def delta(self) -> str:
        return f"{self.table}_delta"

    @property
    def columns(self) -> str:
        return ", ".join(column for column, _ in self.dimensions)

    @property
    def measure_columns(self) -> str:
        return ", ".join(column for column, _ in self.measures)

    def grouped(self, rows: str, sign: str = "", where: str = "") -> str:
        """`SELECT tenant_id, <dimensions>, <measures>` of `rows` (a table or transition table), signed."""
        dims = ", ".join(f"{expression} AS {column}" for column, expression in self.dimensions)
        sums = ", ".join(f"{sign}{aggregate} AS {column}" for column, aggregate in self.measures)
        group = ", ".join(str(n) for n in range(2, len(self.dimensions) + 2))
        return (f"SELECT x.tenant_id, {dims}, {sums} FROM {rows} x JOIN tenant t ON t.id = x.tenant_id "  # noqa: S608
                f"{self.expand} {where} GROUP BY x.tenant_id, {group}")


_LOCAL_DAY = "(x.{} AT TIME ZONE t.time_zone)::date"
# An opportunity counts twice: on the day it was created (event `created`) and, once won or lost, on the day it
# was closed (event `closed`, with the days it took). Keeping the two days in one row would make the roll-up
# nearly as long as the table (every created day times every closed day).
_EVENTS = ("CROSS JOIN LATERAL (SELECT * FROM (VALUES ('created', " + _LOCAL_DAY.format("created_at") + "), "  # noqa: S608
           "('closed', " + _LOCAL_DAY.format("closed_at") + ")) v (event, day) WHERE v.day IS NOT NULL) e")
OPPORTUNITY = Fact(
    table="opportunity_fact", source="opportunity",
    dimensions=(("event", "e.event"), ("day", "e.day"), ("kind", "x.kind"), ("state", "x.state"),
                ("stage_id", "x.stage_id"), ("lost_reason_id", "x.lost_reason_id"), ("owner_id", "x.owner_id"),
                ("team_id", "x.team_id"), ("branch_id", "x.branch_id"), ("currency", "x.currency")),
    measures=(("opportunities", "count(*)"), ("revenue", "sum(x.expected_revenue)"),
              ("weighted", "sum(x.expected_revenue::numeric * x.probability)"),
              ("cycle_days", "sum(CASE WHEN e.event = 'closed' THEN e.day - "
                             + _LOCAL_DAY.format("created_at") + " ELSE 0 END)")),
    key="(x.kind, x.state, x.stage_id, x.lost_reason_id, x.owner_id, x.team_id, x.branch_id, x.currency, "
        "x.created_at, x.closed_at, x.expected_revenue, x.probability)",
    expand=_EVENTS)
ACTIVITY = Fact(
    table="activity_fact", source="activity",
    dimensions=(("owner_id", "x.assignee_id"), ("team_id", "x.team_id"), ("branch_id", "x.branch_id"),
                ("type_id", "x.type_id"), ("status", "x.status"), ("due_date", "x.due_date")),
    measures=(("activities", "count(*)"),),
    key="(x.assignee_id, x.team_id, x.branch_id, x.type_id, x.status, x.due_date)")
FACTS = (OPPORTUNITY, ACTIVITY)
