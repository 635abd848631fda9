"""Identity's tables. Tenants, users and memberships are platform tables: not tenant rows (DESIGN §3.6)."""

from piccolo.columns import UUID, Array, BigInt, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from tenants.tables import PlatformTable, TenantTable


class Tenant(PlatformTable, tablename="tenant"):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=64, unique=True, null=False)
    status = Varchar(length=16, default="active", null=False)  # active | read_only | suspended
    language = Varchar(length=2, default="vi", null=False)


class User(PlatformTable, tablename="app_user"):
    email = Varchar(length=254, unique=True, null=False)
    full_name = Varchar(length=200, default="", null=False)
    password_hash = Varchar(length=255, null=False, secret=True)
    language = Varchar(length=2, default="vi", null=False)
    is_active = Boolean(default=True, null=False)
    last_login_at = Timestamptz(null=True, default=None)


class Membership(PlatformTable, tablename="membership"):
    tenant_id = UUID(null=False, index=True)
    user_id = UUID(null=False, index=True)
    role = Varchar(length=32, default="owner", null=False)
    is_active = Boolean(default=True, null=False)


# -- roles and the org structure: tenant rows --------------------------------------------------------------


class Role(TenantTable, tablename="role"):
    """A tenant-defined role. Built-in roles live in code (`service.roles.BUILTIN_ROLES`), not here."""

    name = Varchar(length=32, null=False)  # what memberships and tokens name; unique per tenant, never renamed
    label = Varchar(length=100, null=False)
    permissions = Array(base_column=Varchar(length=32), default=list, null=False)
    visibility = Varchar(length=8, default="own", null=False)  # own | team | branch | all


class Branch(TenantTable, tablename="branch"):
    """A branch (chi nhánh) of the company."""

    code = Varchar(length=32, null=False)  # unique per tenant
    name = Varchar(length=200, null=False)
    address = Varchar(length=500, default="", null=False)


class Salesperson(TenantTable, tablename="salesperson"):
    """A member's sales profile: at most one per user and tenant."""

    user_id = UUID(null=False)
    employee_code = Varchar(length=32, null=False)  # unique per tenant
    branch_id = ForeignKey(references=Branch, null=True, default=None, on_delete=OnDelete.restrict)
    manager_id = UUID(null=True, default=None)  # the manager's user id
    territory_ids = Array(base_column=UUID(), default=list, null=False)  # partners' territories
    monthly_target_vnd = BigInt(default=0, null=False)


class SalesTeam(TenantTable, tablename="sales_team"):
    name = Varchar(length=100, null=False)
    leader_id = UUID(null=True, default=None)  # the leader's user id
    use_quotations = Boolean(default=True, null=False)
    use_opportunities = Boolean(default=True, null=False)
    use_warranty = Boolean(default=False, null=False)


class SalesTeamMember(TenantTable, tablename="sales_team_member"):
    """A member of one sales team: a user is in at most one team per tenant, so their records have one team."""

    team_id = ForeignKey(references=SalesTeam, null=False, on_delete=OnDelete.cascade)
    user_id = UUID(null=False)
