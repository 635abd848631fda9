"""Identity's tables. Tenants, users and memberships are platform tables: not tenant rows (DESIGN §3.6)."""

from piccolo.columns import UUID, Boolean, Timestamptz, Varchar

from tenants.tables import PlatformTable


class Tenant(PlatformTable, tablename="tenant"):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=64, unique=True, null=False)
    status = Varchar(length=16, default="active", null=False)  # active | read_only | suspended | deleting
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


class SupportStaff(PlatformTable, tablename="support_staff"):
    """Platform support accounts: not tenant users, and their tokens are not valid on tenant APIs."""

    email = Varchar(length=254, unique=True, null=False)
    full_name = Varchar(length=200, default="", null=False)
    password_hash = Varchar(length=255, null=False, secret=True)
    is_active = Boolean(default=True, null=False)
    last_login_at = Timestamptz(null=True, default=None)
