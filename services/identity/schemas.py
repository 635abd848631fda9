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
    plan: str
    usage: TenantUsage


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
