"""Relationship statuses (tình trạng quan hệ): a tenant-editable list, and each customer's history of them.

Every tenant starts with the same list, seeded on first use by `ensure_relationship_statuses` (idempotent, so
sign-up or a job may call it too). "Đừng quên" (Don't forget) is the system status the jobs apply after N
days without contact: it can be renamed, never deleted. Every change of a customer's status, by a person or
by the system, is kept in `customer_status_change` and announced as `customer.status_changed`, both written by the
statement that makes the change.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from services.contacts.events import CUSTOMER_STATUS_CHANGED
from services.contacts.schemas import StatusChangeOut, StatusCreate, StatusOut, StatusUpdate
from services.contacts.service.lookups import require_reference
from services.contacts.service.settings import get_contacts_settings
from services.contacts.tables import Customer, RelationshipStatus
from tenants import audit
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emitted, emitting

DONT_FORGET = "dont_forget"
# (name, English name, system key): the keyed ones can be named in settings, such as the statuses ageing skips.
SEEDED: tuple[tuple[str, str, str | None], ...] = (
    ("Mới", "New", None), ("Tiếp cận", "Approached", None), ("Nóng", "Hot", None),
    ("Tiềm năng", "Potential", None), ("Mất", "Lost", "lost"), ("Chốt", "Won", "won"),
)
STATUS_NOT_FOUND = NotFoundError("tình trạng quan hệ", "Relationship status")
_COLUMNS = [getattr(RelationshipStatus, name) for name in StatusOut.__struct_fields__]

# One statement changes the chosen customers' status, keeps each change in the history and announces it. The
# UPDATE locks each row and re-checks its conditions on the row it locked (so a concurrent change wins), and its
# `old` is the status it replaced. `chosen` yields `id` and `touched` (the ageing's keyset; NULL otherwise), and
# `{recheck}` re-applies the choice's conditions to the locked row.
_CHANGE = """
WITH chosen AS MATERIALIZED ({chosen}), changed AS (
    UPDATE customer c SET relationship_status_id = {{}}::uuid, updated_at = now()
    WHERE c.tenant_id = {{}} AND c.id = ANY(ARRAY(SELECT id FROM chosen))
      AND c.relationship_status_id IS DISTINCT FROM {{}}::uuid {recheck}
    RETURNING c.id, c.code, old.relationship_status_id AS from_status_id, c.relationship_status_id AS to_status_id,
              {{}}::text AS by, {{}}::text AS by_kind, {{}}::uuid AS actor_id, {{}}::uuid AS support_staff_id,
              now() AS at
), recorded AS (
    INSERT INTO customer_status_change
        (tenant_id, customer_id, from_status_id, to_status_id, actor_kind, actor_id, support_staff_id)
    SELECT {{}}, id, from_status_id, to_status_id, by_kind, actor_id, support_staff_id FROM changed
), announced AS ({announce})
SELECT ARRAY(SELECT id FROM changed) AS changed,
       (SELECT touched FROM chosen ORDER BY touched DESC, id DESC LIMIT 1) AS last_touched,
       (SELECT id FROM chosen ORDER BY touched DESC, id DESC LIMIT 1) AS last_id
