"""A tenant's members: listing them, and deactivating one (which ends their sessions in this tenant at once)."""

from __future__ import annotations

import uuid
from typing import TypeVar

import msgspec
import redis.asyncio as aioredis

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings
from services.identity.schemas import MemberOut
from services.identity.service import api_keys, billing_stripe, sessions
from services.identity.tables import Membership
from tenants import audit, quotas
from tenants.auth import Principal
from tenants.pagination import Page, decode_cursor, page_of

_MEMBERS_SQL = (
    "SELECT m.id, m.user_id, u.email, u.full_name, m.role, m.is_active, m.created_at AS joined_at, u.last_login_at "
    "FROM membership m JOIN app_user u ON u.id = m.user_id WHERE m.tenant_id = {} AND m.id > {} "
    "ORDER BY m.id LIMIT {}"
)
_MIN_ID = uuid.UUID(int=0)
M = TypeVar("M", bound=MemberOut)


async def members_page(tenant_id: uuid.UUID, limit: int, cursor: str | None, out: type[M]) -> Page[M]:
    """A page of a tenant's members as `out` (the tenant's own view, or support's with the last login)."""
    rows = await Membership.raw(_MEMBERS_SQL, tenant_id, decode_cursor(cursor) or _MIN_ID, limit + 1)
    items = [msgspec.convert(row, out, strict=False) for row in rows]
    return page_of(items, limit, rows[limit - 1]["id"] if len(rows) > limit else None)


async def list_members(principal: Principal, limit: int, cursor: str | None) -> Page[MemberOut]:
    return await members_page(principal.tenant_id, limit, cursor, MemberOut)


async def deactivate_member(settings: Settings, redis: aioredis.Redis, principal: Principal,
                            user_id: uuid.UUID) -> None:
    if user_id == principal.subject_id:
        raise ProblemError(409, "conflict", "Bạn không thể tự vô hiệu hoá chính mình.",
                           "You cannot deactivate yourself.")
    updated = await Membership.raw(
        "UPDATE membership SET is_active = false, updated_at = now() FROM (SELECT id, is_active FROM membership "
        "WHERE tenant_id = {} AND user_id = {} FOR UPDATE) AS old WHERE membership.id = old.id RETURNING old.is_active",
        principal.tenant_id, user_id)
    if not updated:
        raise NotFoundError("thành viên", "Member")
    if updated[0]["is_active"]:
        await quotas.release("seats")
        billing_stripe.seats_changed(settings, principal.tenant_id)
    ended = await sessions.revoke_user_sessions(settings, redis, user_id, principal.tenant_id)
    keys = await api_keys.revoke_api_keys_created_by(redis, user_id)
    await audit.record("member.deactivate", "member", user_id, before={"is_active": updated[0]["is_active"]},
                       after={"is_active": False, "sessions_ended": ended, "revoked_keys": keys})
