"""Partners' tables: dealers and collaborators, territories, policies, the ERP's ledger and credit, targets.

A partner is a profile on a customer that contacts owns (the legal entity is not duplicated); money is in
integer minor units of its currency (VND has none), as everywhere in the product.
"""

from piccolo.columns import JSONB, UUID, Array, BigInt, Boolean, Date, Integer, Text, Timestamptz, Varchar

from tenants.tables import TenantTable


class Territory(TenantTable, tablename="territory"):
    name = Varchar(length=100, null=False)
    province_codes = Array(base_column=Varchar(length=8), default=list, null=False)
    # Districts covered within provinces not covered whole: [{"province_code", "district", "folded"}]
    districts = JSONB(default=[], null=False)


class Partner(TenantTable, tablename="partner"):
    customer_id = UUID(null=False)  # contacts' customer: the legal entity (unique per tenant)
    kind = Varchar(length=16, null=False)  # collaborator | dealer
    tier = Varchar(length=32, default="standard", null=False)
    status = Varchar(length=16, default="applied", null=False)  # applied | active | suspended | ended
    parent_id = UUID(null=True, default=None)  # dealer -> sub-dealer -> collaborator
    owner_id = UUID(null=True, default=None)  # the salesperson who looks after the partner
    # The owner's team and branch when it was given, as on a customer: what team and branch visibility read.
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    territory_ids = Array(base_column=UUID(), default=list, null=False)
    policy_id = UUID(null=True, default=None)
    agreement_number = Varchar(length=64, null=True, default=None)
    agreement_start = Date(null=True, default=None)
    agreement_end = Date(null=True, default=None)
    notes = Text(default="", null=False)
    attributes = JSONB(default={}, null=False)  # partner attributes, defined through contacts' attribute engine


class AccountParent(TenantTable, tablename="account_parent"):
    """Customer parent -> subsidiaries: one row per subsidiary (customer_id unique per tenant)."""

    customer_id = UUID(null=False)
    parent_customer_id = UUID(null=False)


class PartnerPolicy(TenantTable, tablename="partner_policy"):
    name = Varchar(length=200, null=False)
    description = Text(default="", null=False)


class PolicyVersion(TenantTable, tablename="policy_version"):
    """A policy's rules from `valid_from` on; a new version ends the previous one, never rewrites it."""

    policy_id = UUID(null=False)
    version = Integer(null=False)
    valid_from = Date(null=False)
    valid_to = Date(null=True, default=None)  # exclusive; NULL: in force until a later version
    rules = JSONB(null=False)  # PolicyRules: commission rates, discount levels, payment terms
    created_by = UUID(null=True, default=None)


class CreditAccount(TenantTable, tablename="credit_account"):
    """Credit terms of a customer or partner (by its customer id). No row: no limit set."""

    customer_id = UUID(null=False)
    credit_limit = BigInt(null=False)
    currency = Varchar(length=3, default="VND", null=False)
    payment_terms_days = Integer(default=30, null=False)
    on_hold = Boolean(default=False, null=False)
    hold_reason = Varchar(length=32, null=True, default=None)  # overdue | manual
    held_at = Timestamptz(null=True, default=None)


class LedgerEntry(TenantTable, tablename="ledger_entry"):
    """What the ERP's ledger posts: invoices, payments, credit notes, sales orders. Idempotent by the ERP's own
    reference (unique per tenant and kind); `body_hash` tells a repeat from a conflicting reuse."""

    customer_id = UUID(null=False)
    kind = Varchar(length=16, null=False)  # invoice | payment | credit_note | sales_order
    reference = Varchar(length=64, null=False)
    body_hash = Varchar(length=64, null=False)
    amount = BigInt(null=False)  # positive, minor units
    currency = Varchar(length=3, null=False)
    document_date = Date(null=False)
    due_date = Date(null=True, default=None)  # invoices
    lines = JSONB(default=[], null=False)  # sales orders / invoices: [{"product_code", "quantity", "amount"}]


class LedgerBalance(TenantTable, tablename="ledger_balance"):
    """Running totals of a customer's ledger per currency, moved in the transaction of each posting (a repeated
    posting inserts nothing and moves nothing), so the credit check reads one row instead of summing the ledger."""

    customer_id = UUID(null=False)
    currency = Varchar(length=3, null=False)
    invoiced = BigInt(default=0, null=False)
    settled = BigInt(default=0, null=False)  # payments and credit notes


class CreditApproval(TenantTable, tablename="credit_approval"):
    """A document over the available credit, waiting for a manager (when the tenant asks for approvals)."""

    customer_id = UUID(null=False)
    document_type = Varchar(length=32, null=False)  # quotation | contract
    document_id = UUID(null=False)
    amount = BigInt(null=False)
    available = BigInt(null=False)
    status = Varchar(length=16, default="pending", null=False)  # pending | approved | rejected
    decided_by = UUID(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class PartnersSettings(TenantTable, tablename="partners_settings"):
    """One row per tenant, absent until first changed."""

    over_credit = Varchar(length=16, default="refuse", null=False)  # refuse | approval


class DiscountTarget(TenantTable, tablename="discount_target"):
    """A partner's target for a period, with tiered rebate rates; closed once, with its rebate, at period end."""

    partner_id = UUID(null=False)
    period = Varchar(length=8, null=False)  # month | quarter | year
    period_start = Date(null=False)
    period_end = Date(null=False)  # inclusive
    metric = Varchar(length=16, null=False)  # revenue | quantity
    target = BigInt(null=False)  # minor units or units
    tiers = JSONB(null=False)  # [{"threshold_percent", "rate_bp"}], rate in basis points of revenue
    currency = Varchar(length=3, default="VND", null=False)
    status = Varchar(length=8, default="open", null=False)  # open | closed
    achieved = BigInt(null=True, default=None)  # at close
    rebate = BigInt(null=True, default=None)  # at close, minor units
    closed_at = Timestamptz(null=True, default=None)


class PartnerAgreement(TenantTable, tablename="partner_agreement"):
    """The dates of one version of a partner's agreement document. The bytes, name, version, quota and presigned
    download are contacts' document (on the partner's customer, `document_id`); deleting it deletes this row."""

    partner_id = UUID(null=False)
    document_id = UUID(null=False)  # contacts' document (foreign key with ON DELETE CASCADE, raw migration)
    signed_on = Date(null=True, default=None)
    valid_from = Date(null=True, default=None)
    valid_to = Date(null=True, default=None)  # inclusive
