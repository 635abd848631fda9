"""One customer's timeline: interactions, status changes, lifecycle changes and documents, newest first.

One query over the four histories (UNION ALL), ordered by when each thing happened and then by id, paged by a
keyset cursor on that pair so pages neither skip nor repeat entries while new ones are logged.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from typing import Any

import msgspec

from services.contacts.schemas import TimelineEntry
from services.contacts.service.customers import get_customer
from services.contacts.tables import Customer
from tenants.access import Access
from tenants.context import current_tenant_id
from tenants.pagination import BAD_CURSOR, Page

_TIMELINE = """
SELECT * FROM (
    SELECT 'interaction' AS kind, i.id, i.occurred_at AS at, i.user_id AS actor_id, i.subject AS summary,
           jsonb_build_object('kind', i.kind, 'direction', i.direction, 'duration_seconds', i.duration_seconds,
                              'outcome', i.outcome, 'body', i.body, 'follow_up_at', i.follow_up_at,
                              'contact_person_id', i.contact_person) AS data
    FROM interaction i WHERE i.tenant_id = {} AND i.customer = {}
    UNION ALL
    SELECT 'status_change', h.id, h.created_at, h.actor_id, COALESCE(t.name, ''),
           jsonb_build_object('from_status_id', h.from_status_id, 'from_status_name', f.name,
                              'to_status_id', h.to_status_id, 'to_status_name', t.name, 'actor_kind', h.actor_kind)
    FROM customer_status_change h
    LEFT JOIN relationship_status f ON f.tenant_id = h.tenant_id AND f.id = h.from_status_id
    LEFT JOIN relationship_status t ON t.tenant_id = h.tenant_id AND t.id = h.to_status_id
    WHERE h.tenant_id = {} AND h.customer_id = {}
    UNION ALL
    SELECT 'lifecycle_change', l.id, l.created_at, l.actor_id, l.to_stage,
           jsonb_build_object('from_stage', l.from_stage, 'to_stage', l.to_stage, 'actor_kind', l.actor_kind)
    FROM lifecycle_change l WHERE l.tenant_id = {} AND l.customer = {}
    UNION ALL
    SELECT 'document', d.id, d.created_at, d.uploaded_by, d.name,
           jsonb_build_object('version', d.version, 'content_type', d.content_type, 'size_bytes', d.size_bytes)
    FROM document d WHERE d.tenant_id = {} AND d.customer = {}
) entry
WHERE {}::timestamptz IS NULL OR (entry.at, entry.id) < ({}::timestamptz, {}::uuid)
ORDER BY entry.at DESC, entry.id DESC
LIMIT {}
"""


def _encode(entry: TimelineEntry) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([entry.at, entry.id])).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[datetime.datetime, uuid.UUID] | tuple[None, None]:
    if not cursor:
        return None, None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return msgspec.json.decode(raw, type=tuple[datetime.datetime, uuid.UUID])
    except (ValueError, msgspec.DecodeError):
        raise BAD_CURSOR from None


def _entry(row: dict[str, Any]) -> TimelineEntry:
    return msgspec.convert({**row, "data": msgspec.json.decode(row["data"])}, TimelineEntry, strict=False)


async def customer_timeline(access: Access, customer_id: uuid.UUID, limit: int,
                            cursor: str | None) -> Page[TimelineEntry]:
    await get_customer(access, customer_id)  # 404 unless the caller sees it
    at, before_id = _decode(cursor)
    # Piccolo's raw() numbers its {} placeholders in order: the tenant and customer of each of the four parts.
    rows = await Customer.raw(_TIMELINE, *([current_tenant_id(), customer_id] * 4), at, at, before_id, limit + 1)
    items = [_entry(row) for row in rows]
    return Page(items=items[:limit], next_cursor=_encode(items[limit - 1]) if len(items) > limit else None)
