"""Identity's rules: sign-up, login, access tokens, and resolving a bearer token to a principal."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from asyncpg.exceptions import UniqueViolationError

from infra.problems import ProblemError
from infra.settings import Settings
from infra.text import slugify
from services.identity.schemas import LoginRequest, MeResponse, SignupRequest, TenantSummary, TokenResponse
from services.identity.tables import Membership, Tenant, User
from tenants.auth import Principal
from tenants.context import engine
from tenants.lifecycle import TENANT_SUSPENDED

JWT_ALGORITHM = "HS256"
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verifying against this keeps login time the same whether or not the email exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

EMAIL_TAKEN = ProblemError(409, "conflict", "Email này đã được đăng ký.", "This email is already registered.",
                           errors=[("email", "taken", "Email đã được dùng", "Email already in use")])
SLUG_TAKEN = ProblemError(409, "conflict", "Mã công ty (slug) đã tồn tại.", "This company slug is taken.",
                          errors=[("slug", "taken", "Slug đã được dùng", "Slug already in use")])
BAD_LOGIN = ProblemError(401, "unauthorized", "Email hoặc mật khẩu không đúng.", "Wrong email or password.")


def issue_access_token(settings: Settings, user_id: uuid.UUID, tenant_id: uuid.UUID, role: str,
                       ttl_seconds: int | None = None, extra_claims: dict[str, Any] | None = None) -> str:
    now = datetime.datetime.now(tz=datetime.UTC)
    claims = {
        "sub": str(user_id), "tid": str(tenant_id), "role": role, "typ": "access",
        "iat": now, "exp": now + datetime.timedelta(seconds=ttl_seconds or settings.access_token_ttl_seconds),
        "jti": uuid.uuid4().hex, **(extra_claims or {}),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=JWT_ALGORITHM)


class IdentityTokenResolver:
    """The tenant resolver every service uses (the `TokenResolver` interface of the tenancy core)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def resolve(self, token: str) -> Principal | None:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self.settings.jwt_secret, algorithms=[JWT_ALGORITHM],
                options={"require": ["exp", "iat", "sub", "tid", "typ"]},
            )
            if claims["typ"] != "access":
                return None
            support_staff = claims.get("sup")  # an impersonation token (service/support.py)
            return Principal(tenant_id=uuid.UUID(claims["tid"]), subject_id=uuid.UUID(claims["sub"]),
                             kind="user", role=str(claims.get("role", "viewer")),
                             support_staff_id=uuid.UUID(support_staff) if support_staff else None,
                             support_reason=str(claims.get("rsn", "")), read_only=bool(claims.get("ro", False)))
        except (jwt.PyJWTError, ValueError, KeyError):
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
    try:
        async with engine().transaction():
            tenant = Tenant(name=request.company_name.strip(), slug=slug, language=request.language)
            await tenant.save()
            user = User(email=email, full_name=request.full_name.strip(), language=request.language,
                        password_hash=_hasher.hash(request.password))
            await user.save()
            await Membership(tenant_id=tenant.id, user_id=user.id, role="owner").save()
    except UniqueViolationError as exc:  # a concurrent sign-up won the race
        raise EMAIL_TAKEN if "email" in str(exc) else SLUG_TAKEN from None
    token = issue_access_token(settings, user.id, tenant.id, "owner")
    return TokenResponse(access_token=token, expires_in=settings.access_token_ttl_seconds,
                         tenant_id=tenant.id, tenant_slug=tenant.slug)


async def login(settings: Settings, request: LoginRequest) -> TokenResponse:
    user = await User.objects().where(User.email == request.email.strip().lower()).first()
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, request.password)
    except (VerificationError, InvalidHashError):
        raise BAD_LOGIN from None
    if user is None or not user.is_active:
        raise BAD_LOGIN
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
    token = issue_access_token(settings, user.id, tenant.id, membership["role"])
    return TokenResponse(access_token=token, expires_in=settings.access_token_ttl_seconds,
                         tenant_id=tenant.id, tenant_slug=tenant.slug)


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
