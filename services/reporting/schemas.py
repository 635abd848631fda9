"""Response bodies of reporting: every indicator is a read-only JSON resource (and a chart in the admin UI)."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec

from services.partners.schemas import TargetProgress


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


class StageFigures(msgspec.Struct, kw_only=True):
    stage_id: uuid.UUID | None
    name_vi: str
    name_en: str
    probability: int
    opportunities: int
    value: int  # expected revenue of the open opportunities at this stage
    weighted_value: int  # the same, each weighted by its probability, rounded to the currency's unit


class ClosedFigures(msgspec.Struct, kw_only=True):
    """One period's outcome: opportunities created, won and lost in it (by the day they were created or closed)."""

    created: int
    created_value: int
    won: int
    won_value: int
    lost: int
    win_rate: float | None  # % of those closed in the period that were won; None when none closed
    average_cycle_days: float | None  # days from created to won, over the won ones; None when none won


class LostReasonFigures(msgspec.Struct, kw_only=True):
    lost_reason_id: uuid.UUID | None
    name_vi: str
    name_en: str
    opportunities: int
    value: int
    percent: float  # of the period's lost opportunities


class SalespersonActivities(msgspec.Struct, kw_only=True):
    """Activities due in the period, per assignee."""

    user_id: uuid.UUID | None
    name: str
    calls: int
    meetings: int
    total: int
    done: int
    overdue: int  # still open, due before today
    open: int  # still open, due today or later


class SalespersonTarget(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    name: str
    target: int  # the profile's monthly target, over the period (prorated by day for part months)
    actual: int  # won opportunities' value, closed in the period
    actual_previous: int
    attainment_percent: float | None  # None without a target


class PartnerTarget(msgspec.Struct, kw_only=True):
    partner_name: str  # its customer's name
    progress: TargetProgress  # as partners' own service counts it


class PipelineIndicators(msgspec.Struct, kw_only=True):
    period: Period
    previous_period: Period
    currency: str
    by_stage: list[StageFigures]  # open opportunities now, whenever created
    current: ClosedFigures
    previous: ClosedFigures
    lost_reasons: list[LostReasonFigures]
    lost_reasons_previous: list[LostReasonFigures]
    activities: list[SalespersonActivities]
    targets: list[SalespersonTarget]
    partner_targets: list[PartnerTarget]  # partners' discount targets overlapping the period


ReportName = Literal["potential_customers", "customer_activity", "sales_by_product", "debt"]
ReportFormat = Literal["csv", "xlsx", "pdf"]
Language = Literal["vi", "en"]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A printable report to write: which, in what format and language, over what period and whose records
    (always within the requester's data visibility)."""

    report: ReportName
    format: ReportFormat
    language: Language = "vi"
    date_from: datetime.date | None = None  # this month by default (potential customers: any creation date)
    date_to: datetime.date | None = None
    as_of: datetime.date | None = None  # the debt report's date; today by default
    currency: Currency = "VND"
    team_id: uuid.UUID | None = None
    branch_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None


class ReportOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    report: str
    file_format: str
    status: str  # queued | running | done | failed
    job_run_id: uuid.UUID | None  # its run in the job console (tenants.job_runs), with progress
    rows_done: int
    rows_total: int | None
    error: str | None
    created_by: uuid.UUID | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
