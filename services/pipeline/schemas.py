"""Request and response bodies of pipeline."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

StageName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Probability = Annotated[int, msgspec.Meta(ge=0, le=100)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]
Requirements = Annotated[str, msgspec.Meta(max_length=2000)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    probability: Probability = 0
    is_won: bool = False
    team_id: uuid.UUID | None = None  # identity's sales team; None: shared by all teams
    is_folded: bool = False
    requirements: Requirements | None = None
    rotting_days: Days | None = None


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    sequence: int
    probability: int
    is_won: bool
    team_id: uuid.UUID | None
    is_folded: bool
    requirements: str | None
    rotting_days: int | None


# -- activities (issue 6, items 2 and 3) -------------------------------------------------------------------

ActivityCategory = Literal["call", "meeting", "email", "todo", "upload_document"]
DelayUnit = Literal["days", "weeks", "months"]
DelayFrom = Literal["completion", "deadline"]  # the completion date, or the previous activity's deadline
Chaining = Literal["none", "trigger", "suggest"]
RecordType = Literal["customer", "opportunity", "quotation", "contract"]
ActivityStatus = Literal["open", "done", "cancelled"]
ActivityState = Literal["planned", "today", "overdue", "done", "cancelled"]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Note = Annotated[str, msgspec.Meta(max_length=10_000)]
DelayCount = Annotated[int, msgspec.Meta(ge=0, le=999)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ActivityTypeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    category: ActivityCategory
    default_summary: Summary | None = None
    default_note: Note | None = None
    default_assignee_id: uuid.UUID | None = None
    delay_count: DelayCount = 0
    delay_unit: DelayUnit = "days"
    delay_from: DelayFrom = "completion"
    chaining: Chaining = "none"
    next_type_id: uuid.UUID | None = None  # required when chaining is trigger or suggest


class ActivityTypeUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    category: ActivityCategory | msgspec.UnsetType = msgspec.UNSET
    default_summary: Summary | msgspec.UnsetType | None = msgspec.UNSET
    default_note: Note | msgspec.UnsetType | None = msgspec.UNSET
    default_assignee_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    delay_count: DelayCount | msgspec.UnsetType = msgspec.UNSET
    delay_unit: DelayUnit | msgspec.UnsetType = msgspec.UNSET
    delay_from: DelayFrom | msgspec.UnsetType = msgspec.UNSET
    chaining: Chaining | msgspec.UnsetType = msgspec.UNSET
    next_type_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class ActivityTypeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    category: ActivityCategory
    default_summary: str | None
    default_note: str | None
    default_assignee_id: uuid.UUID | None
    delay_count: int
    delay_unit: DelayUnit
    delay_from: DelayFrom
    chaining: Chaining
    next_type_id: uuid.UUID | None
    position: int
    is_active: bool


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    record_type: RecordType
    record_id: uuid.UUID
    type_id: uuid.UUID
    summary: Summary | None = None  # the type's default summary, else its name
    note: Note | None = None  # the type's default note
    assignee_id: uuid.UUID | None = None  # the type's default assignee, else the caller
    due_date: datetime.date | None = None  # today plus the type's delay
    due_time: datetime.time | None = None  # "HH:MM:SS", in `time_zone` unless it has an offset; none: all day
    time_zone: TimeZoneName | None = None  # of `due_time`; the company's zone by default


class ActivityUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Summary | msgspec.UnsetType = msgspec.UNSET
    note: Note | msgspec.UnsetType | None = msgspec.UNSET
    assignee_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    due_date: datetime.date | msgspec.UnsetType = msgspec.UNSET  # with `due_time`/`time_zone`: a reschedule
    due_time: datetime.time | msgspec.UnsetType | None = msgspec.UNSET
    time_zone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET


class ActivityDone(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    feedback: Note | None = None


class ActivityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    record_type: RecordType
    record_id: uuid.UUID
    type_id: uuid.UUID
    category: ActivityCategory
    summary: str
    note: str | None
    assignee_id: uuid.UUID
    due_date: datetime.date  # the local date in the company's zone
    due_at: datetime.datetime
    all_day: bool
    status: ActivityStatus
    state: ActivityState
    feedback: str | None
    done_at: datetime.datetime | None
    done_by: uuid.UUID | None
    cancelled_at: datetime.datetime | None
    created_from_activity_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


# Stages in full, lost reasons, leads and opportunities, the board.


class StageUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    probability: Probability | msgspec.UnsetType = msgspec.UNSET
    is_won: bool | msgspec.UnsetType = msgspec.UNSET
    is_folded: bool | msgspec.UnsetType = msgspec.UNSET
    requirements: Requirements | msgspec.UnsetType | None = msgspec.UNSET
    rotting_days: Days | msgspec.UnsetType | None = msgspec.UNSET


class StageOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every stage of a board (those a team uses, or all the tenant's) in their new order."""

    team_id: uuid.UUID | None = None
    stage_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=200)]


class LostReasonCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    is_active: bool = True


class LostReasonUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class LostReasonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    is_active: bool


OpportunityKind = Literal["lead", "opportunity"]
OpportunityState = Literal["open", "won", "lost"]
Priority = Annotated[int, msgspec.Meta(ge=0, le=3)]
Revenue = Annotated[int, msgspec.Meta(ge=0, le=10**15)]  # minor units; VND has none, so đồng
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
OpportunityName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
TagName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[TagName], msgspec.Meta(max_length=50)]
Source = Annotated[str, msgspec.Meta(max_length=120)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(max_length=20)]


class OpportunityCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: OpportunityKind = "opportunity"
    name: OpportunityName
    customer_id: uuid.UUID | None = None
    contact_person_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None  # default: the creator
    team_id: uuid.UUID | None = None  # default: the owner's team
    stage_id: uuid.UUID | None = None  # default: the first stage of the team
    expected_revenue: Revenue = 0
    currency: Currency = "VND"
    probability: Probability | None = None  # given: set by hand, no longer follows the stage
    expected_close_date: datetime.date | None = None
    priority: Priority = 0
    tags: Tags = []
    source: Source | None = None
    referred_by_partner_id: uuid.UUID | None = None  # the partner (collaborator, dealer) who brought it
    email: Email | None = None
    phone: Phone | None = None


class OpportunityUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: OpportunityName | msgspec.UnsetType = msgspec.UNSET
    contact_person_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    expected_revenue: Revenue | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    probability: Probability | msgspec.UnsetType = msgspec.UNSET
    follow_stage: bool | msgspec.UnsetType = msgspec.UNSET  # true: take the stage's probability again
    expected_close_date: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    source: Source | msgspec.UnsetType | None = msgspec.UNSET
    referred_by_partner_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class OpportunityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    name: str
    customer_id: uuid.UUID | None
    contact_person_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    stage_id: uuid.UUID | None
    expected_revenue: int
    currency: str
    probability: int
    probability_manual: bool
    expected_close_date: datetime.date | None
    priority: int
    tags: list[str]
    source: str | None
    referred_by_partner_id: uuid.UUID | None
    state: str
    lost_reason_id: uuid.UUID | None
    lost_note: str | None
    closed_at: datetime.datetime | None
    date_last_stage_update: datetime.datetime
    email: str | None
    phone: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NextActivitySuggestion(msgspec.Struct, kw_only=True):
    """What a `suggest` type proposes after it is done: schedule it with `POST /activities` if wanted."""

    type_id: uuid.UUID
    name_vi: str
    name_en: str
    due_date: datetime.date


class ActivityCompletion(msgspec.Struct, kw_only=True):
    activity: ActivityOut
    next_activity: ActivityOut | None  # created by a `trigger` type
    suggested_next: NextActivitySuggestion | None  # proposed by a `suggest` type


CalendarView = Literal["day", "week", "month"]


class CalendarOut(msgspec.Struct, kw_only=True):
    view: CalendarView
    time_zone: str
    first_day: datetime.date
    last_day: datetime.date
    starts_at: datetime.datetime  # the first day's local midnight, in UTC
    ends_at: datetime.datetime  # the local midnight after the last day, in UTC
    items: list[ActivityOut]


class CalendarFeedOut(msgspec.Struct, kw_only=True):
    url: str  # shown once: it holds the secret token
    created_at: datetime.datetime


class NotificationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    activity_id: uuid.UUID | None
    summary: str | None
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None

class MoveStage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    stage_id: uuid.UUID


