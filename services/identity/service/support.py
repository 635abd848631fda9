"""Support staff: platform accounts with their own login, a cross-tenant console, and acting as a tenant user.

A support token has `typ` "support", so the tenant resolver (which accepts only "access") refuses it on every
tenant API. Acting as a user is a separate, short (at most one hour) tenant access token that names the
support person, their stated reason and whether they may write; the tenant middleware enforces read-only
and audits every request made with it in the tenant's own log.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import jwt
import redis.asyncio as aioredis
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings
from services.contacts.tables import Customer
from services.identity.schemas import (
    ImpersonationRequest,
    ImpersonationResponse,
    SupportLoginRequest,
    SupportMemberOut,
    SupportTenantDetail,
    SupportTenantOut,
    SupportTokenResponse,
    TenantDeletionAccepted,
    TenantStatusChange,
    TenantUsage,
)
from services.identity.service import members, tenant_deletion
from services.identity.service.auth import hash_password, password_matches
from services.identity.service.sessions import JWT_ALGORITHM, issue_access_token
from services.identity.tables import Membership, SupportStaff, Tenant
from tenants import audit, lifecycle
from tenants.context import tenant_transaction
from tenants.ids import new_id
from tenants.pagination import Page

SUPPORT_TOKEN_TYPE = "support"  # noqa: S105 - a token kind, not a secret
BAD_LOGIN = ProblemError(401, "unauthorized", "Email hoặc mật khẩu không đúng.", "Wrong email or password.")
STAFF_EMAIL_TAKEN = ProblemError(409, "conflict", "Email hỗ trợ viên đã tồn tại.", "This support email exists.",
                                 errors=[("email", "taken", "Email đã được dùng", "Email already in use")])
TENANT_NOT_FOUND = NotFoundError("công ty", "Company")
MEMBER_NOT_FOUND = ProblemError(404, "not_found", "Không tìm thấy thành viên để đóng vai.",
                                "No such member to act as.",
                                errors=[("user_id", "not_found", "Không phải thành viên đang hoạt động",
                                         "Not an active member")])


def support_actor(staff_id: uuid.UUID, reason: str) -> audit.Actor:
    return audit.Actor(kind="support", id=staff_id, support_staff_id=staff_id, support_reason=reason)


async def create_support_user(email: str, password: str, full_name: str = "") -> uuid.UUID:
    staff = SupportStaff(email=email.strip().lower(), full_name=full_name.strip(),
                         password_hash=hash_password(password))
    try:
        await staff.save()
    except UniqueViolationError:
        raise STAFF_EMAIL_TAKEN from None
    return staff.id


async def login(settings: Settings, request: SupportLoginRequest) -> SupportTokenResponse:
    staff = await SupportStaff.objects().where(SupportStaff.email == request.email.strip().lower()).first()
    if not password_matches(staff.password_hash if staff else None, request.password):
        raise BAD_LOGIN
    if staff is None or not staff.is_active:
        raise BAD_LOGIN
    now = datetime.datetime.now(tz=datetime.UTC)
    await SupportStaff.update({SupportStaff.last_login_at: now}).where(SupportStaff.id == staff.id)
    ttl = settings.access_token_ttl_seconds
    token = jwt.encode({"sub": str(staff.id), "typ": SUPPORT_TOKEN_TYPE, "iat": now,
                        "exp": now + datetime.timedelta(seconds=ttl), "jti": uuid.uuid4().hex},
                       settings.jwt_secret, algorithm=JWT_ALGORITHM)
    return SupportTokenResponse(access_token=token, expires_in=ttl, support_staff_id=staff.id)


async def resolve_support_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The support person a token stands for, while their account is active; None otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(token, settings.jwt_secret, algorithms=[JWT_ALGORITHM],
                                            options={"require": ["exp", "iat", "sub", "typ"]})
        if claims["typ"] != SUPPORT_TOKEN_TYPE:
            return None
        staff_id = uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError, KeyError):
        return None
    active = await SupportStaff.exists().where((SupportStaff.id == staff_id) & SupportStaff.is_active.eq(True))
    return staff_id if active else None


_OWNER_EMAIL = ("(SELECT u.email FROM membership m JOIN app_user u ON u.id = m.user_id "
                "WHERE m.tenant_id = t.id AND m.role = 'owner' AND m.is_active ORDER BY m.created_at LIMIT 1)")


async def search_tenants(q: str, limit: int) -> list[SupportTenantOut]:
    """By id (exact), or name, slug or owner email (contains, any case)."""
    pattern = "%" + q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    try:
        exact_id: uuid.UUID | None = uuid.UUID(q.strip())
    except ValueError:
        exact_id = None
    rows = await Tenant.raw(
        f"SELECT t.id, t.name, t.slug, t.status, t.created_at, {_OWNER_EMAIL} AS owner_email FROM tenant t "  # noqa: S608 - constant SQL
        "WHERE t.status <> 'deleting' AND (t.id = {} OR t.name ILIKE {} OR t.slug ILIKE {} OR EXISTS ("
        "  SELECT 1 FROM membership m JOIN app_user u ON u.id = m.user_id "
        "  WHERE m.tenant_id = t.id AND m.role = 'owner' AND u.email ILIKE {})) "
        "ORDER BY t.name, t.id LIMIT {}",
        exact_id, pattern, pattern, pattern, limit)
    return [SupportTenantOut(**row) for row in rows]


async def tenant_detail(tenant_id: uuid.UUID) -> SupportTenantDetail:
    rows = await Tenant.raw(
        f"SELECT t.id, t.name, t.slug, t.status, t.created_at, {_OWNER_EMAIL} AS owner_email, "  # noqa: S608
        "(SELECT count(*) FROM membership m WHERE m.tenant_id = t.id AND m.is_active) AS members, "
        "(SELECT s.plan_code FROM subscription s WHERE s.tenant_id = t.id) AS plan "
        "FROM tenant t WHERE t.id = {} AND t.status <> 'deleting'", tenant_id)
    if not rows:
        raise TENANT_NOT_FOUND
    row = rows[0]
    async with tenant_transaction(tenant_id):  # customers are tenant rows: counted under the tenant's RLS
        customers = await Customer.count().where(Customer.tenant_id == tenant_id)
    return SupportTenantDetail(id=row["id"], name=row["name"], slug=row["slug"], status=row["status"],
                               owner_email=row["owner_email"], created_at=row["created_at"], plan=row["plan"],
                               usage=TenantUsage(members=row["members"], customers=customers))


async def tenant_members(tenant_id: uuid.UUID, limit: int, cursor: str | None) -> Page[SupportMemberOut]:
    """Read-only, like the tenant's detail (support's reads are not audited; what support does is)."""
    if not await Tenant.exists().where((Tenant.id == tenant_id) & (Tenant.status != "deleting")):
        raise TENANT_NOT_FOUND
    return await members.members_page(tenant_id, limit, cursor, SupportMemberOut)


async def change_status(redis: aioredis.Redis, staff_id: uuid.UUID, tenant_id: uuid.UUID,
                        change: TenantStatusChange) -> SupportTenantDetail:
    async with tenant_transaction(tenant_id):
        updated = await Tenant.raw(
            "UPDATE tenant SET status = {}, updated_at = now() FROM (SELECT id, status FROM tenant WHERE id = {} "
            "FOR UPDATE) AS old WHERE tenant.id = old.id AND old.status <> 'deleting' RETURNING old.status",
            change.status, tenant_id)
        if not updated:
            raise TENANT_NOT_FOUND
        await audit.record("tenant.status_change", "tenant", tenant_id, before={"status": updated[0]["status"]},
                           after={"status": change.status}, actor=support_actor(staff_id, change.reason))
    await lifecycle.forget_status(redis, tenant_id)
    return await tenant_detail(tenant_id)


async def impersonate(settings: Settings, staff_id: uuid.UUID, request: ImpersonationRequest) -> ImpersonationResponse:
    tenant = await Tenant.objects().where((Tenant.id == request.tenant_id) & (Tenant.status != "deleting")).first()
    if tenant is None:
        raise TENANT_NOT_FOUND
    members = Membership.select(Membership.user_id, Membership.role).where(
        (Membership.tenant_id == tenant.id) & Membership.is_active.eq(True))
    if request.user_id is not None:
        members = members.where(Membership.user_id == request.user_id)
    else:
        members = members.where(Membership.role == "owner")
    member = await members.order_by(Membership.created_at).first()
    if member is None:
        raise MEMBER_NOT_FOUND
    ttl = request.minutes * 60
    expires_at = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=ttl)
    async with tenant_transaction(tenant.id):
        await audit.record("support.impersonation_start", "user", member["user_id"],
                           after={"write": request.write, "role": member["role"], "expires_at": expires_at},
                           actor=support_actor(staff_id, request.reason))
    token = issue_access_token(settings, member["user_id"], tenant.id, member["role"], new_id(), ttl_seconds=ttl,
                               extra_claims={"sup": str(staff_id), "rsn": request.reason, "ro": not request.write})
    return ImpersonationResponse(access_token=token, expires_in=ttl, tenant_id=tenant.id,
                                 user_id=member["user_id"], write=request.write)


async def delete_tenant(redis: aioredis.Redis, staff_id: uuid.UUID, tenant_id: uuid.UUID,
                        reason: str) -> TenantDeletionAccepted:
    async with tenant_transaction(tenant_id):
        accepted = await tenant_deletion.request_deletion(reason, actor=support_actor(staff_id, reason))
    await lifecycle.forget_status(redis, tenant_id)
    return accepted
