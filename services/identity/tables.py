"""Identity's tables. Tenants, users and memberships are platform tables: not tenant rows (DESIGN §3.6)."""

from piccolo.columns import UUID, Array, Boolean, Integer, Timestamptz, Varchar

from tenants.tables import PlatformTable, TenantTable


class Tenant(PlatformTable, tablename="tenant"):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=64, unique=True, null=False)
    status = Varchar(length=16, default="active", null=False)  # active | read_only | suspended
    language = Varchar(length=2, default="vi", null=False)
    # Rate limit override until plans land (Billing issue); NULL means the default plan's limit.
    requests_per_minute = Integer(null=True, default=None)


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


class ApiKey(TenantTable, tablename="api_key"):
    """A tenant's API key. Only a SHA-256 of its secret is kept; `prefix` finds the row before the tenant is
    known (through the SECURITY DEFINER function `api_key_lookup`, see migrations)."""

    name = Varchar(length=100, null=False)
    prefix = Varchar(length=16, unique=True, null=False)
    secret_hash = Varchar(length=64, null=False, secret=True)
    scopes = Array(Varchar(length=32), null=False)
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=False, default=None)
