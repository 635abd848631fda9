"""Response bodies of reporting: every indicator is a read-only JSON resource (and a chart in the admin UI)."""

from __future__ import annotations

import datetime
import uuid

import msgspec


class StageCount(msgspec.Struct, kw_only=True):
    lifecycle_stage: str
    customers: int


class LifecycleSummary(msgspec.Struct, kw_only=True):
    total: int
    by_stage: list[StageCount]


class Period(msgspec.Struct, kw_only=True):
    date_from: datetime.date
    date_to: datetime.date  # inclusive


class DayCount(msgspec.Struct, kw_only=True):
    day: datetime.date  # the first day of the bucket (a day, or a month for long periods)
    customers: int


class FunnelStep(msgspec.Struct, kw_only=True):
    lifecycle_stage: str
    customers: int  # customers at this stage now
    reached: int  # customers at this stage or beyond
    conversion_to_next: float | None  # % of those who reached this stage that went further; None for the last


class StatusCount(msgspec.Struct, kw_only=True):
    relationship_status_id: uuid.UUID | None
    name: str
    customers: int


class StatusMove(msgspec.Struct, kw_only=True):
    from_status_id: uuid.UUID | None
    to_status_id: uuid.UUID | None
    moves: int


class SourceFigures(msgspec.Struct, kw_only=True):
    source_id: uuid.UUID | None
    name: str
    customers: int  # new customers from this source in the period
    revenue: int  # invoices less credit notes in the period, of all this source's customers (VND)


class CustomerIndicators(msgspec.Struct, kw_only=True):
    period: Period
    previous_period: Period
    new_customers: int
    new_customers_previous: int
    change_percent: float | None  # None when the previous period had none
    series: list[DayCount]
    series_grain: str  # day | month
    funnel: list[FunnelStep]
    statuses: list[StatusCount]
    status_moves: list[StatusMove]
    sources: list[SourceFigures]


class AgeingBuckets(msgspec.Struct, kw_only=True):
    current: int  # not yet due
    days_0_30: int
    days_31_60: int
    days_61_90: int
    days_over_90: int


class CustomerDebt(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    name: str
    balance: int
    overdue: int
    buckets: AgeingBuckets
    credit_limit: int | None
    over_limit: bool
    on_hold: bool


class DebtAgeing(msgspec.Struct, kw_only=True):
    as_of: datetime.date
    currency: str
    totals: AgeingBuckets
    balance: int
    customers: list[CustomerDebt]  # with a balance, largest first
    over_limit: int  # how many accounts are over their limit
    on_hold: int
