"""Contacts' tables: customers over their whole life."""

from piccolo.columns import UUID, BigInt, Varchar

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


class CodeSequence(TenantTable, tablename="code_sequence"):
    """Per-tenant counters behind generated codes such as KH000123."""

    name = Varchar(length=32, null=False)
    value = BigInt(default=0, null=False)
