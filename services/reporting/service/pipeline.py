"""Pipeline indicators: open opportunities by stage (count, value, weighted value), win rate, average sales cycle,
lost reasons, activities per salesperson, salesperson targets vs actuals and partners' discount target
attainment — under the caller's data visibility, for a period compared with the one before.

Opportunity and activity figures come from `opportunity_fact` and `activity_fact` (+ their pending deltas); with
a group or source filter (the customer's, not roll-up dimensions) and in `direct` mode the same figures are
computed from the source rows, grouped on the fly the way the roll-up groups them: tests and the benchmark
compare the two. Leads not yet qualified are not pipeline: every opportunity figure counts kind `opportunity`.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from services.contacts.service.customers import IN_GROUP_SUBTREE
from services.contacts.tables import Customer
from services.partners.service import targets as partner_targets
from services.reporting.facts import ACTIVITY, OPPORTUNITY, Fact
from services.reporting.schemas import (
    ClosedFigures,
    LostReasonFigures,
    PartnerTarget,
    Period,
    PipelineIndicators,
    SalespersonActivities,
    SalespersonTarget,
    StageFigures,
)
from services.reporting.service.customers import Filters, owned_filters, periods
from tenants.access import Access, visible_sql
from tenants.context import current_tenant_id
from tenants.locale import tenant_today


def customer_scope(filters: Filters) -> tuple[str, list[object]] | None:
    """The source and group filters as a condition on `customer` (columns unqualified), or None without them."""
    tenant_id = current_tenant_id()
    where: list[str] = []
    args: list[object] = []
    if filters.source_id is not None:
        where.append("source_id = {}")
        args.append(filters.source_id)
    if filters.group_id is not None:
        where.append(IN_GROUP_SUBTREE.replace('"customer"."id"', "id"))
        args += [tenant_id, tenant_id, filters.group_id, tenant_id]
    return (" AND ".join(where), args) if where else None


class FactQuery:
    """`SELECT … FROM <a roll-up, or its source rows grouped alike> WHERE <visibility and filters>`."""

    def __init__(self, fact: Fact, access: Access, filters: Filters, *, direct: bool,
                 scope: tuple[str, list[object]] | None = None) -> None:
        tenant_id = current_tenant_id()
        columns = f"{fact.columns}, {fact.measure_columns}"
        if direct or scope is not None:
            where = "WHERE x.tenant_id = {}"
            self.args: list[object] = [tenant_id]
            if scope is not None:
                where += f" AND x.customer_id IN (SELECT id FROM customer WHERE tenant_id = {{}} AND {scope[0]})"  # noqa: S608
                self.args += [tenant_id, *scope[1]]
            self.source = f"({fact.grouped(fact.source, where=where)}) f"
        else:
            self.source = (f"(SELECT {columns} FROM {fact.table} WHERE tenant_id = {{}} "  # noqa: S608
                           f"UNION ALL SELECT {columns} FROM {fact.delta} WHERE tenant_id = {{}}) f")
            self.args = [tenant_id, tenant_id]
        visible, visible_args = visible_sql(access)
        owned, owned_args = owned_filters(filters)
        self.where, self.where_args = [visible, *owned], [*visible_args, *owned_args]

    async def rows(self, select: str, *select_args: object, where: str = "true", where_args: tuple[object, ...] = (),
                   group_by: str = "") -> list[dict[str, Any]]:
        sql = (f"SELECT {select} FROM {self.source} "  # noqa: S608 - built from constants
               f"WHERE {' AND '.join([*self.where, where])}")
        if group_by:
            sql += f" GROUP BY {group_by}"
        rows: list[dict[str, Any]] = await Customer.raw(sql, *select_args, *self.args, *self.where_args, *where_args)
        return rows


def _units(weighted: Decimal | int) -> int:
    """A sum of value x probability (percent) in the currency's unit, rounded half up."""
    return int((Decimal(weighted) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def pipeline_indicators(access: Access, filters: Filters, *, currency: str = "VND",
                              direct: bool = False) -> PipelineIndicators:
    today = await tenant_today()
    period, previous = periods(filters, today)
    opportunities = FactQuery(OPPORTUNITY, access, filters, direct=direct, scope=customer_scope(filters))
    activities = FactQuery(ACTIVITY, access, filters, direct=direct)
    return PipelineIndicators(
        period=period, previous_period=previous, currency=currency,
        by_stage=await _by_stage(opportunities, currency),
        current=await _closed(opportunities, period, currency),
        previous=await _closed(opportunities, previous, currency),
        lost_reasons=await _lost_reasons(opportunities, period, currency),
        lost_reasons_previous=await _lost_reasons(opportunities, previous, currency),
        activities=await _activities(activities, period, today),
        targets=await _targets(access, filters, opportunities, period, previous),
        partner_targets=await _partner_targets(access, filters, period))


async def _by_stage(query: FactQuery, currency: str) -> list[StageFigures]:
    rows = {row["stage_id"]: row for row in await query.rows(
        "stage_id, sum(opportunities)::bigint AS n, sum(revenue) AS value, sum(weighted) AS weighted",
        where="event = 'created' AND kind = 'opportunity' AND state = 'open' AND currency = {}",
        where_args=(currency,),
        group_by="stage_id HAVING sum(opportunities) <> 0")}
    stages = await Customer.raw("SELECT id, name_vi, name_en, probability FROM stage WHERE tenant_id = {} "
                                "ORDER BY sequence, id", current_tenant_id())
    if None in rows:
        stages.append({"id": None, "name_vi": "", "name_en": "", "probability": 0})
    figures = []
    for stage in stages:
        row = rows.get(stage["id"], {"n": 0, "value": 0, "weighted": 0})
        figures.append(StageFigures(stage_id=stage["id"], name_vi=stage["name_vi"], name_en=stage["name_en"],
                                    probability=stage["probability"], opportunities=row["n"],
                                    value=int(row["value"]), weighted_value=_units(row["weighted"])))
    return figures


async def _closed(query: FactQuery, period: Period, currency: str) -> ClosedFigures:
    within = "BETWEEN {} AND {}"
    won, lost = "event = 'closed' AND state = 'won'", "event = 'closed' AND state = 'lost'"
    row = (await query.rows(
        f"coalesce(sum(opportunities) FILTER (WHERE event = 'created' AND day {within}), 0)::bigint AS created, "
        f"coalesce(sum(revenue) FILTER (WHERE event = 'created' AND day {within}), 0)::bigint AS created_value, "
        f"coalesce(sum(opportunities) FILTER (WHERE {won} AND day {within}), 0)::bigint AS won, "
        f"coalesce(sum(revenue) FILTER (WHERE {won} AND day {within}), 0)::bigint AS won_value, "
        f"coalesce(sum(cycle_days) FILTER (WHERE {won} AND day {within}), 0)::bigint AS won_days, "
        f"coalesce(sum(opportunities) FILTER (WHERE {lost} AND day {within}), 0)::bigint AS lost",
        *([period.date_from, period.date_to] * 6),
        where="kind = 'opportunity' AND currency = {}", where_args=(currency,)))[0]
    won, lost = row["won"], row["lost"]
    return ClosedFigures(created=row["created"], created_value=row["created_value"], won=won,
                         won_value=row["won_value"], lost=lost,
                         win_rate=round(won * 100 / (won + lost), 2) if won + lost else None,
                         average_cycle_days=round(row["won_days"] / won, 2) if won else None)


async def _lost_reasons(query: FactQuery, period: Period, currency: str) -> list[LostReasonFigures]:
    rows = await query.rows(
        "lost_reason_id, sum(opportunities)::bigint AS n, sum(revenue)::bigint AS value",
        where="event = 'closed' AND kind = 'opportunity' AND state = 'lost' AND currency = {} "
              "AND day BETWEEN {} AND {}",
        where_args=(currency, period.date_from, period.date_to),
        group_by="lost_reason_id HAVING sum(opportunities) <> 0")
    names = {row["id"]: row for row in await Customer.raw(
        "SELECT id, name_vi, name_en FROM lost_reason WHERE tenant_id = {}", current_tenant_id())}
    total = sum(row["n"] for row in rows)
    figures = [LostReasonFigures(
        lost_reason_id=row["lost_reason_id"], name_vi=names.get(row["lost_reason_id"], {}).get("name_vi", ""),
        name_en=names.get(row["lost_reason_id"], {}).get("name_en", ""), opportunities=row["n"], value=row["value"],
        percent=round(row["n"] * 100 / total, 2)) for row in rows]
    return sorted(figures, key=lambda figure: (-figure.opportunities, figure.name_vi))


async def user_names(user_ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Members' names (their e-mail when they gave none)."""
    rows = await Customer.raw("SELECT id, coalesce(nullif(full_name, ''), email) AS name FROM app_user "
                              "WHERE id = ANY({})", [user for user in user_ids if user is not None])
    return {row["id"]: row["name"] for row in rows}


async def _activities(query: FactQuery, period: Period, today: datetime.date) -> list[SalespersonActivities]:
    types = await Customer.raw("SELECT id, category FROM activity_type WHERE tenant_id = {}", current_tenant_id())
    calls = [row["id"] for row in types if row["category"] == "call"]
    meetings = [row["id"] for row in types if row["category"] == "meeting"]
    rows = await query.rows(
        "owner_id, coalesce(sum(activities) FILTER (WHERE type_id = ANY({})), 0)::bigint AS calls, "
        "coalesce(sum(activities) FILTER (WHERE type_id = ANY({})), 0)::bigint AS meetings, "
        "sum(activities)::bigint AS total, "
        "coalesce(sum(activities) FILTER (WHERE status = 'done'), 0)::bigint AS done, "
        "coalesce(sum(activities) FILTER (WHERE status = 'open' AND due_date < {}), 0)::bigint AS overdue, "
        "coalesce(sum(activities) FILTER (WHERE status = 'open' AND due_date >= {}), 0)::bigint AS open",
        calls, meetings, today, today,
        where="status <> 'cancelled' AND due_date BETWEEN {} AND {}", where_args=(period.date_from, period.date_to),
        group_by="owner_id HAVING sum(activities) <> 0")
    names = await user_names({row["owner_id"] for row in rows})
    figures = [SalespersonActivities(user_id=row["owner_id"], name=names.get(row["owner_id"], ""),
                                     **{k: row[k] for k in ("calls", "meetings", "total", "done", "overdue", "open")})
               for row in rows]
    return sorted(figures, key=lambda figure: (-figure.total, figure.name))


def prorated_target(monthly: int, period: Period) -> int:
    """A monthly target over `period`: whole months count whole, part months by their share of days."""
    total, day = Decimal(0), period.date_from
    while day <= period.date_to:
        month_days = calendar.monthrange(day.year, day.month)[1]
        last = min(period.date_to, day.replace(day=month_days))
        total += Decimal(monthly) * ((last - day).days + 1) / month_days
        day = last + datetime.timedelta(days=1)
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


async def _targets(access: Access, filters: Filters, opportunities: FactQuery, period: Period,
                   previous: Period) -> list[SalespersonTarget]:
    """Each visible salesperson's profile target (`monthly_target_vnd`) against their won value in VND."""
    visible, args = visible_sql(access)
    owned, owned_args = owned_filters(filters)
    people = await Customer.raw(
        "SELECT owner_id, monthly_target_vnd FROM (SELECT s.user_id AS owner_id, m.team_id, s.branch_id, "  # noqa: S608
        "s.monthly_target_vnd FROM salesperson s LEFT JOIN sales_team_member m ON m.tenant_id = s.tenant_id "
        f"AND m.user_id = s.user_id WHERE s.tenant_id = {{}}) p WHERE {' AND '.join([visible, *owned])}",
        current_tenant_id(), *args, *owned_args)
    actuals = {row["owner_id"]: row for row in await opportunities.rows(
        "owner_id, coalesce(sum(revenue) FILTER (WHERE day BETWEEN {} AND {}), 0)::bigint AS actual, "
        "coalesce(sum(revenue) FILTER (WHERE day BETWEEN {} AND {}), 0)::bigint AS actual_previous",
        period.date_from, period.date_to, previous.date_from, previous.date_to,
        where="event = 'closed' AND kind = 'opportunity' AND state = 'won' AND currency = 'VND'",
        group_by="owner_id")}
    names = await user_names({row["owner_id"] for row in people})
    figures = []
    for person in people:
        target = prorated_target(person["monthly_target_vnd"], period)
        actual = actuals.get(person["owner_id"], {"actual": 0, "actual_previous": 0})
        figures.append(SalespersonTarget(
            user_id=person["owner_id"], name=names.get(person["owner_id"], ""), target=target,
            actual=actual["actual"], actual_previous=actual["actual_previous"],
            attainment_percent=round(actual["actual"] * 100 / target, 2) if target else None))
    return sorted(figures, key=lambda figure: (-figure.actual, figure.name))


async def _partner_targets(access: Access, filters: Filters, period: Period) -> list[PartnerTarget]:
    """Partners' discount targets overlapping the period, of partners whose customer the caller sees, with the
    progress partners' own service computes."""
    visible, args = visible_sql(access, "c")
    owned, owned_args = owned_filters(filters, "c")
    rows = await Customer.raw(
        "SELECT d.id, c.name FROM discount_target d "  # noqa: S608
        "JOIN partner p ON p.tenant_id = d.tenant_id AND p.id = d.partner_id "
        "JOIN customer c ON c.tenant_id = p.tenant_id AND c.id = p.customer_id "
        "WHERE d.tenant_id = {} AND d.period_start <= {} AND d.period_end >= {} "
        f"AND {' AND '.join([visible, *owned])} ORDER BY c.name, d.period_start, d.id",
        current_tenant_id(), period.date_to, period.date_from, *args, *owned_args)
    return [PartnerTarget(partner_name=row["name"], progress=await partner_targets.progress(row["id"]))
            for row in rows]
