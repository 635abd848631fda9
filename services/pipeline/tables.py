"""Pipeline's tables: the stages of the sales process, leads and opportunities, lost reasons; products,
quotations and contracts."""

from decimal import Decimal

from piccolo.columns import (
    JSONB,
    UUID,
    Array,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from tenants.tables import TenantTable


class Stage(TenantTable, tablename="stage"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    sequence = Integer(default=0, null=False)
    probability = Integer(default=0, null=False)
    is_won = Boolean(default=False, null=False)
    team_id = UUID(null=True, default=None)  # identity's SalesTeam; None: shared by all teams
    is_folded = Boolean(default=False, null=False)  # shown folded on the board
    requirements = Text(null=True, default=None)
    rotting_days = Integer(null=True, default=None)  # flagged on the board after this many days in the stage


# -- activities (issue 6, items 2 and 3) -------------------------------------------------------------------


class ActivityType(TenantTable, tablename="activity_type"):
    """A kind of activity (a call, a meeting), and what is scheduled after one is done (Odoo-style chaining)."""

    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    category = Varchar(length=16, null=False)  # call | meeting | email | todo | upload_document
    default_summary = Varchar(length=255, null=True, default=None)
    default_note = Text(null=True, default=None)
    default_assignee_id = UUID(null=True, default=None)  # identity's user id
    # An activity of this type is due this long after the completion date, or after the previous activity's
    # deadline when one of this type is scheduled as the next.
    delay_count = Integer(default=0, null=False)
    delay_unit = Varchar(length=8, default="days", null=False)  # days | weeks | months
    delay_from = Varchar(length=16, default="completion", null=False)  # completion | deadline
    chaining = Varchar(length=8, default="none", null=False)  # none | trigger | suggest
    # SET NULL only matters when a whole tenant is erased: types are archived, never deleted.
    next_type_id: ForeignKey["ActivityType"] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.set_null)
    position = Integer(default=0, null=False)
    is_active = Boolean(default=True, null=False)
    seed_key = Varchar(length=32, null=True, default=None)  # the seeded defaults; unique per tenant (migration)


class Activity(TenantTable, tablename="activity"):
    """Something to do about a record (a customer, an opportunity, a quotation, a contract), by a member."""

    record_type = Varchar(length=16, null=False)
    record_id = UUID(null=False, default=None)  # no foreign key: the record lives in this or another service's table
    type_id = ForeignKey(references=ActivityType, null=False, on_delete=OnDelete.cascade)
    summary = Varchar(length=255, null=False)
    note = Text(null=True, default=None)
    # The assignee's user id, and the team and branch they sat in when it was assigned (data visibility).
    assignee_id = UUID(null=False, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    # An all-day activity is due on `due_date` (the tenant's local date); a timed one at `due_at`, and its
    # `due_date` is the local date it had when scheduled. `due_at` of an all-day one is that day's start.
    due_date = Date(null=False, default=None)
    due_at = Timestamptz(null=False, default=None)
    all_day = Boolean(default=True, null=False)
    status = Varchar(length=12, default="open", null=False)  # open | done | cancelled
    feedback = Text(null=True, default=None)
    done_at = Timestamptz(null=True, default=None)
    done_by = UUID(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    # Set when done with a type that triggers a next one: the type to create. The job that finds completions
    # without their next activity looks for it.
    chain_type_id = UUID(null=True, default=None)
    # The activity whose completion created this one; unique per tenant (migration), so each completion
    # creates at most one next activity, whoever (a request, a job) gets there first.
    created_from_activity_id = UUID(null=True, default=None)


class CalendarFeed(TenantTable, tablename="calendar_feed"):
    """A member's private iCalendar feed: only a SHA-256 of its URL token is kept; one per member (migration)."""

    user_id = UUID(null=False, default=None)
    token_hash = Varchar(length=64, unique=True, null=False, secret=True)


class Notification(TenantTable, tablename="notification"):
    """An in-app notification of a member. Activity reminders: at most one per activity, kind and deadline
    (migration), which is what makes each reminder go out once, and again after a reschedule."""

    user_id = UUID(null=False, default=None)
    kind = Varchar(length=32, null=False)  # activity_due_soon | activity_overdue
    activity_id = ForeignKey(references=Activity, null=True, default=None, on_delete=OnDelete.cascade)
    read_at = Timestamptz(null=True, default=None)
    deadline = Timestamptz(null=True, default=None)  # the activity's deadline the reminder was about



class LostReason(TenantTable, tablename="lost_reason"):
    name_vi = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=False)
    is_active = Boolean(default=True, null=False)
    seed_key = Varchar(length=32, null=True, default=None)  # unique per tenant when set: seeding runs once


class Opportunity(TenantTable, tablename="opportunity"):
    """A lead or, once qualified, an opportunity (one table, as Odoo does)."""

    kind = Varchar(length=16, default="opportunity", null=False)  # lead | opportunity
    name = Varchar(length=255, null=False)
    customer_id = UUID(null=True, default=None)  # contacts' customer; None on a lead not yet qualified
    contact_person_id = UUID(null=True, default=None)
    # Visibility (`tenants.access.visible_to`): identity's ids, so no foreign keys.
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    stage_id = ForeignKey(references=Stage, null=True, default=None, on_delete=OnDelete.restrict)
    expected_revenue = BigInt(default=0, null=False)  # minor units of `currency`
    currency = Varchar(length=3, default="VND", null=False)
    probability = Integer(default=0, null=False)
    probability_manual = Boolean(default=False, null=False)  # set by hand: no longer follows the stage
    expected_close_date = Date(null=True, default=None)
    priority = Integer(default=0, null=False)  # 0-3
    tags = Array(base_column=Varchar(length=100), default=[], null=False)
    source = Varchar(length=120, null=True, default=None)
    referred_by_partner_id = UUID(null=True, default=None)  # partners' partner who brought it (collaborator results)
    state = Varchar(length=8, default="open", null=False)  # open | won | lost
    lost_reason_id = ForeignKey(references=LostReason, null=True, default=None, on_delete=OnDelete.restrict)
    lost_note = Text(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    date_last_stage_update = Timestamptz(default=TimestamptzNow(), null=False)
    # Lead fields carried over when qualifying into a new customer.
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)


class StageMove(TenantTable, tablename="stage_move"):
    """One move of an opportunity between stages. Stage ids without foreign keys: history outlives stages."""

    opportunity_id = ForeignKey(references=Opportunity, null=False, on_delete=OnDelete.cascade)
    from_stage_id = UUID(null=True, default=None)
    to_stage_id = UUID(null=True, default=None)
    seconds_in_previous = BigInt(null=True, default=None)
    actor_kind = Varchar(length=16, null=False)  # user | api_key | system
    actor_id = UUID(null=True, default=None)


# Products, price policies, quotations and contracts (issue 6, items 5-7). Customers, contact persons and
# owners are other services' ids, kept without foreign keys as contacts keeps identity's.


class Product(TenantTable, tablename="product"):
    """A catalogue item; the ERP upserts by `code` (unique per tenant, migration)."""

    code = Varchar(length=64, null=False)
    name = Varchar(length=255, null=False)
    unit = Varchar(length=32, null=False)
    list_price = BigInt(null=False, default=0)  # integer minor units of `currency`
    currency = Varchar(length=3, null=False, default="VND")
    tax_rate = Numeric(digits=(5, 2), null=False, default=Decimal(0))  # percent
    category = Varchar(length=100, null=True, default=None)
    description = Text(null=True, default=None)
    active = Boolean(null=False, default=True)


class BundleComponent(TenantTable, tablename="bundle_component"):
    """One part of a bundle (cơ cấu sản phẩm chào bán): `quantity` of `component` in one `bundle`."""

    bundle = ForeignKey(Product, null=False, on_delete=OnDelete.cascade)
    component = ForeignKey(Product, null=False, on_delete=OnDelete.cascade)
    quantity = Numeric(digits=(12, 3), null=False)


class PricePolicy(TenantTable, tablename="price_policy"):
    """A time-boxed discount or promotion; each condition left empty matches everything."""

    name = Varchar(length=255, null=False)
    kind = Varchar(length=16, null=False, default="discount")  # discount | promotion
    valid_from = Date(null=False)
    valid_to = Date(null=True, default=None)  # inclusive; open-ended when empty
    customer_group_id = UUID(null=True, default=None)  # contacts' group; its subgroups match too
    product = ForeignKey(Product, null=True, default=None, on_delete=OnDelete.cascade)
    category = Varchar(length=100, null=True, default=None)
    min_quantity = Numeric(digits=(12, 3), null=False, default=Decimal(0))
    percent = Numeric(digits=(5, 2), null=True, default=None)  # either a percent off the line
    amount = BigInt(null=True, default=None)  # or an amount off each unit, in minor units of `currency`
    currency = Varchar(length=3, null=True, default=None)
    priority = Integer(null=False, default=0)
    active = Boolean(null=False, default=True)


class Quotation(TenantTable, tablename="quotation"):
    """A quotation (báo giá); its lines and totals are those of revision `revision` (QuotationRevision)."""

    number = Varchar(length=32, null=False)  # BG000123, unique per tenant (migration)
    opportunity_id = UUID(null=True, default=None)
    customer_id = UUID(null=False)
    customer_name = Varchar(length=255, null=False)  # as it was when quoted: the PDF and the ERP show it
    contact_person_id = UUID(null=True, default=None)
    # Whose it is (data visibility, `tenants.access.visible_to`): the salesperson, their team and branch.
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    currency = Varchar(length=3, null=False)
    quoted_on = Date(null=False)  # the date price policies are matched on
    valid_until = Date(null=False)
    state = Varchar(length=16, null=False, default="draft")  # draft | sent | accepted | rejected | expired
    revision = Integer(null=False, default=1)
    notes = Text(null=True, default=None)
    lines = JSONB(null=False, default=[])
    subtotal = BigInt(null=False, default=0)
    discount_total = BigInt(null=False, default=0)
    untaxed_total = BigInt(null=False, default=0)
    tax_total = BigInt(null=False, default=0)
    total = BigInt(null=False, default=0)
    send_count = Integer(null=False, default=0)
    decided_at = Timestamptz(null=True, default=None)  # accepted, rejected or expired
    rejection_reason = Text(null=True, default=None)


class QuotationRevision(TenantTable, tablename="quotation_revision"):
    """Every revision of a quotation, the current one included; an edit after the first send adds one."""

    quotation = ForeignKey(Quotation, null=False, on_delete=OnDelete.cascade)
    revision = Integer(null=False)  # unique per quotation (migration)
    valid_until = Date(null=False)
    notes = Text(null=True, default=None)
    lines = JSONB(null=False, default=[])
    subtotal = BigInt(null=False, default=0)
    discount_total = BigInt(null=False, default=0)
    untaxed_total = BigInt(null=False, default=0)
    tax_total = BigInt(null=False, default=0)
    total = BigInt(null=False, default=0)
    pdf_path = Varchar(length=255, null=True, default=None)  # rendered on first send or download
    created_by = UUID(null=True, default=None)


class QuotationSend(TenantTable, tablename="quotation_send"):
    """The send log: which revision went to whom, when, by whom."""

    quotation = ForeignKey(Quotation, null=False, on_delete=OnDelete.cascade)
    revision = Integer(null=False)
    recipients = Array(base_column=Varchar(length=254), null=False)
    sent_by = UUID(null=True, default=None)


class Contract(TenantTable, tablename="contract"):
    number = Varchar(length=32, null=False)  # HD000123, unique per tenant (migration)
    title = Varchar(length=255, null=False)
    quotation_id = UUID(null=True, default=None)
    customer_id = UUID(null=False)
    customer_name = Varchar(length=255, null=False)
    owner_id = UUID(null=True, default=None)  # with team and branch, as on a quotation
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    value = BigInt(null=False)  # integer minor units of `currency`
    currency = Varchar(length=3, null=False)
    start_date = Date(null=False)
    end_date = Date(null=False)
    terms = Text(null=True, default=None)
    renewal_notice_days = Integer(null=False, default=30)
    state = Varchar(length=16, null=False, default="draft")  # draft|sent|signed|active|expired|terminated
    signed_at = Timestamptz(null=True, default=None)
    terminated_at = Timestamptz(null=True, default=None)
    termination_reason = Text(null=True, default=None)


class ContractDocument(TenantTable, tablename="contract_document"):
    """One uploaded version of a contract's signed PDF; all versions kept."""

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.cascade)
    version = Integer(null=False)  # unique per contract (migration)
    file_name = Varchar(length=255, null=False)
    size = BigInt(null=False)
    storage_path = Varchar(length=255, null=False)
    uploaded_by = UUID(null=True, default=None)


class ContractRenewalReminder(TenantTable, tablename="contract_renewal_reminder"):
    """A renewal reminder sent for a contract's end date: unique per (contract, end_date), so once per term."""

    contract = ForeignKey(Contract, null=False, on_delete=OnDelete.cascade)
    end_date = Date(null=False)
