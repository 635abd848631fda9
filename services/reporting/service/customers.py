"""Customer indicators: new customers over time, the lifecycle funnel, relationship statuses and their moves,
and source effectiveness — under the caller's data visibility, for a period compared with the one before.

Figures come from `customer_fact` (+ its pending deltas), never from counting `customer`, except with a group
filter (membership is many-to-many, so it is not a roll-up dimension) and in `direct` mode, which computes the
same figures from the source rows: tests and the benchmark compare the two.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec

from services.contacts.service.customers import IN_GROUP_SUBTREE
from services.contacts.tables import Customer
from services.reporting.schemas import (
    CustomerIndicators,
    DayCount,
    FunnelStep,
    LifecycleSummary,
    Period,
    SourceFigures,
    StageCount,
    StatusCount,
    StatusMove,
)
from tenants.access import Access, visible_sql
from tenants.context import current_tenant_id
from tenants.locale import tenant_time_zone

LIFECYCLE_ORDER = ("raw", "lead", "customer", "member", "loyal")
_DIMENSIONS = "owner_id, team_id, branch_id, source_id, lifecycle_stage, relationship_status_id"
_FACTS = (f"(SELECT created_day, {_DIMENSIONS}, customers FROM customer_fact WHERE tenant_id = {{}} "  # noqa: S608
          f"UNION ALL SELECT created_day, {_DIMENSIONS}, delta FROM customer_fact_delta WHERE tenant_id = {{}}) f")
_SOURCE_ROWS = (f"(SELECT (created_at AT TIME ZONE {{}})::date AS created_day, {_DIMENSIONS}, 1 AS customers "  # noqa: S608
                f"FROM customer WHERE tenant_id = {{}} AND {{group}}) f")


class Filters(msgspec.Struct, frozen=True, kw_only=True):
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    team_id: uuid.UUID | None = None
    branch_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    source_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None


_OWNED = ("team_id", "branch_id", "owner_id")


def owned_filters(filters: Filters, alias: str = "") -> tuple[list[str], list[object]]:
    """The team, branch and owner filters as SQL conditions (on `alias`'s columns) and their arguments."""
    at = f"{alias}." if alias else ""
    where: list[str] = []
    args: list[object] = []
    for column in _OWNED:
        if (value := getattr(filters, column)) is not None:
            where.append(f"{at}{column} = {{}}")
            args.append(value)
    return where, args


class _Query:
    """A `SELECT … FROM <facts> WHERE <visibility and filters>` built with Piccolo's `{}` arguments."""

    def __init__(self, access: Access, filters: Filters, direct: bool, zone: str) -> None:
        tenant_id = current_tenant_id()
        if direct or filters.group_id:
            group, group_args = ("true", []) if filters.group_id is None else (
                IN_GROUP_SUBTREE.replace('"customer"."id"', "id"),
                [tenant_id, tenant_id, filters.group_id, tenant_id])
            self.source, self.args = _SOURCE_ROWS.replace("{group}", group), [zone, tenant_id, *group_args]
        else:
            self.source, self.args = _FACTS, [tenant_id, tenant_id]
        visible, visible_args = visible_sql(access)
        owned, owned_args = owned_filters(filters)
        self.where, self.where_args = [visible, *owned], [*visible_args, *owned_args]
        if filters.source_id is not None:
            self.where.append("source_id = {}")
            self.where_args.append(filters.source_id)

    async def rows(self, select: str, *, period: Period | None = None, group_by: str = "") -> list[dict[str, Any]]:
        where, args = list(self.where), list(self.where_args)
        if period is not None:
            where.append("created_day BETWEEN {} AND {}")
            args += [period.date_from, period.date_to]
        sql = f"SELECT {select} FROM {self.source} WHERE {' AND '.join(where)}"  # noqa: S608 - built from constants
        if group_by:
            sql += f" GROUP BY {group_by}"
        rows: list[dict[str, Any]] = await Customer.raw(sql, *self.args, *args)
        return rows


def periods(filters: Filters, today: datetime.date) -> tuple[Period, Period]:
    """The asked period (this month by default) and the one before it of the same length (or the previous
    month / year when the period is a whole month / year, so that "this month vs last" reads right)."""
    start = filters.date_from or today.replace(day=1)
    end = filters.date_to or today
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1 and start.month == end.month:
        prev_end = start - datetime.timedelta(days=1)
        return Period(date_from=start, date_to=end), Period(date_from=prev_end.replace(day=1), date_to=prev_end)
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return Period(date_from=start, date_to=end), Period(date_from=start.replace(year=start.year - 1),
                                                            date_to=end.replace(year=end.year - 1))
    length = end - start
    prev_end = start - datetime.timedelta(days=1)
    return Period(date_from=start, date_to=end), Period(date_from=prev_end - length, date_to=prev_end)


async def customer_indicators(access: Access, filters: Filters, *, direct: bool = False) -> CustomerIndicators:
    zone = await tenant_time_zone()
    period, previous = periods(filters, datetime.datetime.now(tz=zone).date())
    query = _Query(access, filters, direct, zone.key)
    new = (await query.rows("coalesce(sum(customers), 0)::bigint AS n", period=period))[0]["n"]
    before = (await query.rows("coalesce(sum(customers), 0)::bigint AS n", period=previous))[0]["n"]
    grain = "day" if (period.date_to - period.date_from).days <= 92 else "month"
    series = await query.rows(f"date_trunc('{grain}', created_day)::date AS day, sum(customers)::bigint AS customers",
                              period=period, group_by="1 HAVING sum(customers) <> 0 ORDER BY 1")
    stages = {row["lifecycle_stage"]: row["n"] for row in await query.rows(
        "lifecycle_stage, sum(customers)::bigint AS n", period=period, group_by="lifecycle_stage")}
    statuses = await query.rows("relationship_status_id, sum(customers)::bigint AS n", period=period,
                                group_by="relationship_status_id HAVING sum(customers) <> 0")
    sources = await query.rows("source_id, sum(customers)::bigint AS n", period=period,
                               group_by="source_id HAVING sum(customers) <> 0")
    return CustomerIndicators(
        period=period, previous_period=previous, new_customers=new, new_customers_previous=before,
        change_percent=round((new - before) * 100 / before, 2) if before else None,
        series=[DayCount(day=row["day"], customers=row["customers"]) for row in series], series_grain=grain,
        funnel=_funnel(stages), statuses=await _named_statuses(statuses),
        status_moves=await _status_moves(access, filters, period), sources=await _sources(access, sources, period))


def _funnel(stages: dict[str, int]) -> list[FunnelStep]:
    steps = []
    for index, stage in enumerate(LIFECYCLE_ORDER):
        reached = sum(stages.get(later, 0) for later in LIFECYCLE_ORDER[index:])
        further = reached - stages.get(stage, 0)
        last = index == len(LIFECYCLE_ORDER) - 1
        steps.append(FunnelStep(lifecycle_stage=stage, customers=stages.get(stage, 0), reached=reached,
                                conversion_to_next=None if last else (round(further * 100 / reached, 2) if reached
                                                                      else 0.0)))
    return steps


async def _named_statuses(rows: list[dict[str, Any]]) -> list[StatusCount]:
    names = {row["id"]: row["name"] for row in await Customer.raw(
        "SELECT id, name FROM relationship_status WHERE tenant_id = {}", current_tenant_id())}
    counted = [StatusCount(relationship_status_id=row["relationship_status_id"],
                           name=names.get(row["relationship_status_id"], ""), customers=row["n"]) for row in rows]
    return sorted(counted, key=lambda status: (-status.customers, status.name))


async def _status_moves(access: Access, filters: Filters, period: Period) -> list[StatusMove]:
    """Moves between relationship statuses in the period (from the status history), of visible customers."""
    zone = (await tenant_time_zone()).key
    visible, args = visible_sql(access, "c")
    owned, owned_args = owned_filters(filters, "c")
    where, args = [visible, *owned], [*args, *owned_args]
    if filters.source_id is not None:
        where.append("c.source_id = {}")
        args.append(filters.source_id)
    rows = await Customer.raw(
        "SELECT h.from_status_id, h.to_status_id, count(*) AS moves FROM customer_status_change h "  # noqa: S608
        "JOIN customer c ON c.tenant_id = h.tenant_id AND c.id = h.customer_id "
        f"WHERE h.tenant_id = {{}} AND (h.created_at AT TIME ZONE {{}})::date BETWEEN {{}} AND {{}} "
        f"AND {' AND '.join(where)} GROUP BY 1, 2 ORDER BY 3 DESC",
        current_tenant_id(), zone, period.date_from, period.date_to, *args)
    return [StatusMove(from_status_id=row["from_status_id"], to_status_id=row["to_status_id"], moves=row["moves"])
            for row in rows]


async def _sources(access: Access, rows: list[dict[str, Any]], period: Period) -> list[SourceFigures]:
    """New customers per source, and the revenue the ERP invoiced in the period to each source's customers."""
    visible, args = visible_sql(access, "c")
    revenue = {row["source_id"]: row["revenue"] for row in await Customer.raw(
        "SELECT c.source_id, sum(CASE e.kind WHEN 'invoice' THEN e.amount ELSE -e.amount END)::bigint AS revenue "  # noqa: S608
        "FROM ledger_entry e JOIN customer c ON c.tenant_id = e.tenant_id AND c.id = e.customer_id "
        "WHERE e.tenant_id = {} AND e.kind IN ('invoice', 'credit_note') AND e.currency = 'VND' "
        f"AND e.document_date BETWEEN {{}} AND {{}} AND {visible} "
        "GROUP BY c.source_id", current_tenant_id(), period.date_from, period.date_to, *args)}
    names = {row["id"]: row["name"] for row in await Customer.raw(
        "SELECT id, name FROM customer_source WHERE tenant_id = {}", current_tenant_id())}
    counts = {row["source_id"]: row["n"] for row in rows}
    figures = [SourceFigures(source_id=source, name=names.get(source, "") if source else "",
                             customers=counts.get(source, 0), revenue=revenue.get(source, 0))
               for source in set(counts) | set(revenue)]
    return sorted(figures, key=lambda figure: (-figure.revenue, -figure.customers, figure.name))


async def lifecycle_summary(access: Access) -> LifecycleSummary:
    """Customers per lifecycle stage now, whenever they were created."""
    query = _Query(access, Filters(), False, "UTC")
    counts = {row["lifecycle_stage"]: row["n"] for row in await query.rows(
        "lifecycle_stage, sum(customers)::bigint AS n", group_by="lifecycle_stage")}
    return LifecycleSummary(total=sum(counts.values()), by_stage=[
        StageCount(lifecycle_stage=stage, customers=counts.get(stage, 0)) for stage in LIFECYCLE_ORDER])