class MarkLost(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    lost_reason_id: uuid.UUID
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class Qualify(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Link the lead to `customer_id`, or create a customer named `new_customer_name` (the lead's name when
    neither is given)."""

    customer_id: uuid.UUID | None = None
    new_customer_name: OpportunityName | None = None
    new_customer_kind: Literal["company", "individual"] = "company"
    stage_id: uuid.UUID | None = None
    # A new customer matching existing ones (contacts' duplicate rules) answers 409 `duplicate` with the
    # matches; qualify into one of them with `customer_id`, or send this to create the new one anyway.
    confirm_duplicate: bool = False


class StageMoveOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID | None
    seconds_in_previous: int | None
    actor_kind: str
    actor_id: uuid.UUID | None
    moved_at: datetime.datetime


class BoardCard(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    customer_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    expected_revenue: int
    currency: str
    probability: int
    priority: int
    expected_close_date: datetime.date | None
    rotting: bool


class BoardColumn(msgspec.Struct, kw_only=True):
    stage: StageOut
    count: int
    expected_revenue: int
    # sum(expected_revenue × probability) / 100, divided once per column and rounded half up.
    weighted_revenue: int
    rotting_count: int
    cards: list[BoardCard]  # the first `per_column`, highest priority first


class Board(msgspec.Struct, kw_only=True):
    currency: str
    columns: list[BoardColumn]


class OpportunityFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What the opportunity list and the board are narrowed by, besides the caller's data visibility."""

    team_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    tag: str | None = None
    close_from: datetime.date | None = None  # expected close date, inclusive
    close_to: datetime.date | None = None
    kind: str | None = None
    state: str | None = None
    stage_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None


# Products, price policies, quotations and contracts. Money is integer minor units with an ISO 4217 currency;
# percentages and quantities are decimals (JSON numbers or strings), checked in the service layer.

PRODUCT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
ProductCode = Annotated[str, msgspec.Meta(pattern=PRODUCT_CODE_PATTERN)]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]


class ProductFields(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A product as the ERP sends it to `PUT /products/by-code/{code}`."""

    name: Label
    unit: Unit
    list_price: Money
    currency: Currency = "VND"
    tax_rate: Decimal = Decimal(0)
    category: Category | None = None
    description: LongText | None = None
    active: bool = True


class ProductCreate(ProductFields, forbid_unknown_fields=True, kw_only=True):
    code: ProductCode


class ProductUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Label | msgspec.UnsetType = msgspec.UNSET
    unit: Unit | msgspec.UnsetType = msgspec.UNSET
    list_price: Money | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    tax_rate: Decimal | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType | None = msgspec.UNSET
    description: LongText | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ComponentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    product_id: uuid.UUID
    quantity: Decimal


class ComponentOut(msgspec.Struct, kw_only=True):
    product_id: uuid.UUID
    code: str
    name: str
    quantity: Decimal


class ProductOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    unit: str
    list_price: int
    currency: str
    tax_rate: Decimal
    category: str | None
    description: str | None
    active: bool
    components: list[ComponentOut] = []  # a bundle's parts; empty for a plain product
    created_at: datetime.datetime
    updated_at: datetime.datetime


PolicyKind = Literal["discount", "promotion"]


class PricePolicyCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Exactly one of `percent` (off the line) and `amount` (off each unit, in `currency`)."""

    name: Label
    kind: PolicyKind = "discount"
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    customer_group_id: uuid.UUID | None = None
    product_id: uuid.UUID | None = None
    category: Category | None = None
    min_quantity: Decimal = Decimal(0)
    percent: Decimal | None = None
    amount: Money | None = None
    currency: Currency | None = None
    priority: int = 0
    active: bool = True


class PricePolicyUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Label | msgspec.UnsetType = msgspec.UNSET
    valid_to: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    priority: int | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class PricePolicyOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    kind: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    customer_group_id: uuid.UUID | None
    product_id: uuid.UUID | None
    category: str | None
    min_quantity: Decimal
    percent: Decimal | None
    amount: int | None
    currency: str | None
    priority: int
    active: bool


class QuotationLineIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A line; `unit_price` and `tax_percent` default to the product's list price and tax rate."""

    product_id: uuid.UUID | None = None
    description: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    quantity: Decimal
    unit_price: Money | None = None
    discount_percent: Decimal = Decimal(0)
    tax_percent: Decimal | None = None


class AppliedPolicy(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    amount: int  # what it took off the line, in minor units


class QuotationLine(msgspec.Struct, kw_only=True):
    """A priced line: gross − policy − discount = net; net + tax = total (each rounded half-up)."""

    product_id: uuid.UUID | None
    product_code: str | None
    description: str
    unit: str | None
    quantity: Decimal
    unit_price: int
    discount_percent: Decimal
    tax_percent: Decimal
    gross: int
    policy: AppliedPolicy | None
    discount: int
    net: int
    tax: int
    total: int
    parts: list[ComponentOut] = []  # a bundle's parts as quoted, each quantity for the whole line


class Totals(msgspec.Struct, kw_only=True):
    subtotal: int
    discount_total: int  # policies and line discounts together
    untaxed_total: int
    tax_total: int
    total: int


class QuotationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """From an opportunity (its customer and contact person carried over) or for a customer directly."""

    opportunity_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    contact_person_id: uuid.UUID | None = None
    currency: Currency = "VND"
    valid_until: datetime.date
    notes: LongText | None = None
    lines: Annotated[list[QuotationLineIn], msgspec.Meta(min_length=1, max_length=500)]


class QuotationUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """After the first send, any change makes a new revision."""

    contact_person_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    valid_until: datetime.date | msgspec.UnsetType = msgspec.UNSET
    notes: LongText | msgspec.UnsetType | None = msgspec.UNSET
    lines: Annotated[list[QuotationLineIn], msgspec.Meta(min_length=1, max_length=500)] | msgspec.UnsetType = (
        msgspec.UNSET)


QuotationState = Literal["draft", "sent", "accepted", "rejected", "expired"]


class QuotationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    opportunity_id: uuid.UUID | None
    customer_id: uuid.UUID
    customer_name: str
    contact_person_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    currency: str
    quoted_on: datetime.date
    valid_until: datetime.date
    state: str
    revision: int
    notes: str | None
    lines: list[QuotationLine]
    subtotal: int
    discount_total: int
    untaxed_total: int
    tax_total: int
    total: int
    send_count: int
    decided_at: datetime.datetime | None
    rejection_reason: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class QuotationRevisionOut(msgspec.Struct, kw_only=True):
    revision: int
    valid_until: datetime.date
    notes: str | None
    lines: list[QuotationLine]
    subtotal: int
    discount_total: int
    untaxed_total: int
    tax_total: int
    total: int
    created_by: uuid.UUID | None
    created_at: datetime.datetime


class LineChange(msgspec.Struct, kw_only=True):
    """One line of a comparison, matched by product (or description): added, removed or changed fields."""

    change: Literal["added", "removed", "changed"]
    key: str
    before: QuotationLine | None
    after: QuotationLine | None
    fields: list[str]


class RevisionComparison(msgspec.Struct, kw_only=True):
    from_revision: int
    to_revision: int
    lines: list[LineChange]
    total_before: int
    total_after: int


class QuotationSendIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    to: Annotated[list[Email], msgspec.Meta(min_length=1, max_length=20)]


class QuotationSendOut(msgspec.Struct, kw_only=True):
    revision: int
    recipients: list[str]
    sent_by: uuid.UUID | None
    sent_at: datetime.datetime


class QuotationReject(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: LongText | None = None


class Download(msgspec.Struct, kw_only=True):
    url: str  # presigned, short-lived
    file_name: str


ContractState = Literal["draft", "sent", "signed", "active", "expired", "terminated"]


class ContractCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """From an accepted quotation (customer, value and currency carried over) or standalone."""

    quotation_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
    title: Label | None = None
    value: Money | None = None
    currency: Currency | None = None
    start_date: datetime.date
    end_date: datetime.date
    terms: LongText | None = None
    renewal_notice_days: Annotated[int, msgspec.Meta(ge=1, le=365)] = 30


class ContractUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    title: Label | msgspec.UnsetType = msgspec.UNSET
    value: Money | msgspec.UnsetType = msgspec.UNSET
    start_date: datetime.date | msgspec.UnsetType = msgspec.UNSET
    end_date: datetime.date | msgspec.UnsetType = msgspec.UNSET
    terms: LongText | msgspec.UnsetType | None = msgspec.UNSET
    renewal_notice_days: Annotated[int, msgspec.Meta(ge=1, le=365)] | msgspec.UnsetType = msgspec.UNSET


class ContractTerminate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ContractOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    title: str
    quotation_id: uuid.UUID | None
    customer_id: uuid.UUID
    customer_name: str
    owner_id: uuid.UUID | None
    value: int
    currency: str
    start_date: datetime.date
    end_date: datetime.date
    terms: str | None
    renewal_notice_days: int
    state: str
    signed_at: datetime.datetime | None
    terminated_at: datetime.datetime | None
    termination_reason: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ContractDocumentOut(msgspec.Struct, kw_only=True):
    version: int
    file_name: str
    size: int
    uploaded_by: uuid.UUID | None
    created_at: datetime.datetime
