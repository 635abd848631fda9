"""Request and response bodies of identity."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

import msgspec

Email = Annotated[str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=256)]
Slug = Annotated[str, msgspec.Meta(min_length=2, max_length=48, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class Body(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Strict request body: unknown fields are rejected (DESIGN §4)."""


class SignupRequest(Body):
    company_name: Annotated[str, msgspec.Meta(min_length=2, max_length=200)]
    email: Email
    password: Password
    language: Literal["vi", "en"] = "vi"
    full_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    slug: Slug | None = None


class LoginRequest(Body):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
    tenant_id: uuid.UUID | None = None


class TokenResponse(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    tenant_id: uuid.UUID
    tenant_slug: str


class TenantSummary(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    slug: str
    role: str


class MeResponse(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    email: str
    full_name: str
    language: str
    tenant: TenantSummary
    tenants: list[TenantSummary]


# -- sessions, password reset, invitations, members ------------------------------------------------------

SecretToken = Annotated[str, msgspec.Meta(min_length=20, max_length=200)]
InvitedRole = Literal["admin", "manager", "salesperson", "viewer"]


class RefreshRequest(Body):
    refresh_token: SecretToken


class SwitchTenantRequest(Body):
    tenant_id: uuid.UUID


class PasswordResetRequest(Body):
    email: Email


class PasswordResetConfirm(Body):
    token: SecretToken
    password: Password


class InvitationCreate(Body):
    email: Email
    role: InvitedRole


class InvitationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    email: str
    role: str
    expires_at: datetime.datetime
    created_at: datetime.datetime


class InvitationAccept(Body):
    token: SecretToken
    # Required only when the invited email has no account yet.
    password: Password | None = None
    full_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | None = None


class MemberOut(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    email: str
    full_name: str
    role: str
    is_active: bool
    joined_at: datetime.datetime


# -- API keys ----------------------------------------------------------------------------------

ApiKeyScope = Annotated[str, msgspec.Meta(
    pattern=r"^(\*|identity|contacts|pipeline|partners|reporting|ledger):(read|write)$",
    description="`<service>:read` (GET/HEAD only) or `<service>:write` (everything); `*` is every service; "
                "`ledger:write` is the ERP's ledger posting alone",
    examples=["contacts:read", "pipeline:write", "*:read"])]


class ApiKeyCreate(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    scopes: Annotated[list[ApiKeyScope], msgspec.Meta(min_length=1, max_length=20)]
    expires_at: Annotated[datetime.datetime, msgspec.Meta(tz=True)] | None = None


class ApiKeyOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    created_by: uuid.UUID
    created_at: datetime.datetime


class ApiKeyCreated(ApiKeyOut, kw_only=True):
    key: str  # the whole key, `crm_<prefix>_<secret>`: shown in this response only


# -- roles and org -----------------------------------------------------------------------------

# -- roles and permissions ---------------------------------------------------------------------------------

RoleName = Annotated[str, msgspec.Meta(min_length=2, max_length=32, pattern=r"^[a-z0-9]+([_-][a-z0-9]+)*$")]
RoleLabel = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
PermissionName = Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[a-z_]+:[a-z_]+$")]
Permissions = Annotated[list[PermissionName], msgspec.Meta(max_length=64)]
VisibilityName = Literal["own", "team", "branch", "all"]


class RoleCreate(Body):
    name: RoleName
    label: RoleLabel
    permissions: Permissions
    visibility: VisibilityName = "own"


class RoleUpdate(Body):
    label: RoleLabel | msgspec.UnsetType = msgspec.UNSET
    permissions: Permissions | msgspec.UnsetType = msgspec.UNSET
    visibility: VisibilityName | msgspec.UnsetType = msgspec.UNSET


class RoleOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID | None  # None for a built-in role
    name: str
    label: str
    permissions: list[str]
    visibility: str
    builtin: bool


class MemberRoleUpdate(Body):
    role: RoleName


class MemberRoleOut(msgspec.Struct, kw_only=True):
    user_id: uuid.UUID
    role: str


class AccessOut(msgspec.Struct, kw_only=True):
    role: str
    permissions: list[str]
    visibility: str
    team_ids: list[uuid.UUID]
    branch_id: uuid.UUID | None


# -- org structure: branches, salespeople, sales teams ---------------------------------------------------

BranchCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Address = Annotated[str, msgspec.Meta(max_length=500)]
EmployeeCode = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")]
TargetVnd = Annotated[int, msgspec.Meta(ge=0, le=10**15)]  # VND has no minor unit
TerritoryIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=100)]
MemberIds = Annotated[list[uuid.UUID], msgspec.Meta(max_length=500)]
TeamName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class BranchCreate(Body):
    code: BranchCode
    name: OrgName
    address: Address = ""


class BranchUpdate(Body):
    code: BranchCode | msgspec.UnsetType = msgspec.UNSET
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET


class BranchOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    address: str


class SalespersonCreate(Body):
    user_id: uuid.UUID
    employee_code: EmployeeCode
    branch_id: uuid.UUID | None = None
    manager_id: uuid.UUID | None = None
    territory_ids: TerritoryIds = []
    monthly_target_vnd: TargetVnd = 0


class SalespersonUpdate(Body):
    employee_code: EmployeeCode | msgspec.UnsetType = msgspec.UNSET
    branch_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    manager_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    territory_ids: TerritoryIds | msgspec.UnsetType = msgspec.UNSET
    monthly_target_vnd: TargetVnd | msgspec.UnsetType = msgspec.UNSET


class SalespersonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    user_id: uuid.UUID
    employee_code: str
    branch_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    territory_ids: list[uuid.UUID]
    monthly_target_vnd: int


class SalesTeamCreate(Body):
    name: TeamName
    leader_id: uuid.UUID | None = None
    member_ids: MemberIds = []
    use_quotations: bool = True
    use_opportunities: bool = True
    use_warranty: bool = False


class SalesTeamUpdate(Body):
    name: TeamName | msgspec.UnsetType = msgspec.UNSET
    leader_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    member_ids: MemberIds | msgspec.UnsetType = msgspec.UNSET
    use_quotations: bool | msgspec.UnsetType = msgspec.UNSET
    use_opportunities: bool | msgspec.UnsetType = msgspec.UNSET
    use_warranty: bool | msgspec.UnsetType = msgspec.UNSET


class SalesTeamOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    leader_id: uuid.UUID | None
    member_ids: list[uuid.UUID]
    use_quotations: bool
    use_opportunities: bool
    use_warranty: bool


# -- audit, support, lifecycle -------------------------------------------------------------------

# -- audit log, support staff, tenant lifecycle ----------------------------------------------------------

Reason = Annotated[str, msgspec.Meta(min_length=5, max_length=500)]


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    at: datetime.datetime
    actor_kind: str
    actor_id: uuid.UUID | None
    support_staff_id: uuid.UUID | None
    support_reason: str | None
    action: str
    object_type: str
    object_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    ip: str | None


class SupportLoginRequest(Body):
    email: Email
    password: Annotated[str, msgspec.Meta(min_length=1, max_length=256)]


class SupportTokenResponse(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int
    support_staff_id: uuid.UUID


class SupportTenantOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    slug: str
    status: str
    owner_email: str | None
    created_at: datetime.datetime


class TenantUsage(msgspec.Struct, kw_only=True):
    members: int
    customers: int


class SupportTenantDetail(SupportTenantOut, kw_only=True):
    plan: str | None  # None: a tenant without a subscription (none since billing)
    usage: TenantUsage


class SupportMemberOut(MemberOut, kw_only=True):
    last_login_at: datetime.datetime | None  # the user's last login, to any of their companies


class TenantStatusChange(Body):
    status: Literal["active", "read_only", "suspended"]
    reason: Reason


class TenantDeletionBySupport(Body):
    reason: Reason


class TenantDeletionByOwner(Body):
    company_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class TenantDeletionAccepted(msgspec.Struct, kw_only=True):
    tenant_id: uuid.UUID
    status: str
    job_id: str


class ImpersonationRequest(Body):
    tenant_id: uuid.UUID
    reason: Reason
    write: bool = False
    user_id: uuid.UUID | None = None  # the member to act as; the tenant's first owner when not given
    minutes: Annotated[int, msgspec.Meta(ge=1, le=60)] = 60


class ImpersonationResponse(msgspec.Struct, kw_only=True):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme, not a secret
    expires_in: int
    tenant_id: uuid.UUID
    user_id: uuid.UUID
    write: bool


TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["Asia/Ho_Chi_Minh"])]


class TenantSettingsOut(msgspec.Struct, kw_only=True):
    name: str
    slug: str
    language: str
    time_zone: str
    daily_jobs_hour: int
    status: str


class TenantSettingsUpdate(Body):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | msgspec.UnsetType = msgspec.UNSET
    language: Literal["vi", "en"] | msgspec.UnsetType = msgspec.UNSET
    time_zone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET
    daily_jobs_hour: Annotated[int, msgspec.Meta(ge=0, le=23)] | msgspec.UnsetType = msgspec.UNSET


# -- plans and billing -------------------------------------------------------------------------------------

PlanCode = Annotated[str, msgspec.Meta(min_length=2, max_length=32, pattern=r"^[a-z0-9_]+$")]
BillingPeriod = Literal["monthly", "yearly"]
QuotaValue = Annotated[int, msgspec.Meta(ge=0)] | None  # None: unlimited
PriceId = Annotated[str, msgspec.Meta(max_length=100)]
FeatureName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]


class PlanQuotas(msgspec.Struct, kw_only=True):
    """What a plan allows; None is unlimited."""

    seats: int | None
    customers: int | None
    storage_bytes: int | None
    webhook_endpoints: int | None
    custom_attributes: int | None
    requests_per_minute: int


class PlanOut(msgspec.Struct, kw_only=True):
    code: str
    name: str
    position: int
    quotas: PlanQuotas
    features: list[str]
    stripe_price_monthly: str
    stripe_price_yearly: str


class PlanUpdate(Body):
    """Support staff edit a plan; only the fields given change."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | msgspec.UnsetType = msgspec.UNSET
    seats: QuotaValue | msgspec.UnsetType = msgspec.UNSET
    customers: QuotaValue | msgspec.UnsetType = msgspec.UNSET
    storage_bytes: QuotaValue | msgspec.UnsetType = msgspec.UNSET
    webhook_endpoints: QuotaValue | msgspec.UnsetType = msgspec.UNSET
    custom_attributes: QuotaValue | msgspec.UnsetType = msgspec.UNSET
    requests_per_minute: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] | msgspec.UnsetType = msgspec.UNSET
    features: Annotated[list[FeatureName], msgspec.Meta(max_length=50)] | msgspec.UnsetType = msgspec.UNSET
    stripe_price_monthly: PriceId | msgspec.UnsetType = msgspec.UNSET
    stripe_price_yearly: PriceId | msgspec.UnsetType = msgspec.UNSET


class QuotaUsage(msgspec.Struct, kw_only=True):
    quota: str
    used: int
    limit: int | None  # None: unlimited


class BillingBanner(msgspec.Struct, kw_only=True):
    """Shown to admins while a payment is overdue, until the company becomes read-only."""

    code: str
    message_vi: str
    message_en: str
    read_only_from: datetime.datetime | None


class SubscriptionOut(msgspec.Struct, kw_only=True):
    plan: PlanOut
    period: str
    status: str  # trialing | active | past_due | canceled
    tenant_status: str
    trial_ends_at: datetime.datetime | None
    current_period_end: datetime.datetime | None
    cancel_at_period_end: bool
    past_due_since: datetime.datetime | None
    banner: BillingBanner | None
    mode: Literal["stripe", "local"]


class UsageOut(msgspec.Struct, kw_only=True):
    plan: str
    quotas: list[QuotaUsage]


class CheckoutRequest(Body):
    plan: PlanCode
    period: BillingPeriod = "monthly"


class RedirectOut(msgspec.Struct, kw_only=True):
    """Where to send the browser: Stripe's Checkout or customer portal page."""

    url: str
    session_id: str


class PlanAssignment(Body):
    """Support staff put a tenant on a plan (local mode, or a deal made outside Stripe)."""

    plan: PlanCode
    reason: Reason
    period: BillingPeriod = "monthly"


class StripeEventOut(msgspec.Struct, kw_only=True):
    event_id: str
    type: str
    event_created: datetime.datetime
    received_at: datetime.datetime
    processed_at: datetime.datetime | None
    outcome: str


class SupportBillingOut(msgspec.Struct, kw_only=True):
    """A tenant's billing as support staff see it: subscription, Stripe ids, usage and event history."""

    tenant_id: uuid.UUID
    subscription: SubscriptionOut
    stripe_customer_id: str | None
    stripe_subscription_id: str | None
    usage: list[QuotaUsage]
    events: list[StripeEventOut]


class StripeWebhookAck(msgspec.Struct, kw_only=True):
    received: bool
    duplicate: bool


# The job console (services/identity/service/jobs.py).
class JobRunOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str  # the job function, "module:function"
    queue_name: str
    status: str  # running | queued (between slices, or retried) | retrying (transient error) | succeeded | failed
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    rows_done: int
    rows_total: int | None
    slices: int
    attempts: int
    error: str | None


class ScheduledJobOut(msgspec.Struct, kw_only=True):
    name: str
    job: str
    schedule: str  # "daily at 01:00 Asia/Ho_Chi_Minh"
    last_run: JobRunOut | None
    next_run_at: datetime.datetime
    status: str  # the last run's, or "never_run"


class JobRetry(Body):
    reason: Reason


class QueueDepthOut(msgspec.Struct, kw_only=True):
    name: str
    queued: int
    started: int
    failed: int
    scheduled: int
    deferred: int


class RqJobOut(msgspec.Struct, kw_only=True):
    """A job as rq holds it, across tenants: support's view of what runs and what failed."""

    id: str
    queue_name: str
    state: str  # started | failed
    description: str | None
    tenant_id: uuid.UUID | None  # None for platform work (webhook dispatch, the fan-outs)
    run_id: uuid.UUID | None
    enqueued_at: datetime.datetime | None
    ended_at: datetime.datetime | None
    error: str | None  # the exception's last line
