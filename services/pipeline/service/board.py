"""The board: a team's open opportunities grouped by stage, every stage a column (empty ones too), in order.

One set-based statement (`board_query`) gives each column its count, expected revenue, weighted revenue,
how many cards are rotting, and its first cards; the benchmark runs the very same statement through asyncpg.
Weighted revenue is exact: sum(expected_revenue × probability) over the column in numeric, then divided by 100
once and rounded half up, so it equals the same sum taken over the list endpoint's rows.
"""

from __future__ import annotations

import uuid
from functools import reduce
from operator import and_
from typing import Any

import msgspec
from piccolo.querystring import QueryString

from services.pipeline.schemas import Board, BoardCard, BoardColumn, OpportunityFilter, StageOut
from services.pipeline.service.stages import ensure_default_stages
from services.pipeline.tables import Opportunity
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id

_BOARD = """
WITH col AS (
    SELECT id, team_id, name_vi, name_en, sequence, probability, is_won, is_folded, requirements, rotting_days
    FROM stage WHERE {}
), totals AS MATERIALIZED (
    SELECT opportunity.stage_id, count(*) AS count, sum(opportunity.expected_revenue) AS expected,
        sum(opportunity.expected_revenue::numeric * opportunity.probability) AS weighted_x100
    FROM opportunity WHERE {}
    GROUP BY opportunity.stage_id
)
SELECT col.*, coalesce(totals.count, 0) AS count, coalesce(totals.expected, 0) AS expected_revenue,
    div(coalesce(totals.weighted_x100, 0) + 50, 100) AS weighted_revenue, rotting.rotting_count, cards.cards
FROM col
LEFT JOIN totals ON totals.stage_id = col.id
CROSS JOIN LATERAL (
    SELECT count(*) AS rotting_count FROM opportunity
    WHERE {} AND opportunity.stage_id = col.id
      AND opportunity.date_last_stage_update < now() - make_interval(days => col.rotting_days)
) rotting
CROSS JOIN LATERAL (
    SELECT coalesce(json_agg(c ORDER BY c.priority DESC, c.id DESC), '[]') AS cards FROM (
        SELECT opportunity.id, opportunity.name, opportunity.customer_id, opportunity.owner_id,
            opportunity.expected_revenue, opportunity.currency, opportunity.probability, opportunity.priority,
            opportunity.expected_close_date,
            coalesce(opportunity.date_last_stage_update < now() - make_interval(days => col.rotting_days),
                     false) AS rotting
        FROM opportunity WHERE {} AND opportunity.stage_id = col.id
        ORDER BY opportunity.priority DESC, opportunity.id DESC LIMIT {}
    ) c
) cards
ORDER BY col.sequence, col.id
"""


def _all(conditions: list[QueryString]) -> QueryString:
    return reduce(lambda left, right: QueryString("{} AND {}", left, right), conditions)


def board_query(tenant_id: uuid.UUID, access: Access, where: OpportunityFilter, currency: str,
                per_column: int) -> QueryString:
    """The board's statement; only the filters given become conditions, so each shape gets its own plan."""
    stages = [QueryString("tenant_id = {}", tenant_id)]
    cards = [QueryString("opportunity.tenant_id = {}", tenant_id),
             QueryString("opportunity.kind = 'opportunity' AND opportunity.state = 'open'"),
             QueryString("opportunity.currency = {}", currency)]
    if where.team_id is not None:
        stages.append(QueryString("(team_id IS NULL OR team_id = {})", where.team_id))
        cards.append(QueryString("opportunity.team_id = {}", where.team_id))
    if where.owner_id is not None:
        cards.append(QueryString("opportunity.owner_id = {}", where.owner_id))
    if where.tag is not None:
        cards.append(QueryString("{} = ANY(opportunity.tags)", where.tag))
    if where.close_from is not None:
        cards.append(QueryString("opportunity.expected_close_date >= {}", where.close_from))
    if where.close_to is not None:
        cards.append(QueryString("opportunity.expected_close_date <= {}", where.close_to))
    if visibility := visible_to(access, Opportunity):
        cards.append(reduce(and_, visibility).querystring)
    filters = _all(cards)
    return QueryString(_BOARD, _all(stages), filters, filters, filters, per_column)


def _column(row: dict[str, Any]) -> BoardColumn:
    return BoardColumn(
        stage=msgspec.convert({name: row[name] for name in StageOut.__struct_fields__}, StageOut),
        count=row["count"], expected_revenue=int(row["expected_revenue"]),
        weighted_revenue=int(row["weighted_revenue"]), rotting_count=row["rotting_count"],
        cards=msgspec.json.decode(row["cards"], type=list[BoardCard]))


async def board(access: Access, where: OpportunityFilter, currency: str, per_column: int) -> Board:
    await ensure_default_stages()
    query = board_query(current_tenant_id(), access, where, currency, per_column)
    rows = await Opportunity.raw("{}", query)
    return Board(currency=currency, columns=[_column(row) for row in rows])

