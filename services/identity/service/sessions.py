"""Sessions: refresh-token rotation, reuse detection, logout, tenant switching and revocation.

A session is a family of refresh tokens. Login starts one; each refresh spends the presented token and
issues the next in the same family; presenting a spent token again means it was stolen (or replayed), so
the whole family is revoked. Access tokens name their family as `sid`. Revoking a family marks its rows in
PostgreSQL (so it can never be refreshed) and sets a Redis key that lives as long as an access token can,
which the token resolver checks on every request: a revoked session's access tokens stop at once.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import Any

import jwt
import redis.asyncio as aioredis

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings
from services.identity.schemas import TokenResponse
from services.identity.tables import Membership, RefreshToken, Tenant, User
from tenants import gate_mirror
from tenants.auth import Principal
from tenants.context import engine

JWT_ALGORITHM = "HS256"
REVOKED_SESSION_KEY = f"{gate_mirror.REVOKED_PREFIX}session:"

INVALID_REFRESH = ProblemError(401, "unauthorized", "Mã làm mới (refresh token) không hợp lệ hoặc đã hết hạn.",
                               "The refresh token is invalid or expired.",
                               errors=[("refresh_token", "invalid", "Refresh token không hợp lệ",
                                        "Invalid refresh token")])


def issue_access_token(settings: Settings, user_id: uuid.UUID, tenant_id: uuid.UUID, role: str,
                       session_id: uuid.UUID, ttl_seconds: int | None = None,
                       extra_claims: dict[str, Any] | None = None) -> str:
    now = _now()
    claims = {
        "sub": str(user_id), "tid": str(tenant_id), "role": role, "typ": "access", "sid": str(session_id),
        "iat": now, "exp": now + datetime.timedelta(seconds=ttl_seconds or settings.access_token_ttl_seconds),
        "jti": uuid.uuid4().hex, **(extra_claims or {}),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=JWT_ALGORITHM)


def token_digest(token: str) -> str:
    """What is stored of a secret token: its SHA-256 (the token is high-entropy, so no salt is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_secret_token() -> str:
    return secrets.token_urlsafe(32)


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


async def _issue(settings: Settings, user_id: uuid.UUID, tenant: Tenant | dict[str, Any], role: str,
                 family_id: uuid.UUID) -> TokenResponse:
    """A new refresh token in `family_id` and an access token naming it; runs in the caller's transaction."""
    tenant_id = tenant.id if isinstance(tenant, Tenant) else tenant["id"]
    slug = tenant.slug if isinstance(tenant, Tenant) else tenant["slug"]
    refresh_token = new_secret_token()
    await RefreshToken(family_id=family_id, user_id=user_id, tenant_id=tenant_id,
                       token_hash=token_digest(refresh_token),
                       expires_at=_now() + datetime.timedelta(seconds=settings.refresh_token_ttl_seconds)).save()
    return TokenResponse(
        access_token=issue_access_token(settings, user_id, tenant_id, role, family_id),
        expires_in=settings.access_token_ttl_seconds, refresh_token=refresh_token,
        refresh_expires_in=settings.refresh_token_ttl_seconds, tenant_id=tenant_id, tenant_slug=slug)


async def start_session(settings: Settings, user_id: uuid.UUID, tenant: Tenant, role: str) -> TokenResponse:
    """A new session (family) for a user in a tenant: the tokens that login, sign-up and accepting an
    invitation return."""
    return await _issue(settings, user_id, tenant, role, uuid.uuid4())


async def _active_role(user_id: uuid.UUID, tenant_id: uuid.UUID) -> tuple[dict[str, Any], str] | None:
    """The tenant and the user's role there, if the user, the membership and the tenant are all active."""
    membership = await Membership.select(Membership.role).where(
        (Membership.user_id == user_id) & (Membership.tenant_id == tenant_id) & Membership.is_active.eq(True)
    ).first()
    user_active = await User.exists().where((User.id == user_id) & User.is_active.eq(True))
    tenant = await Tenant.select(Tenant.id, Tenant.slug).where(
        (Tenant.id == tenant_id) & (Tenant.status != "suspended")).first()
    if membership is None or not user_active or tenant is None:
        return None
    return tenant, str(membership["role"])


async def refresh_session(settings: Settings, redis: aioredis.Redis, refresh_token: str) -> TokenResponse:
    digest = token_digest(refresh_token)
    async with engine().transaction():
        # Spending is one conditional UPDATE, so two concurrent refreshes with one token cannot both win.
        spent = await RefreshToken.update({RefreshToken.spent_at: _now()}).where(
            (RefreshToken.token_hash == digest) & RefreshToken.spent_at.is_null()
            & RefreshToken.revoked_at.is_null() & (RefreshToken.expires_at > _now())
        ).returning(RefreshToken.family_id, RefreshToken.user_id, RefreshToken.tenant_id)
        if spent:
            row = spent[0]
            active = await _active_role(row["user_id"], row["tenant_id"])
            if active is not None:
                return await _issue(settings, row["user_id"], active[0], active[1], row["family_id"])
    # Spent before (reuse), or the member is no longer active: the session ends here. Revoking runs in its
    # own transaction, after the one above, so that it commits although the caller gets a 401.
    family = await RefreshToken.select(RefreshToken.family_id).where(
        (RefreshToken.token_hash == digest) & RefreshToken.spent_at.is_not_null()).first()
    if family is not None:
        await revoke_sessions(settings, redis, RefreshToken.family_id == family["family_id"])
    raise INVALID_REFRESH


async def revoke_sessions(settings: Settings, redis: aioredis.Redis, where: Any) -> int:
    """Revoke every session matching `where` (a condition on RefreshToken): no more refreshes, and their
    access tokens are refused from the next request on. Returns how many sessions were revoked."""
    rows = await RefreshToken.update({RefreshToken.revoked_at: _now()}).where(
        where & RefreshToken.revoked_at.is_null()).returning(RefreshToken.family_id)
    families = {row["family_id"] for row in rows}
    await gate_mirror.revoke(redis, [revocation_key(family_id) for family_id in families],
                             settings.access_token_ttl_seconds)
    return len(families)


def revocation_key(session_id: uuid.UUID) -> str:
    """Exists in Redis while the session's access tokens must be refused (the tenant middleware asks)."""
    return f"{REVOKED_SESSION_KEY}{session_id}"


async def revoke_user_sessions(settings: Settings, redis: aioredis.Redis, user_id: uuid.UUID,
                               tenant_id: uuid.UUID | None = None) -> int:
    """Every session of a user (password reset), or only those in one tenant (deactivated member)."""
    where: Any = RefreshToken.user_id == user_id
    if tenant_id is not None:
        where &= RefreshToken.tenant_id == tenant_id
    return await revoke_sessions(settings, redis, where)


def _session_of(principal: Principal) -> uuid.UUID:
    if principal.kind != "user" or principal.session_id is None:
        raise ProblemError(400, "bad_request", "Chỉ phiên đăng nhập của người dùng mới làm được việc này.",
                           "Only a user's login session can do this.")
    return principal.session_id


async def logout(settings: Settings, redis: aioredis.Redis, principal: Principal) -> None:
    await revoke_sessions(settings, redis, RefreshToken.family_id == _session_of(principal))


async def switch_tenant(settings: Settings, redis: aioredis.Redis, principal: Principal,
                        tenant_id: uuid.UUID) -> TokenResponse:
    """New tokens for another tenant the user is an active member of; the current session ends. A tenant
    the user does not belong to is 404, exactly like one that does not exist."""
    session_id = _session_of(principal)
    active = await _active_role(principal.subject_id, tenant_id)
    if active is None:
        raise NotFoundError("công ty", "Company")
    await revoke_sessions(settings, redis, RefreshToken.family_id == session_id)
    return await _issue(settings, principal.subject_id, active[0], active[1], uuid.uuid4())
