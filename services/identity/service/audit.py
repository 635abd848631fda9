"""Reading the tenant's audit log (writing it is `tenants.audit.record`, which every service calls)."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from infra.problems import ProblemError
from services.identity.schemas import AuditEntryOut
from tenants.audit import AuditEntry
from tenants.auth import Principal
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of

NOT_AN_AUDIT_READER = ProblemError(403, "forbidden", "Chỉ chủ sở hữu hoặc quản trị viên được xem nhật ký.",
                                   "Only owners and admins may read the audit log.")

_COLUMNS = [AuditEntry.created_at.as_alias("at"),
            *(getattr(AuditEntry, name) for name in AuditEntryOut.__struct_fields__ if name != "at")]


class AuditFilters(msgspec.Struct, kw_only=True, frozen=True):
    actor_id: uuid.UUID | None = None
    actor_kind: str | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


async def list_entries(principal: Principal, filters: AuditFilters, limit: int,
                       cursor: str | None) -> Page[AuditEntryOut]:
    """Newest first; ids are UUIDv7, so the keyset on `id` follows time."""
    query = AuditEntry.select(*_COLUMNS).where(AuditEntry.tenant_id == current_tenant_id())
    for column, value in ((AuditEntry.actor_id, filters.actor_id), (AuditEntry.actor_kind, filters.actor_kind),
                          (AuditEntry.action, filters.action), (AuditEntry.object_type, filters.object_type),
                          (AuditEntry.object_id, filters.object_id)):
        if value is not None:
            query = query.where(column == value)
    if filters.since is not None:
        query = query.where(AuditEntry.created_at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.created_at < filters.until)
    if before := decode_cursor(cursor):
        query = query.where(AuditEntry.id < before)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(limit + 1).output(load_json=True)
    items = msgspec.convert(rows, list[AuditEntryOut])
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)
