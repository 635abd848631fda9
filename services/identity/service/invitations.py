"""Invitations: an owner or admin invites an email with a role; a mailed, single-use, expiring token lets
the invitee join, creating the account or linking an existing one.

Invitations are tenant rows (RLS). Accepting comes before any tenant is known, so the token's hash is
looked up through `invitation_by_token()`, a SECURITY DEFINER function (see the identity migration of
2026-11-25T20:46): it returns only the row whose hash matches, and the acceptance itself then runs as the
app role inside that invitation's tenant transaction.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings
from services.identity.schemas import InvitationAccept, InvitationCreate, InvitationOut, TokenResponse
from services.identity.service import billing_stripe, mail, sessions
from services.identity.service.auth import hash_password
from services.identity.tables import Invitation, Membership, Tenant, User
from tenants import audit, quotas
from tenants.auth import Principal
from tenants.context import after_commit, current_tenant_id, tenant_transaction
from tenants.pagination import Page, decode_cursor, page_of

ALREADY_MEMBER = ProblemError(409, "conflict", "Email này đã là thành viên của công ty.",
                              "This email is already a member of the company.",
                              errors=[("email", "already_member", "Đã là thành viên", "Already a member")])
INVALID_INVITATION = ProblemError(422, "validation_error", "Lời mời không hợp lệ, đã dùng hoặc đã hết hạn.",
                                  "The invitation is invalid, used or expired.",
                                  errors=[("token", "invalid_token", "Lời mời không hợp lệ hoặc đã hết hạn",
                                           "Invalid or expired invitation")])
ROLE_NAMES_VI = {"admin": "quản trị viên", "manager": "quản lý", "salesperson": "nhân viên kinh doanh",
                 "viewer": "người xem"}
_OUT_COLUMNS = [getattr(Invitation, name) for name in InvitationOut.__struct_fields__]



def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


async def create_invitation(settings: Settings, principal: Principal, data: InvitationCreate) -> InvitationOut:
    tenant_id = current_tenant_id()
    email = data.email.strip().lower()
    user = await User.select(User.id, User.language).where(User.email == email).first()
    if user is not None and await Membership.exists().where(
            (Membership.tenant_id == tenant_id) & (Membership.user_id == user["id"]) & Membership.is_active.eq(True)):
        raise ALREADY_MEMBER
    tenant = await Tenant.select(Tenant.name, Tenant.language).where(Tenant.id == tenant_id).first()
    assert tenant is not None  # the caller's token names it
    # Inviting again replaces the pending invitation (and its token) rather than adding a second one.
    replaced = await Invitation.delete().where((Invitation.tenant_id == tenant_id) & (Invitation.email == email)
                                               & Invitation.accepted_at.is_null()).returning(Invitation.id)
    # A seat is taken when an invitation is accepted; the open invitations may all be, so they count here.
    open_invitations = await Invitation.count().where(
        (Invitation.tenant_id == tenant_id) & Invitation.accepted_at.is_null() & (Invitation.expires_at > _now()))
    await quotas.check("seats", open_invitations + 1)
    token = sessions.new_secret_token()
    invitation = Invitation(tenant_id=tenant_id, email=email, role=data.role, token_hash=sessions.token_digest(token),
                            invited_by=principal.subject_id,
                            expires_at=_now() + datetime.timedelta(seconds=settings.invitation_ttl_seconds))
    await invitation.save()
    language = user["language"] if user else tenant["language"]
    await mail.queue_mail(email, language, "invitation", company=tenant["name"],
                          role=data.role if language == "en" else ROLE_NAMES_VI[data.role],
                          days=settings.invitation_ttl_seconds // 86400,
                          link=f"{settings.public_url}/accept-invitation?token={token}")
    after_commit(mail.enqueue_sender)
    created = await _get(invitation.id)
    await audit.record("invitation.create", "invitation", invitation.id,
                       after={**msgspec.structs.asdict(created), "replaces": [row["id"] for row in replaced]})
    return created


async def _get(invitation_id: uuid.UUID) -> InvitationOut:
    row = await Invitation.select(*_OUT_COLUMNS).where(
        (Invitation.tenant_id == current_tenant_id()) & (Invitation.id == invitation_id)
        & Invitation.accepted_at.is_null()).first()
    if row is None:
        raise NotFoundError("lời mời", "Invitation")
    return msgspec.convert(row, InvitationOut)


async def list_invitations(principal: Principal, limit: int, cursor: str | None) -> Page[InvitationOut]:
    """Pending invitations (not yet accepted; expired ones included, so they can be sent again)."""
    query = Invitation.select(*_OUT_COLUMNS).where(
        (Invitation.tenant_id == current_tenant_id()) & Invitation.accepted_at.is_null())
    if after := decode_cursor(cursor):
        query = query.where(Invitation.id > after)
    items = [msgspec.convert(row, InvitationOut) for row in await query.order_by(Invitation.id).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def delete_invitation(principal: Principal, invitation_id: uuid.UUID) -> None:
    deleted = await Invitation.delete().where(
        (Invitation.tenant_id == current_tenant_id()) & (Invitation.id == invitation_id)
        & Invitation.accepted_at.is_null()).returning(Invitation.email, Invitation.role, Invitation.expires_at)
    if not deleted:
        raise NotFoundError("lời mời", "Invitation")
    await audit.record("invitation.withdraw", "invitation", invitation_id, before=deleted[0])


async def accept_invitation(settings: Settings, data: InvitationAccept) -> TokenResponse:
    rows = await Invitation.raw("SELECT * FROM invitation_by_token({})", sessions.token_digest(data.token))
    found = rows[0] if rows else None
    if found is None or found["accepted_at"] is not None or found["expires_at"] <= _now():
        raise INVALID_INVITATION
    async with tenant_transaction(found["tenant_id"]):
        # Spend it under RLS, conditionally, so two concurrent accepts cannot both succeed.
        if not await Invitation.update({Invitation.accepted_at: _now()}).where(
                (Invitation.tenant_id == found["tenant_id"]) & (Invitation.id == found["id"])
                & Invitation.accepted_at.is_null()).returning(Invitation.id):
            raise INVALID_INVITATION
        tenant = await Tenant.objects().where(Tenant.id == found["tenant_id"]).first()
        if tenant is None or tenant.status == "suspended":
            raise INVALID_INVITATION
        user_id = await _user_for(found["email"], tenant.language, data)
        before = await Membership.select(Membership.role, Membership.is_active).where(
            (Membership.tenant_id == tenant.id) & (Membership.user_id == user_id)).first()
        if before is None or not before["is_active"]:
            await quotas.consume("seats")
            billing_stripe.seats_changed(settings, tenant.id)
        await Membership.raw(
            "INSERT INTO membership (id, tenant_id, user_id, role, is_active) VALUES ({}, {}, {}, {}, true) "
            "ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = EXCLUDED.role, is_active = true, "
            "updated_at = now()", uuid.uuid4(), tenant.id, user_id, found["role"])
        # No tenant request runs here (the invitee has no token yet): the invitee is the author.
        invitee = audit.Actor(kind="user", id=user_id)
        await audit.record("invitation.accept", "invitation", found["id"], actor=invitee,
                           after={"email": found["email"], "role": found["role"], "user_id": user_id})
        await audit.record(_membership_action(before), "member", user_id, before=before,
                           after={"role": found["role"], "is_active": True}, actor=invitee)
        return await sessions.start_session(settings, user_id, tenant, found["role"])


def _membership_action(before: dict[str, Any] | None) -> str:
    """What accepting did to the membership: a new member, a former one back, or a member's role replaced."""
    if before is None:
        return "member.join"
    return "member.role_change" if before["is_active"] else "member.reactivate"


async def _user_for(email: str, language: str, data: InvitationAccept) -> uuid.UUID:
    """The invited email's account: the existing one, or a new one from the password and name given."""
    existing = await User.select(User.id, User.is_active).where(User.email == email).first()
    if existing is not None:
        if not existing["is_active"]:
            raise INVALID_INVITATION
        return uuid.UUID(str(existing["id"]))
    missing = [(name, "required", "Bắt buộc khi email chưa có tài khoản", "Required when the email has no account")
               for name, value in (("password", data.password), ("full_name", data.full_name)) if value is None]
    if missing or data.password is None or data.full_name is None:
        raise ProblemError(422, "validation_error", "Email này chưa có tài khoản: cần mật khẩu và họ tên.",
                           "This email has no account yet: a password and a full name are needed.", errors=missing)
    user = User(email=email, full_name=data.full_name.strip(), language=language,
                password_hash=hash_password(data.password))
    try:
        await user.save()
    except UniqueViolationError:  # the same email signed up meanwhile
        raise INVALID_INVITATION from None
    return uuid.UUID(str(user.id))
