"""Request and response bodies of partners."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec

from services.contacts.schemas import AttributeValues, DocumentOut

ProvinceCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[int, msgspec.Meta(ge=0, le=10**15)]  # minor units
PositiveAmount = Annotated[int, msgspec.Meta(gt=0, le=10**15)]
Percent = Annotated[float, msgspec.Meta(ge=0, le=100)]
Reference = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
PartnerKind = Literal["collaborator", "dealer"]
PartnerStatus = Literal["applied", "active", "suspended", "ended"]
Tier = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# -- territories ------------------------------------------------------------------------------------------
class DistrictRef(Body):
    province_code: ProvinceCode
    district: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class TerritoryCreate(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    province_codes: Annotated[list[ProvinceCode], msgspec.Meta(max_length=63)] = []
    districts: Annotated[list[DistrictRef], msgspec.Meta(max_length=1000)] = []


class TerritoryUpdate(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    province_codes: Annotated[list[ProvinceCode], msgspec.Meta(max_length=63)] | msgspec.UnsetType = msgspec.UNSET
    districts: Annotated[list[DistrictRef], msgspec.Meta(max_length=1000)] | msgspec.UnsetType = msgspec.UNSET


class DistrictOut(msgspec.Struct, kw_only=True):
    province_code: str
    district: str


class TerritoryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    province_codes: list[str]
    districts: list[DistrictOut] = []


class Overlap(msgspec.Struct, kw_only=True):
    province_code: str
    district: str | None  # None: the whole province
    territory_ids: list[uuid.UUID]


class Coverage(msgspec.Struct, kw_only=True):
    overlaps: list[Overlap]
    gaps: list[str]  # province codes that no territory covers, even in part


class ProposalRequest(Body):
    province_code: ProvinceCode
    district: Annotated[str, msgspec.Meta(max_length=100)] | None = None


class Proposal(msgspec.Struct, kw_only=True):
    territory_ids: list[uuid.UUID]  # the most specific match first (district before province)
    owner_id: uuid.UUID | None  # the least busy salesperson of the best territory
    dealer_ids: list[uuid.UUID]  # active dealers covering it


# -- partners ---------------------------------------------------------------------------------------------
class PartnerCreate(Body):
    customer_id: uuid.UUID
    kind: PartnerKind
    tier: Tier = "standard"
    status: PartnerStatus = "applied"
    parent_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    territory_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)] = []
    policy_id: uuid.UUID | None = None
    agreement_number: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    agreement_start: datetime.date | None = None
    agreement_end: datetime.date | None = None
    notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    attributes: AttributeValues = {}


class PartnerUpdate(Body):
    tier: Tier | msgspec.UnsetType = msgspec.UNSET
    status: PartnerStatus | msgspec.UnsetType = msgspec.UNSET
    parent_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    territory_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    policy_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    agreement_number: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType | None = msgspec.UNSET
    agreement_start: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    agreement_end: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    notes: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET
    attributes: AttributeValues | msgspec.UnsetType = msgspec.UNSET  # keys given change; a null removes one


class PartnerOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    customer_name: str
    kind: str
    tier: str
    status: str
    parent_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None  # the owner's, when the partner was given to them
    branch_id: uuid.UUID | None
    territory_ids: list[uuid.UUID]
    policy_id: uuid.UUID | None
    agreement_number: str | None
    agreement_start: datetime.date | None
    agreement_end: datetime.date | None
    notes: str
    attributes: dict[str, object]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TreeNode(msgspec.Struct, kw_only=True):
    id: uuid.UUID  # a partner id, or a customer id in the account tree
    parent_id: uuid.UUID | None
    depth: int
    name: str


class AccountParentSet(Body):
    parent_customer_id: uuid.UUID | None


class RollUp(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    include_children: bool
    customer_ids: list[uuid.UUID]
    currency: str
    revenue: int  # invoices less credit notes, in the period
    debt: int  # invoices less payments and credit notes, ever


# -- policies ---------------------------------------------------------------------------------------------
class CommissionRule(Body):
    rate_percent: Percent
    product_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)] | None = None
    category: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    tier: Tier | None = None


class DiscountLevel(Body):
    tier: Tier
    discount_percent: Percent


class PolicyRules(Body):
    commissions: Annotated[list[CommissionRule], msgspec.Meta(max_length=500)] = []
    discounts: Annotated[list[DiscountLevel], msgspec.Meta(max_length=50)] = []
    payment_terms_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 30


class PolicyCreate(Body):
    name: Name
    valid_from: datetime.date
    rules: PolicyRules
    description: Annotated[str, msgspec.Meta(max_length=5000)] = ""


class PolicyVersionCreate(Body):
    valid_from: datetime.date
    rules: PolicyRules


class PolicyVersionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    policy_id: uuid.UUID
    version: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    rules: PolicyRules
    created_at: datetime.datetime


class PolicyOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    description: str
    versions: list[PolicyVersionOut]


class Terms(msgspec.Struct, kw_only=True):
    """What a policy says on a date for one sale: the version applied and the rates it gives."""

    policy_id: uuid.UUID
    version: int
    on: datetime.date
    commission_percent: float
    commission_rule: str  # product | category | tier | none: which rule matched
    discount_percent: float
    payment_terms_days: int


# -- ledger and credit ------------------------------------------------------------------------------------
LedgerKind = Literal["invoice", "payment", "credit_note", "sales_order"]


class LedgerLine(Body):
    product_code: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    quantity: Annotated[float, msgspec.Meta(gt=0)]
    amount: Amount


class LedgerPost(Body):
    customer_id: uuid.UUID
    kind: LedgerKind
    reference: Reference
    amount: PositiveAmount
    document_date: datetime.date
    currency: Currency = "VND"
    due_date: datetime.date | None = None
    lines: Annotated[list[LedgerLine], msgspec.Meta(max_length=1000)] = []


class LedgerEntryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    reference: str
    amount: int
    currency: str
    document_date: datetime.date
    due_date: datetime.date | None
    lines: list[LedgerLine]
    created_at: datetime.datetime


class CreditAccountSet(Body):
    credit_limit: Amount
    currency: Currency = "VND"
    payment_terms_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 30
    on_hold: bool | msgspec.UnsetType = msgspec.UNSET  # a manual hold, or its release


class CreditStatus(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    has_limit: bool
    credit_limit: int | None
    currency: str
    payment_terms_days: int | None
    balance: int  # invoices less payments and credit notes
    overdue: int  # of the balance, what is past its due date (oldest invoices are paid first)
    available: int | None  # limit less balance; None: no limit
    on_hold: bool
    hold_reason: str | None


class CreditCheckRequest(Body):
    customer_id: uuid.UUID
    amount: PositiveAmount
    currency: Currency = "VND"
    document_type: Literal["quotation", "contract"] | None = None
    document_id: uuid.UUID | None = None


class CreditPosition(msgspec.Struct, kw_only=True):
    """What the credit check weighs: the running balance against the limit, and the hold."""

    has_limit: bool
    credit_limit: int | None
    currency: str
    balance: int
    available: int | None
    on_hold: bool


class CreditDecision(msgspec.Struct, kw_only=True):
    decision: Literal["ok", "refused", "approval_required"]
    reason: Literal["within_limit", "no_limit", "over_limit", "on_hold"]
    position: CreditPosition
    approval_id: uuid.UUID | None = None


class CreditApprovalOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    document_type: str
    document_id: uuid.UUID
    amount: int
    available: int
    status: str
    decided_by: uuid.UUID | None
    decided_at: datetime.datetime | None
    created_at: datetime.datetime


class ApprovalDecision(Body):
    approve: bool


class PartnersSettingsOut(msgspec.Struct, kw_only=True):
    over_credit: Literal["refuse", "approval"]


class PartnersSettingsUpdate(Body):
    over_credit: Literal["refuse", "approval"]


# -- discount targets -------------------------------------------------------------------------------------
class RebateTier(Body):
    threshold_percent: Annotated[int, msgspec.Meta(ge=1, le=1000)]  # of the target reached
    rate_bp: Annotated[int, msgspec.Meta(ge=0, le=10000)]  # rebate in basis points of the period's revenue


class TargetCreate(Body):
    partner_id: uuid.UUID
    period: Literal["month", "quarter", "year"]
    period_start: datetime.date  # the first day of the month, quarter or year
    target: PositiveAmount
    tiers: Annotated[list[RebateTier], msgspec.Meta(min_length=1, max_length=20)]
    metric: Literal["revenue", "quantity"] = "revenue"
    currency: Currency = "VND"


class TargetProgress(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    partner_id: uuid.UUID
    period: str
    period_start: datetime.date
    period_end: datetime.date
    metric: str
    target: int
    currency: str
    tiers: list[RebateTier]
    status: str
    achieved: int  # so far (open) or at close
    attainment_percent: float
    rate_bp: int  # the rate of the highest tier reached
    revenue: int  # the period's revenue the rebate is computed on
    rebate: int  # so far, or at close


# -- agreement documents ----------------------------------------------------------------------------------
class AgreementDates(msgspec.Struct, kw_only=True):
    signed_on: datetime.date | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None  # inclusive


class AgreementOut(DocumentOut, kw_only=True):
    """One version of an agreement document: contacts' document (`id` is its id) with the agreement's dates."""

    partner_id: uuid.UUID
    signed_on: datetime.date | None
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    in_force: bool  # today (the tenant's) is within [valid_from, valid_to]


# -- collaborator results ---------------------------------------------------------------------------------
class CollaboratorResult(msgspec.Struct, kw_only=True):
    """What a partner brought in a period (see services/partners/service/results.py for each count)."""

    partner_id: uuid.UUID
    customer_name: str
    kind: str
    tier: str
    period: str
    period_start: datetime.date
    period_end: datetime.date
    currency: str
    leads_referred: int
    qualified: int
    won: int
    converted: int
    conversion_percent: float
    revenue: int
    commission: int
