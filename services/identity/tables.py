"""Identity's tables. Tenants, users and memberships are platform tables: not tenant rows (DESIGN §3.6)."""

from piccolo.columns import JSONB, UUID, Array, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from tenants.tables import PlatformTable, TenantTable


class Tenant(PlatformTable, tablename="tenant"):
    name = Varchar(length=200, null=False)
    slug = Varchar(length=64, unique=True, null=False)
    status = Varchar(length=16, default="active", null=False)  # active | read_only | suspended | deleting
    language = Varchar(length=2, default="vi", null=False)
    # The effective rate limit, copied from the plan whenever the plan changes (service/billing.py).
    requests_per_minute = Integer(null=True, default=None)
    # Calendars, "today" and the hour of daily per-tenant jobs are in the company's own zone.
    time_zone = Varchar(length=64, default="Asia/Ho_Chi_Minh", null=False)
    daily_jobs_hour = Integer(default=1, null=False)  # local hour, 0-23


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


class RefreshToken(PlatformTable, tablename="refresh_token"):
    """One refresh token of a session. A session is a family: every rotation adds a row with the same
    `family_id`, and access tokens carry the family as `sid`. Only the token's SHA-256 is kept."""

    family_id = UUID(null=False, index=True)
    user_id = UUID(null=False, index=True)
    tenant_id = UUID(null=False)
    token_hash = Varchar(length=64, unique=True, null=False, secret=True)
    expires_at = Timestamptz(null=False)
    spent_at = Timestamptz(null=True, default=None)  # rotated: presenting it again revokes the family
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(PlatformTable, tablename="password_reset"):
    user_id = UUID(null=False, index=True)
    token_hash = Varchar(length=64, unique=True, null=False, secret=True)
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)


class Invitation(TenantTable, tablename="invitation"):
    email = Varchar(length=254, null=False)
    role = Varchar(length=32, null=False)
    token_hash = Varchar(length=64, unique=True, null=False, secret=True)
    invited_by = UUID(null=False)
    expires_at = Timestamptz(null=False)
    accepted_at = Timestamptz(null=True, default=None)


class MailOutbox(PlatformTable, tablename="mail_outbox"):
    """Mail written in the same transaction as the change it announces; `jobs.send_pending_mail` sends it.
    The body may hold a live token, so it is blanked once the mail is sent."""

    to_address = Varchar(length=254, null=False)
    subject = Varchar(length=300, null=False)
    body = Text(null=False, secret=True)
    status = Varchar(length=16, default="pending", null=False)  # pending | sent | failed
    attempts = Integer(default=0, null=False)
    last_error = Varchar(length=500, default="", null=False)
    sent_at = Timestamptz(null=True, default=None)


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


class SupportStaff(PlatformTable, tablename="support_staff"):
    """Platform support accounts: not tenant users, and their tokens are not valid on tenant APIs."""

    email = Varchar(length=254, unique=True, null=False)
    full_name = Varchar(length=200, default="", null=False)
    password_hash = Varchar(length=255, null=False, secret=True)
    is_active = Boolean(default=True, null=False)
    last_login_at = Timestamptz(null=True, default=None)


# -- plans and billing: platform tables ----------------------------------------------------------------------


class Plan(PlatformTable, tablename="plan"):
    """A plan as data (seeded by migration, edited by support staff). A NULL quota means unlimited."""

    code = Varchar(length=32, unique=True, null=False)  # trial | standard | pro | enterprise
    name = Varchar(length=100, null=False)
    position = Integer(default=0, null=False)  # display order, cheapest first
    seats = Integer(null=True, default=None)
    customers = Integer(null=True, default=None)
    storage_bytes = BigInt(null=True, default=None)
    requests_per_minute = Integer(default=600, null=False)
    webhook_endpoints = Integer(null=True, default=None)
    custom_attributes = Integer(null=True, default=None)
    features = Array(base_column=Varchar(length=64), default=list, null=False)
    stripe_price_monthly = Varchar(length=100, default="", null=False)
    stripe_price_yearly = Varchar(length=100, default="", null=False)


class Subscription(PlatformTable, tablename="subscription"):
    """A tenant's subscription: one per tenant, written by sign-up, Stripe's webhooks and support staff."""

    tenant_id = UUID(null=False, unique=True)
    plan_code = Varchar(length=32, null=False)
    period = Varchar(length=8, default="monthly", null=False)  # monthly | yearly
    status = Varchar(length=16, default="trialing", null=False)  # trialing | active | past_due | canceled
    trial_ends_at = Timestamptz(null=True, default=None)
    current_period_end = Timestamptz(null=True, default=None)
    cancel_at_period_end = Boolean(default=False, null=False)
    past_due_since = Timestamptz(null=True, default=None)  # the grace period runs from here
    read_only_by_billing = Boolean(default=False, null=False)  # so reactivation does not undo a support lock
    stripe_customer_id = Varchar(length=100, null=True, default=None, unique=True)
    stripe_subscription_id = Varchar(length=100, null=True, default=None)
    # The newest Stripe event applied (its `created`, and its kind's rank for ties), so an older one is ignored.
    stripe_state_at = Timestamptz(null=True, default=None)
    stripe_state_rank = Integer(default=0, null=False)


class StripeEvent(PlatformTable, tablename="stripe_event"):
    """Every verified Stripe event, stored by its id (unique) before it is processed by an rq job."""

    event_id = Varchar(length=100, unique=True, null=False)
    type = Varchar(length=100, null=False)
    payload = JSONB(null=False)
    event_created = Timestamptz(null=False)
    tenant_id = UUID(null=True, default=None, index=True)
    processed_at = Timestamptz(null=True, default=None)
    outcome = Varchar(length=200, default="", null=False)
