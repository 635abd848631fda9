"""Relationship statuses (tình trạng quan hệ): a tenant-editable list, and each customer's history of them.

Every tenant starts with the same list, seeded on first use by `ensure_relationship_statuses` (idempotent, so
sign-up or a job may call it too). "Đừng quên" (Don't forget) is the system status the jobs apply after N
days without contact: it can be renamed, never deleted. Every change of a customer's status, by a person or
by the system, is kept in `customer_status_change`, written by the same statement that makes the change, and
announced as `customer.status_changed` (one outbox INSERT for a whole batch).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from services.contacts.events import CUSTOMER_STATUS_CHANGED, CustomerStatusChanged
from services.contacts.schemas import StatusChangeOut, StatusCreate, StatusOut, StatusUpdate
from services.contacts.service.lookups import require_reference
from services.contacts.service.settings import get_contacts_settings
from services.contacts.tables import Customer, RelationshipStatus
from tenants import audit
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit_many

DONT_FORGET = "dont_forget"
# (name, English name, system key): the keyed ones can be named in settings, such as the statuses ageing skips.
SEEDED: tuple[tuple[str, str, str | None], ...] = (
    ("Mới", "New", None), ("Tiếp cận", "Approached", None), ("Nóng", "Hot", None),
    ("Tiềm năng", "Potential", None), ("Mất", "Lost", "lost"), ("Chốt", "Won", "won"),
)
STATUS_NOT_FOUND = NotFoundError("tình trạng quan hệ", "Relationship status")
_COLUMNS = [getattr(RelationshipStatus, name) for name in StatusOut.__struct_fields__]

# Locks the customers first, so `from` is the status each had when this change was made, even under
# concurrent changes; then changes them and writes one history row each, returning what the events announce.
_CHANGE = """
WITH previous AS (
    SELECT id, relationship_status_id FROM customer
    WHERE tenant_id = {} AND id = ANY({}::uuid[]) AND relationship_status_id IS DISTINCT FROM {}::uuid
    FOR UPDATE
), changed AS (
    UPDATE customer c SET relationship_status_id = {}::uuid, updated_at = now() FROM previous p
    WHERE c.tenant_id = {} AND c.id = p.id
    RETURNING c.id, c.code, p.relationship_status_id AS from_status_id
), recorded AS (
    INSERT INTO customer_status_change
        (tenant_id, customer_id, from_status_id, to_status_id, actor_kind, actor_id, support_staff_id)
    SELECT {}, id, from_status_id, {}::uuid, {}, {}::uuid, {}::uuid FROM changed
    RETURNING customer_id, created_at
)
SELECT c.id, c.code, c.from_status_id, r.created_at FROM changed c JOIN recorded r ON r.customer_id = c.id
"""
# The customers due for "Đừng quên": last touched (contacted, or created when never contacted) before the tenant's
# cut-off, not there already, and not at an excluded status (named by system key or id).
_DUE_FOR_DONT_FORGET = """
FROM customer c
LEFT JOIN relationship_status s ON s.tenant_id = c.tenant_id AND s.id = c.relationship_status_id
WHERE c.tenant_id = {} AND c.relationship_status_id IS DISTINCT FROM {}::uuid
  AND COALESCE(c.last_contacted_at, c.created_at) < now() - make_interval(days => {})
  AND NOT COALESCE(s.system_key = ANY({}::text[]) OR s.id::text = ANY({}::text[]), false)
"""
# In last-touch order (the index `customer_tenant_last_touch` ends with the id), after the previous batch's last
# row, so a batch reads a range of its own rows and not again those the batches before it moved.
_TOUCHED = "COALESCE(c.last_contacted_at, c.created_at)"
_DUE_BATCH = (f"SELECT c.id, {_TOUCHED} AS touched " + _DUE_FOR_DONT_FORGET
              + f"AND ({_TOUCHED}, c.id) > ({{}}::timestamptz, {{}}::uuid) ORDER BY {_TOUCHED}, c.id LIMIT {{}}")
_START = (datetime.datetime.min.replace(tzinfo=datetime.UTC), uuid.UUID(int=0))
_DUE_COUNT = "SELECT count(*) AS due " + _DUE_FOR_DONT_FORGET
# The status a "Đừng quên" customer had before the latest move there, if that move came before the contact
# (NULL when it had none or that status is gone); no row when the customer is not at "Đừng quên".
_BEFORE_DONT_FORGET = """
SELECT s.id AS status_id FROM customer c
JOIN relationship_status d ON d.tenant_id = c.tenant_id AND d.id = c.relationship_status_id AND d.system_key = {}
JOIN LATERAL (
    SELECT h.from_status_id, h.created_at FROM customer_status_change h
    WHERE h.tenant_id = c.tenant_id AND h.customer_id = c.id AND h.to_status_id = d.id
    ORDER BY h.id DESC LIMIT 1
) moved ON moved.created_at < {}
LEFT JOIN relationship_status s ON s.tenant_id = c.tenant_id AND s.id = moved.from_status_id
WHERE c.tenant_id = {} AND c.id = {}
"""
AGEING_BATCH = 1000
AGEING_SLICE = 10 * AGEING_BATCH  # rows a job moves before it goes to the back of the queue (a few seconds)
_HISTORY = """
SELECT h.id, h.from_status_id, f.name AS from_status_name, h.to_status_id, t.name AS to_status_name,
       h.actor_kind, h.actor_id, h.created_at AS changed_at
