"""Completing an activity, and what its type schedules next (chaining).

A `trigger` type creates the next activity when one of it is done: same record and assignee, of the type's
`next_type_id`, all day on the date the next type's delay gives (from the completion date or from the done
activity's deadline). A `suggest` type only proposes it. Each completion creates at most one next activity,
even with loops in the chain (A → B → A) and concurrent completions: the completion itself is a conditional
update (one wins), and the next activity's `created_from_activity_id` is unique. The completion records the
type to chain to, so the safety-net job (`schedule_missed_next_activities`) can find completions whose next
activity is missing and create it, once.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError
from services.contacts.schemas import CustomerUpdate
from services.contacts.service.customers import update_customer
from services.pipeline.events import ACTIVITY_DONE, activity_data
from services.pipeline.schemas import ActivityCompletion, ActivityDone, ActivityOut, NextActivitySuggestion
from services.pipeline.service.activities import NOT_OPEN, OWNERSHIP, Due, fetch, insert_activity, local_midnight
from services.pipeline.service.activity_types import add_delay, get_activity_type
from services.pipeline.tables import Activity
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.locale import tenant_time_zone
from webhooks.outbox import emit

# Done calls, meetings and emails about a customer count as contact with it (contacts' "last contacted").
CONTACT_CATEGORIES = frozenset({"call", "meeting", "email"})
CHAIN_BATCH = 500
# Marks it done unless it is no longer open (a concurrent completion waits for the first, then finds it done),
# and records the type to chain to when its type triggers one that is still offered.
_COMPLETE = """
UPDATE activity a SET status = 'done', feedback = {}, done_at = now(), done_by = {}, updated_at = now(),
    chain_type_id = (SELECT n.id FROM activity_type t JOIN activity_type n ON n.tenant_id = t.tenant_id
                     AND n.id = t.next_type_id AND n.is_active
                     WHERE t.tenant_id = a.tenant_id AND t.id = a.type_id AND t.chaining = 'trigger')
WHERE a.tenant_id = {} AND a.id = {} AND a.status = 'open'
RETURNING a.id
"""
# Done activities that chain to a next one that does not exist.
_MISSING_NEXT = """
SELECT d.id FROM activity d
WHERE d.tenant_id = {} AND d.chain_type_id IS NOT NULL AND d.status = 'done'
  AND NOT EXISTS (SELECT 1 FROM activity n WHERE n.tenant_id = d.tenant_id AND n.created_from_activity_id = d.id)
ORDER BY d.id LIMIT {}
"""
_CHAINING_COLUMNS = (Activity.id, Activity.record_type, Activity.record_id, Activity.assignee_id, Activity.team_id,
                     Activity.branch_id, Activity.due_date, Activity.done_at, Activity.chain_type_id)


async def complete_activity(access: Access, activity_id: uuid.UUID, data: ActivityDone) -> ActivityCompletion:
    """Mark it done; a `trigger` type creates the next activity, a `suggest` type proposes it. A second or
    concurrent completion of the same activity is a 409 and creates nothing."""
    before = await fetch(activity_id, *visible_to(access, OWNERSHIP))
    if not await Activity.raw(_COMPLETE, data.feedback, access.user_id, current_tenant_id(), activity_id):
        raise NOT_OPEN
    activity = await fetch(activity_id)
    await audit.record("activity.done", "activity", activity_id, before=before, after=activity)
    await emit(ACTIVITY_DONE, activity_data(activity))
    if activity.record_type == "customer" and activity.category in CONTACT_CATEGORIES:
        await _count_as_contact(access, activity)
    created = await _create_next([activity_id])
    return ActivityCompletion(activity=activity, next_activity=created[0] if created else None,
                              suggested_next=await _suggestion(activity))


async def _count_as_contact(access: Access, activity: ActivityOut) -> None:
    """Through contacts' own update: its "last contacted" moves, and a "Đừng quên" customer goes back to its
    status. Whoever did the activity may not see the customer themselves; the contact counts all the same."""
    everyone = msgspec.structs.replace(access, visibility="all")
    with contextlib.suppress(NotFoundError):  # a customer deleted since: the activity is done all the same
        await update_customer(everyone, activity.record_id, CustomerUpdate(last_contacted_at=activity.done_at))


async def _base_date(delay_from: str, done: dict[str, Any]) -> datetime.date:
    """Where the next activity's delay starts: the done one's deadline, or the company's date it was done."""
    base: datetime.date = done["due_date"] if delay_from == "deadline" else done["done_at"].astimezone(
        await tenant_time_zone()).date()
    return base


async def _create_next(done_ids: list[uuid.UUID]) -> list[ActivityOut]:
    """The next activity of each of these done activities that chains to one and has none yet."""
    rows = await Activity.select(*_CHAINING_COLUMNS).where(
        Activity.tenant_id == current_tenant_id(), Activity.id.is_in(done_ids), Activity.chain_type_id.is_not_null())
    zone, created = await tenant_time_zone(), []
    for done in rows:
        next_type = await get_activity_type(done["chain_type_id"])
        day = add_delay(await _base_date(next_type.delay_from, done), next_type)
        activity = await insert_activity(
            record_type=done["record_type"], record_id=done["record_id"], activity_type=next_type,
            summary=next_type.default_summary or next_type.name_vi, note=next_type.default_note,
            assignee_id=done["assignee_id"], team_id=done["team_id"], branch_id=done["branch_id"],
            when=Due(due_date=day, due_at=local_midnight(day, zone), all_day=True), created_from=done["id"])
        if activity is not None:
            created.append(activity)
    return created


async def _suggestion(activity: ActivityOut) -> NextActivitySuggestion | None:
    activity_type = await get_activity_type(activity.type_id)
    if activity_type.chaining != "suggest" or activity_type.next_type_id is None:
        return None
    next_type = await get_activity_type(activity_type.next_type_id)
    done = {"due_date": activity.due_date, "done_at": activity.done_at}
    return NextActivitySuggestion(type_id=next_type.id, name_vi=next_type.name_vi, name_en=next_type.name_en,
                                  due_date=add_delay(await _base_date(next_type.delay_from, done), next_type))


async def schedule_missed_next_activities(batch_size: int = CHAIN_BATCH) -> int:
    """The safety net: create the next activity of every completion that chains to one and lacks it (a
    completion written by something other than `complete_activity`, or a next activity lost). Returns how many
    it created; a second run creates none."""
    created = 0
    while True:
        rows = await Activity.raw(_MISSING_NEXT, current_tenant_id(), batch_size)
        if not rows:
            return created
        created += len(await _create_next([row["id"] for row in rows]))
        if len(rows) < batch_size:
            return created
