"""Identity's rules: sign-up, login, and resolving a bearer token to a principal."""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

import jwt
import msgspec
import redis.asyncio as aioredis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from asyncpg.exceptions import UniqueViolationError

from infra.problems import ProblemError
from infra.settings import Settings
from infra.text import slugify
from services.identity.schemas import LoginRequest, MeResponse, SignupRequest, TenantSummary, TokenResponse
from services.identity.service import api_keys, billing, login_throttle, plans, rate_limits, sessions
from services.identity.service.sessions import JWT_ALGORITHM
from services.identity.tables import Membership, Tenant, User
from tenants import audit
from tenants.auth import Principal
from tenants.context import tenant_transaction
from tenants.lifecycle import TENANT_SUSPENDED

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps login time the same whether or not the email exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

EMAIL_TAKEN = ProblemError(409, "conflict", "Email này đã được đăng ký.", "This email is already registered.",
                           errors=[("email", "taken", "Email đã được dùng", "Email already in use")])
SLUG_TAKEN = ProblemError(409, "conflict", "Mã công ty (slug) đã tồn tại.", "This company slug is taken.",
                          errors=[("slug", "taken", "Slug đã được dùng", "Slug already in use")])
BAD_LOGIN = ProblemError(401, "unauthorized", "Email hoặc mật khẩu không đúng.", "Wrong email or password.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Verify against a dummy hash when there is no account, so the answer takes as long either way."""
    try:
        return bool(_hasher.verify(password_hash or _DUMMY_HASH, password)) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


class IdentityTokenResolver:
    """The tenant resolver every service uses (the `TokenResolver` interface of the tenancy core).

    A verified JWT's principal is kept in memory until the token expires: the signature of the same string
    cannot change, and what can (a revoked session) is asked of Redis on every request through the
    principal's `revocation_key`, in the tenant middleware's one Redis round trip.
    """

    MAX_CACHED_TOKENS = 10_000

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._verified: dict[str, tuple[float, Principal]] = {}  # token -> (expires at, epoch; principal)

    async def resolve(self, token: str) -> Principal | None:
        if api_keys.looks_like_api_key(token):
            return await api_keys.resolve_api_key(token)
        cached = self._verified.get(token)
        if cached is None or cached[0] <= time.time():
            verified = self._verify(token)
            if verified is None:
                return None
            if len(self._verified) >= self.MAX_CACHED_TOKENS:
                self._verified.pop(next(iter(self._verified)))  # the oldest entry
            self._verified[token] = cached = verified
        expires_at, principal = cached
        limit = await rate_limits.tenant_requests_per_minute(principal.tenant_id)
        if principal.requests_per_minute != limit:  # first use, or the tenant's limit changed
            principal = msgspec.structs.replace(principal, requests_per_minute=limit)
            self._verified[token] = (expires_at, principal)
        return principal

    def _verify(self, token: str) -> tuple[float, Principal] | None:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.settings.jwt_secret, algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "iat", "sub", "tid", "typ", "sid"]},
            )
            if claims["typ"] != "access":
                return None
            session_id = uuid.UUID(claims["sid"])
            support_staff = claims.get("sup")  # an impersonation token (service/support.py)
            principal = Principal(
                tenant_id=uuid.UUID(claims["tid"]), subject_id=uuid.UUID(claims["sub"]), kind="user",
                role=str(claims.get("role", "viewer")), session_id=session_id,
                revocation_key=sessions.revocation_key(session_id),
                support_staff_id=uuid.UUID(support_staff) if support_staff else None,
                support_reason=str(claims.get("rsn", "")), read_only=bool(claims.get("ro", False)))
            return float(claims["exp"]), principal
        except (jwt.PyJWTError, ValueError, KeyError, TypeError):
            return None


async def _unique_slug(base: str) -> str:
    slug = base or "cong-ty"
    taken = {row["slug"] for row in await Tenant.select(Tenant.slug).where(Tenant.slug.like(f"{slug}%"))}
    if slug not in taken:
        return slug
    return next(f"{slug}-{n}" for n in range(2, len(taken) + 3) if f"{slug}-{n}" not in taken)