FROM customer_status_change h
LEFT JOIN relationship_status f ON f.tenant_id = h.tenant_id AND f.id = h.from_status_id
LEFT JOIN relationship_status t ON t.tenant_id = h.tenant_id AND t.id = h.to_status_id
WHERE h.tenant_id = {} AND h.customer_id = {} AND ({}::uuid IS NULL OR h.id < {}::uuid)
ORDER BY h.id DESC LIMIT {}
"""


def _mine() -> Any:
    return RelationshipStatus.tenant_id == current_tenant_id()


async def ensure_relationship_statuses() -> None:
    """Seed the tenant's list once. The system status goes in first: its unique key makes a second or concurrent
    seeding wait for the first and then do nothing."""
    tenant_id = current_tenant_id()
    seeded = await RelationshipStatus.raw(
        "INSERT INTO relationship_status (tenant_id, name, name_en, position, system_key, is_system) "
        "VALUES ({}, 'Đừng quên', 'Don''t forget', {}, {}, true) "
        "ON CONFLICT (tenant_id, system_key) WHERE system_key IS NOT NULL DO NOTHING RETURNING id",
        tenant_id, len(SEEDED) + 1, DONT_FORGET)
    if not seeded:
        return
    await RelationshipStatus.insert(*[
        RelationshipStatus(tenant_id=tenant_id, name=vi, name_en=en, position=n, system_key=key)
        for n, (vi, en, key) in enumerate(SEEDED, start=1)])
    await audit.record("relationship_status.seed", "relationship_status",
                       after={"names": [vi for vi, _, _ in SEEDED] + ["Đừng quên"]}, actor=audit.SYSTEM)


async def list_statuses() -> list[StatusOut]:
    await ensure_relationship_statuses()
    rows = await RelationshipStatus.select(*_COLUMNS).where(_mine()).order_by(
        RelationshipStatus.position).order_by(RelationshipStatus.id)
    return [msgspec.convert(row, StatusOut, strict=False) for row in rows]


async def get_status(status_id: uuid.UUID) -> StatusOut:
    row = await RelationshipStatus.select(*_COLUMNS).where(_mine() & (RelationshipStatus.id == status_id)).first()
    if row is None:
        raise STATUS_NOT_FOUND
    return msgspec.convert(row, StatusOut, strict=False)


async def create_status(data: StatusCreate) -> StatusOut:
    await ensure_relationship_statuses()
    position = data.position
    if position is None:
        last = await RelationshipStatus.select(RelationshipStatus.position).where(_mine()).order_by(
            RelationshipStatus.position, ascending=False).first()
        position = (last["position"] + 1) if last else 1
    status = RelationshipStatus(tenant_id=current_tenant_id(), name=data.name.strip(),
                                name_en=data.name_en.strip() if data.name_en else None, position=position)
    await status.save()
    created = await get_status(status.id)
    await audit.record("relationship_status.create", "relationship_status", status.id, after=created)
    return created


async def update_status(status_id: uuid.UUID, data: StatusUpdate) -> StatusOut:
    before = await get_status(status_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, msgspec.UnsetType):
        changes[RelationshipStatus.name] = data.name.strip()
    if not isinstance(data.name_en, msgspec.UnsetType):
        changes[RelationshipStatus.name_en] = data.name_en.strip() if data.name_en else None
    if not isinstance(data.position, msgspec.UnsetType):
        changes[RelationshipStatus.position] = data.position
    if not changes:
        return before
    await RelationshipStatus.update(changes).where(_mine() & (RelationshipStatus.id == status_id))
    after = await get_status(status_id)
    await audit.record("relationship_status.update", "relationship_status", status_id, before=before, after=after)
    return after


async def delete_status(status_id: uuid.UUID) -> None:
    before = await get_status(status_id)
    if before.is_system:
        raise ProblemError(409, "conflict", "Không thể xoá tình trạng hệ thống.",
                           "A system status cannot be deleted.")
    in_use = await Customer.count().where((Customer.tenant_id == current_tenant_id())
                                          & (Customer.relationship_status_id == status_id))
    if in_use:
        raise ProblemError(409, "conflict", f"Tình trạng đang được {in_use} khách hàng sử dụng.",
                           f"The status is used by {in_use} customers.")
    await RelationshipStatus.delete().where(_mine() & (RelationshipStatus.id == status_id))
    await audit.record("relationship_status.delete", "relationship_status", status_id, before=before)


async def change_status(customer_ids: Collection[uuid.UUID], status_id: uuid.UUID | None) -> set[uuid.UUID]:
    """Set the status of the given customers (set-based, for one customer or a whole job's worth) and record
    each change; a customer already at that status is left alone. The ids must already be the caller's to
    change. Returns the customers whose status changed."""
    if status_id is not None:
        await require_reference(RelationshipStatus, status_id, "relationship_status_id", "tình trạng quan hệ",
                                "Relationship status")
    tenant_id, actor = current_tenant_id(), audit.current_actor()
    rows = await Customer.raw(_CHANGE, tenant_id, list(customer_ids), status_id, status_id, tenant_id, tenant_id,
                              status_id, actor.kind, actor.id, actor.support_staff_id)
    by = "system" if actor.id is None else str(actor.id)
    await emit_many(CUSTOMER_STATUS_CHANGED, [
        CustomerStatusChanged(id=row["id"], code=row["code"], from_status_id=row["from_status_id"],
                              to_status_id=status_id, by=by, by_kind=actor.kind, at=row["created_at"])
        for row in rows])
    return {row["id"] for row in rows}


async def status_history(customer_id: uuid.UUID, limit: int, cursor: str | None) -> Page[StatusChangeOut]:
    """Newest first. The caller has already checked that it sees the customer."""
    before = decode_cursor(cursor)
    rows = await Customer.raw(_HISTORY, current_tenant_id(), customer_id, before, before, limit + 1)
    items = [msgspec.convert(row, StatusChangeOut, strict=False) for row in rows]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _dont_forget_id() -> uuid.UUID:
    await ensure_relationship_statuses()
    row = await RelationshipStatus.select(RelationshipStatus.id).where(
        _mine() & (RelationshipStatus.system_key == DONT_FORGET)).first()
    assert row is not None, "ensure_relationship_statuses seeds the system status"
    return uuid.UUID(str(row["id"]))


async def age_to_dont_forget(batch_size: int = AGEING_BATCH,
                             slice_rows: int = AGEING_SLICE) -> tuple[int, int]:
    """Move the tenant's customers left uncontacted past its setting to "Đừng quên", a batch at a time, each
    move in the history, the audit log and an event; at most about `slice_rows` of them, so a big tenant's job
    yields to the others (the job runs again for the rest). Those already there are not due, so a second run
    moves nobody. Returns how many moved, and how many are still due."""
    tenant_id, target, settings = current_tenant_id(), await _dont_forget_id(), await get_contacts_settings()
    due_args = (tenant_id, target, settings.dont_forget_after_days, settings.dont_forget_excluded,
                settings.dont_forget_excluded)
    due = (await Customer.raw(_DUE_COUNT, *due_args))[0]["due"]
    moved, after = 0, _START
    while moved < min(due, slice_rows):
        rows = await Customer.raw(_DUE_BATCH, *due_args, *after, batch_size)
        if rows:
            after = (rows[-1]["touched"], rows[-1]["id"])
        changed = await change_status([row["id"] for row in rows], target)
        if changed:
            await audit.record("customer.dont_forget", "customer", actor=audit.SYSTEM, after={
                "relationship_status_id": str(target), "customer_ids": sorted(str(id_) for id_ in changed),
                "after_days": settings.dont_forget_after_days})
        moved += len(changed)
        if len(rows) < batch_size or not changed:
            return moved, 0
    return moved, max(due - moved, 0)


async def restore_after_contact(customer_id: uuid.UUID, contacted_at: datetime.datetime) -> bool:
    """A customer contacted after it was moved to "Đừng quên" goes back to the status it had before.
    Returns whether its status changed."""
    rows = await Customer.raw(_BEFORE_DONT_FORGET, DONT_FORGET, contacted_at, current_tenant_id(), customer_id)
    if not rows:
        return False
    return bool(await change_status([customer_id], rows[0]["status_id"]))
