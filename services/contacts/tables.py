"""Contacts' tables: customers over their whole life."""

from piccolo.columns import JSONB, UUID, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from tenants.tables import TenantTable


class Customer(TenantTable, tablename="customer"):
    kind = Varchar(length=16, default="company", null=False)  # company | individual
    code = Varchar(length=32, null=False)  # unique per tenant (migration adds the index)
    name = Varchar(length=255, null=False)
    name_folded = Varchar(length=255, null=False)  # diacritics folded, for search
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)
    lifecycle_stage = Varchar(length=16, default="raw", null=False)
    # Whose customer it is (data visibility, `tenants.access.visible_to`): the salesperson's user id, and
    # the team and branch they were in when it was assigned. Identity's ids, so no foreign keys.
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    tax_code = Varchar(length=14, null=True, default=None)  # mã số thuế, canonical form (infra.vn)
    # Every phone and email as [{"value", "label", "primary"}]; `phone` and `email` above are the primary ones.
    phones = JSONB(default=[], null=False)
    emails = JSONB(default=[], null=False)
    website = Varchar(length=255, null=True, default=None)
    industry = Varchar(length=120, null=True, default=None)
    addresses = JSONB(default=[], null=False)  # [{"street", "ward", "district", "province_code", "primary"}]
    needs_status = Varchar(length=16, default="unknown", null=False)
    notes = Text(null=True, default=None)
    last_contacted_at = Timestamptz(null=True, default=None)
    attributes = JSONB(default={}, null=False)  # custom attribute values by key (AttributeDefinition)


class CodeSequence(TenantTable, tablename="code_sequence"):
    """Per-tenant counters behind generated codes such as KH000123."""

    name = Varchar(length=32, null=False)
    value = BigInt(default=0, null=False)


class LifecycleChange(TenantTable, tablename="lifecycle_change"):
    """One step of a customer's lifecycle (raw → lead → customer → member → loyal): who moved it, and when."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    from_stage = Varchar(length=16, null=True, default=None)  # None when the customer was created
    to_stage = Varchar(length=16, null=False)
    actor_kind = Varchar(length=16, null=False)  # user | api_key | support | system
    actor_id = UUID(null=True, default=None)


class ContactPerson(TenantTable, tablename="contact_person"):
    """Someone to talk to at a company customer; at most one per customer is primary (a partial unique index)."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=255, null=False)
    title = Varchar(length=120, null=True, default=None)
    phones = JSONB(default=[], null=False)
    emails = JSONB(default=[], null=False)
    is_primary = Boolean(default=False, null=False)


class AttributeDefinition(TenantTable, tablename="attribute_definition"):
    """A tenant-defined field of an entity (customers for now); values live in that entity's `attributes`."""

    entity = Varchar(length=32, default="customer", null=False)
    key = Varchar(length=63, null=False)  # unique per tenant and entity; fixed once created
    label_vi = Varchar(length=255, null=False)
    label_en = Varchar(length=255, null=False)
    type = Varchar(length=16, null=False)  # text | number | date | boolean | select | multiselect
    options = JSONB(default=[], null=False)  # select/multiselect: [{"value", "label_vi", "label_en"}]
    required = Boolean(default=False, null=False)
    sort_order = Integer(default=0, null=False)
