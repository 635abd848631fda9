"""Request and response bodies of pipeline."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

StageName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    probability: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    is_won: bool = False


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    sequence: int
    probability: int
    is_won: bool


# Products, price policies, quotations and contracts. Money is integer minor units with an ISO 4217 currency;
# percentages and quantities are decimals (JSON numbers or strings), checked in the service layer.

PRODUCT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
ProductCode = Annotated[str, msgspec.Meta(pattern=PRODUCT_CODE_PATTERN)]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]
Money = Annotated[int, msgspec.Meta(ge=0, le=10**15)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Unit = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Category = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


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