"""
_GIVEN = "SELECT unnest({}::uuid[]) AS id, NULL::timestamptz AS touched"
# The customers due for "Đừng quên": last touched (contacted, or created when never contacted) before the tenant's
# cut-off, not there already, and not at an excluded status. Only plain columns against leakproof operators, so
# under RLS they are index conditions on `customer_tenant_last_touch` (decisions §22).
_DUE = """c.last_touched_at < now() - make_interval(days => {})
  AND (c.relationship_status_id IS NULL OR c.relationship_status_id <> ALL({}::uuid[]))"""
# A slice: the next due rows in last-touch order after the previous slice's last row (the keyset the job carries).
_DUE_AFTER = ("FROM customer c WHERE c.tenant_id = {} AND c.relationship_status_id IS DISTINCT FROM {}::uuid AND "
              + _DUE + " AND (c.last_touched_at, c.id) > ({}::timestamptz, {}::uuid)")
_DUE_SLICE = ("SELECT c.id, c.last_touched_at AS touched " + _DUE_AFTER
              + " ORDER BY c.last_touched_at, c.id LIMIT {}")
_DUE_LEFT = "SELECT count(*) AS due " + _DUE_AFTER
_EXCLUDED = ("SELECT coalesce(array_agg(id), ARRAY[]::uuid[]) AS ids FROM relationship_status "
             "WHERE tenant_id = {} AND (system_key = ANY({}::text[]) OR id::text = ANY({}::text[]))")
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
START = (datetime.datetime.min.replace(tzinfo=datetime.UTC), uuid.UUID(int=0))
AGEING_SLICE = 10_000  # rows a job moves in one statement before it goes to the back of the queue (a few seconds)
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
    """Set the status of the given customers (set-based, for one customer or a bulk action) and record each
    change; a customer already at that status is left alone. The ids must already be the caller's to change.
    Returns the customers whose status changed."""
    if status_id is not None:
        await require_reference(RelationshipStatus, status_id, "relationship_status_id", "tình trạng quan hệ",
                                "Relationship status")
    changed, _ = await _change(_GIVEN, [list(customer_ids)], "", [], status_id)
    return changed


async def _change(chosen: str, chosen_args: list[Any], recheck: str, recheck_args: list[Any],
                  status_id: uuid.UUID | None) -> tuple[set[uuid.UUID], tuple[datetime.datetime, uuid.UUID] | None]:
    """Run `_CHANGE` over the customers `chosen` selects; returns those changed, and the last chosen row's
    keyset (None when none was chosen)."""
    tenant_id, actor = current_tenant_id(), audit.current_actor()
    statement = _CHANGE.format(chosen=chosen, recheck=recheck,
                               announce=emitting(CUSTOMER_STATUS_CHANGED, "changed"))
    [row] = await Customer.raw(statement, *chosen_args, status_id, tenant_id, status_id, *recheck_args,
                               "system" if actor.id is None else str(actor.id), actor.kind, actor.id,
                               actor.support_staff_id, tenant_id)
    if row["changed"]:
        emitted()
    last = None if row["last_id"] is None else (row["last_touched"], row["last_id"])
    return set(row["changed"]), last


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


async def age_to_dont_forget(slice_rows: int = AGEING_SLICE, after: tuple[datetime.datetime, uuid.UUID] = START,
                             ) -> tuple[int, int, tuple[datetime.datetime, uuid.UUID]]:
    """Move up to `slice_rows` of the tenant's customers left uncontacted past its setting to "Đừng quên", the
    next ones in last-touch order after `after`, in one statement: each move in the history and announced, and
    the slice in the audit log. A big tenant's job stops there and yields to the others, and runs again from
    where it stopped. Those already there are not due, so a second run moves nobody. Returns how many moved,
    how many are still due after this slice, and where the next slice starts."""
    tenant_id, target, settings = current_tenant_id(), await _dont_forget_id(), await get_contacts_settings()
    excluded = (await RelationshipStatus.raw(_EXCLUDED, tenant_id, settings.dont_forget_excluded,
                                             settings.dont_forget_excluded))[0]["ids"]
    due_args = [settings.dont_forget_after_days, excluded]
    changed, last = await _change(_DUE_SLICE, [tenant_id, target, *due_args, *after, slice_rows],
                                  f"AND {_DUE}", due_args, target)
    if changed:
        await audit.record("customer.dont_forget", "customer", actor=audit.SYSTEM, after={
            "relationship_status_id": str(target), "customer_ids": sorted(str(id_) for id_ in changed),
            "after_days": settings.dont_forget_after_days})
    if last is None:
        return 0, 0, after
    left = (await Customer.raw(_DUE_LEFT, tenant_id, target, *due_args, *last))[0]["due"]
    return len(changed), left, last


async def restore_after_contact(customer_id: uuid.UUID, contacted_at: datetime.datetime) -> bool:
    """A customer contacted after it was moved to "Đừng quên" goes back to the status it had before.
    Returns whether its status changed."""
    rows = await Customer.raw(_BEFORE_DONT_FORGET, DONT_FORGET, contacted_at, current_tenant_id(), customer_id)
    if not rows:
        return False
    return bool(await change_status([customer_id], rows[0]["status_id"]))
