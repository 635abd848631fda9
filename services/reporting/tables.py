"""Reporting's own tables: roll-ups of other services' rows, kept current in the same transaction as each change.

`customer_fact` counts customers per combination of the dimensions dashboards filter and group by; a
statement-level trigger on `customer` (see migrations) appends +n/-n rows to `customer_fact_delta` (insert-only:
no hot counter rows under concurrent writes), and the fold job moves them into `customer_fact`. A query reads
both, so a figure always equals the direct count over `customer`.
"""

from decimal import Decimal

from piccolo.columns import JSONB, UUID, BigInt, Date, Integer, Numeric, Text, Timestamptz, Varchar

from tenants.tables import TenantTable


class CustomerFact(TenantTable, tablename="customer_fact"):
    created_day = Date(null=False)  # in the tenant's time zone
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    source_id = UUID(null=True, default=None)
    lifecycle_stage = Varchar(length=16, null=False)
    relationship_status_id = UUID(null=True, default=None)
    customers = BigInt(default=0, null=False)


class CustomerFactDelta(TenantTable, tablename="customer_fact_delta"):
    created_day = Date(null=False)
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    source_id = UUID(null=True, default=None)
    lifecycle_stage = Varchar(length=16, null=False)
    relationship_status_id = UUID(null=True, default=None)
    delta = Integer(null=False)


class OpportunityFact(TenantTable, tablename="opportunity_fact"):
    """Opportunities (and leads) per combination of the pipeline dashboards' dimensions, fed like `customer_fact`
    by statement-level triggers on `opportunity` through `opportunity_fact_delta`, folded by the same job. Each
    opportunity counts on the day it was created (`event` created) and, once closed, on that day too (`event`
    closed), so a period's new and closed opportunities are both read by `day` (see `facts.OPPORTUNITY`)."""

    event = Varchar(length=8, null=False)  # created | closed
    day = Date(null=False)  # in the tenant's time zone
    kind = Varchar(length=16, null=False)  # lead | opportunity
    state = Varchar(length=8, null=False)  # open | won | lost
    stage_id = UUID(null=True, default=None)
    lost_reason_id = UUID(null=True, default=None)
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    currency = Varchar(length=3, null=False)
    opportunities = BigInt(default=0, null=False)
    revenue = Numeric(null=False, default=Decimal(0))  # sum of expected_revenue
    weighted = Numeric(null=False, default=Decimal(0))  # sum of expected_revenue * probability (percent)
    cycle_days = BigInt(default=0, null=False)  # closed rows: sum of the days from created to closed


class OpportunityFactDelta(TenantTable, tablename="opportunity_fact_delta"):
    event = Varchar(length=8, null=False)
    day = Date(null=False)
    kind = Varchar(length=16, null=False)
    state = Varchar(length=8, null=False)
    stage_id = UUID(null=True, default=None)
    lost_reason_id = UUID(null=True, default=None)
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    currency = Varchar(length=3, null=False)
    opportunities = Integer(null=False)
    revenue = Numeric(null=False, default=Decimal(0))
    weighted = Numeric(null=False, default=Decimal(0))
    cycle_days = BigInt(default=0, null=False)


class ActivityFact(TenantTable, tablename="activity_fact"):
    """Activities per assignee (as `owner_id`, so visibility reads it like any owned row), type, status and due
    day; fed by triggers on `activity` through `activity_fact_delta`."""

    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    type_id = UUID(null=True, default=None)
    status = Varchar(length=12, null=False)
    due_date = Date(null=False)
    activities = BigInt(default=0, null=False)


class ActivityFactDelta(TenantTable, tablename="activity_fact_delta"):
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    type_id = UUID(null=True, default=None)
    status = Varchar(length=12, null=False)
    due_date = Date(null=False)
    activities = Integer(null=False)


class ReportExport(TenantTable, tablename="report_export"):
    """A printable report asked for in CSV, XLSX or PDF: written by a job on the `reports` queue (its run, with
    progress, is `job_run_id`) into S3, then downloaded through a presigned link."""

    report = Varchar(length=32, null=False)  # potential_customers | customer_activity | sales_by_product | debt
    file_format = Varchar(length=8, null=False)  # csv | xlsx | pdf
    params = JSONB(default={}, null=False)  # a ReportParams
    access = JSONB(default={}, null=False)  # the requester's tenants.access.Access when asked
    status = Varchar(length=16, null=False, default="queued")  # queued | running | done | failed
    job_run_id = UUID(null=True, default=None)
    rows_done = Integer(null=False, default=0)
    result_path = Varchar(length=255, null=True, default=None)
    error = Text(null=True, default=None)
    created_by = UUID(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