async def signup(settings: Settings, request: SignupRequest) -> TokenResponse:
    email = request.email.strip().lower()
    if await User.exists().where(User.email == email):
        raise EMAIL_TAKEN
    if request.slug and await Tenant.exists().where(Tenant.slug == request.slug):
        raise SLUG_TAKEN
    slug = request.slug or await _unique_slug(slugify(request.company_name))
    tenant = Tenant(name=request.company_name.strip(), slug=slug, language=request.language)
    try:
        async with tenant_transaction(tenant.id):  # the tenant's own rows (quota counters) need it set
            await tenant.save()
            user = User(email=email, full_name=request.full_name.strip(), language=request.language,
                        password_hash=hash_password(request.password))
            await user.save()
            await Membership(tenant_id=tenant.id, user_id=user.id, role="owner").save()
            await billing.start_trial(tenant.id)
            await audit.record("tenant.create", "tenant", tenant.id, actor=audit.Actor(kind="user", id=user.id),
                               after={"name": tenant.name, "slug": slug, "language": tenant.language,
                                      "owner_id": user.id, "plan": plans.TRIAL})
            tokens = await sessions.start_session(settings, user.id, tenant, "owner")
    except UniqueViolationError as exc:  # a concurrent sign-up won the race
        raise EMAIL_TAKEN if "email" in str(exc) else SLUG_TAKEN from None
    return tokens


async def login(settings: Settings, redis: aioredis.Redis, request: LoginRequest) -> TokenResponse:
    email = request.email.strip().lower()
    await login_throttle.check_allowed(redis, email)
    user = await User.objects().where(User.email == email).first()
    if not password_matches(user.password_hash if user else None, request.password):
        await login_throttle.record_failure(redis, email)
        raise BAD_LOGIN
    if user is None or not user.is_active:
        raise BAD_LOGIN
    await login_throttle.clear(redis, email)
    memberships = Membership.select(Membership.tenant_id, Membership.role).where(
        (Membership.user_id == user.id) & (Membership.is_active.eq(True)))
    if request.tenant_id:
        memberships = memberships.where(Membership.tenant_id == request.tenant_id)
    membership = await memberships.order_by(Membership.created_at).first()
    if membership is None:
        raise BAD_LOGIN
    tenant = await Tenant.objects().where(Tenant.id == membership["tenant_id"]).first()
    if tenant is None:
        raise BAD_LOGIN
    if tenant.status in ("suspended", "deleting"):
        raise TENANT_SUSPENDED
    await User.update({User.last_login_at: datetime.datetime.now(tz=datetime.UTC)}).where(User.id == user.id)
    return await sessions.start_session(settings, user.id, tenant, membership["role"])


async def me(principal: Principal) -> MeResponse:
    user = await User.objects().where(User.id == principal.subject_id).first()
    if user is None:
        raise ProblemError(401, "unauthorized", "Tài khoản không còn tồn tại.", "The account no longer exists.")
    rows = await Membership.select(Membership.tenant_id, Membership.role).where(
        (Membership.user_id == user.id) & (Membership.is_active.eq(True)))
    roles = {row["tenant_id"]: row["role"] for row in rows}
    tenants = await Tenant.objects().where(Tenant.id.is_in(list(roles) or [principal.tenant_id]))
    summaries = [TenantSummary(id=t.id, name=t.name, slug=t.slug, role=roles[t.id]) for t in tenants]
    current = next((s for s in summaries if s.id == principal.tenant_id), None)
    if current is None:
        raise ProblemError(401, "unauthorized", "Bạn không còn là thành viên của công ty này.",
                           "You are no longer a member of this company.")
    return MeResponse(user_id=user.id, email=user.email, full_name=user.full_name, language=user.language,
                      tenant=current, tenants=summaries)
