"""Activities on a record: scheduling, rescheduling and cancelling (completing: `completion`).

Every function runs inside the caller's tenant transaction and filters by tenant (the first wall; RLS is the
second). An activity belongs to its assignee, and the team and branch they sat in when it was assigned, so
the caller's data visibility applies to it as to a customer: one the caller does not see answers 404.

Dates are the company's: "today", an all-day activity's date and the state (planned, today, overdue) are in
the tenant's time zone (`tenants.locale`).
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from collections.abc import Sequence
from typing import Any

import msgspec
from piccolo.columns import UUID

from infra.problems import NotFoundError, ProblemError, invalid
from services.identity.service.org import placement_of
from services.pipeline.events import (
    ACTIVITY_CANCELLED,
    ACTIVITY_CREATED,
    ACTIVITY_RESCHEDULED,
    activity_data,
)
from services.pipeline.schemas import ActivityCreate, ActivityOut, ActivityTypeOut, ActivityUpdate
from services.pipeline.service import records
from services.pipeline.service.activity_types import active_type, add_delay
from services.pipeline.tables import Activity
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.locale import tenant_time_zone
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

ACTIVITY_NOT_FOUND = NotFoundError("hoạt động", "Activity")
NOT_OPEN = ProblemError(409, "conflict", "Hoạt động đã hoàn thành hoặc đã huỷ.",
                        "The activity is already done or cancelled.")
_STORED = [name for name in ActivityOut.__struct_fields__ if name not in ("category", "state")]
COLUMNS: list[Any] = [*(getattr(Activity, name) for name in _STORED), Activity.type_id.category.as_alias("category")]
# The only insert: a next activity (`created_from_activity_id` set) is created once per completion whoever
# tries, a request or the safety-net job.
_INSERT = """
INSERT INTO activity (tenant_id, record_type, record_id, type_id, summary, note, assignee_id, team_id, branch_id,
                      due_date, due_at, all_day, created_from_activity_id)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (tenant_id, created_from_activity_id) WHERE created_from_activity_id IS NOT NULL DO NOTHING
RETURNING id
"""


class _AssigneeOwns:
    """Visibility's view of an activity (`tenants.access.OwnedTable`): its assignee owns it."""

    def __init__(self) -> None:
        self.owner_id: UUID = Activity.assignee_id
        self.team_id: UUID = Activity.team_id
        self.branch_id: UUID = Activity.branch_id


OWNERSHIP = _AssigneeOwns()


class Due(msgspec.Struct, frozen=True):
    due_date: datetime.date
    due_at: datetime.datetime
    all_day: bool


def local_midnight(day: datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """The start of `day` in `zone`, in UTC."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=zone).astimezone(datetime.UTC)


def today(zone: zoneinfo.ZoneInfo) -> datetime.date:
    return datetime.datetime.now(zone).date()


def _invalid(field: str, code: str, vi: str, en: str) -> ProblemError:
    return invalid([(field, code, vi, en)])


def _zone_named(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _invalid("time_zone", "invalid", "Múi giờ không hợp lệ (ví dụ Asia/Ho_Chi_Minh)",
                       "Unknown time zone (for example Asia/Ho_Chi_Minh)") from None


def due(day: datetime.date, at: datetime.time | None, time_zone: str | None, zone: zoneinfo.ZoneInfo) -> Due:
    """All day on the company's `day`, or at `at` on `day` in `time_zone` (the company's by default)."""
    if at is None:
        return Due(due_date=day, due_at=local_midnight(day, zone), all_day=True)
    # A time with its own offset ("09:30:00+07:00") keeps it; otherwise it is in `time_zone` or the company's.
    moment = datetime.datetime.combine(day, at, tzinfo=at.tzinfo or (_zone_named(time_zone) if time_zone else zone))
    return Due(due_date=moment.astimezone(zone).date(), due_at=moment.astimezone(datetime.UTC), all_day=False)


def _state(row: dict[str, Any], zone: zoneinfo.ZoneInfo, now_date: datetime.date) -> str:
    if row["status"] != "open":
        return str(row["status"])
    day = row["due_date"] if row["all_day"] else row["due_at"].astimezone(zone).date()
    return "overdue" if day < now_date else "today" if day == now_date else "planned"


async def outs(rows: Sequence[dict[str, Any]]) -> list[ActivityOut]:
    """Rows selected with `COLUMNS`, with their state as of now in the company's zone."""
    zone = await tenant_time_zone()
    now_date = today(zone)
    return [msgspec.convert({**row, "state": _state(row, zone, now_date)}, ActivityOut) for row in rows]


async def fetch(activity_id: uuid.UUID, *visibility: Any) -> ActivityOut:
    row = await Activity.select(*COLUMNS).where(
        Activity.tenant_id == current_tenant_id(), Activity.id == activity_id, *visibility).first()
    if row is None:
        raise ACTIVITY_NOT_FOUND
    return (await outs([row]))[0]


async def get_activity(access: Access, activity_id: uuid.UUID) -> ActivityOut:
    return await fetch(activity_id, *visible_to(access, OWNERSHIP))


async def list_activities(access: Access, limit: int, cursor: str | None, record_type: str | None,
                          record_id: uuid.UUID | None, assignee_id: uuid.UUID | None,
                          status: str | None) -> Page[ActivityOut]:
    query = Activity.select(*COLUMNS).where(Activity.tenant_id == current_tenant_id(),
                                            *visible_to(access, OWNERSHIP))
    for column, value in ((Activity.record_type, record_type), (Activity.record_id, record_id),
                          (Activity.assignee_id, assignee_id), (Activity.status, status)):
        if value is not None:
            query = query.where(column == value)
    if after := decode_cursor(cursor):
        query = query.where(Activity.id > after)
    items = await outs(await query.order_by(Activity.id).limit(limit + 1))
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _placement(assignee_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None]:
    placement = await placement_of(assignee_id)
    if placement is None:
        raise _invalid("assignee_id", "not_found", "Không có thành viên này trong công ty",
                       "No such member in this company")
    return placement.team_id, placement.branch_id


async def insert_activity(*, record_type: str, record_id: uuid.UUID, activity_type: ActivityTypeOut, summary: str,
                          note: str | None, assignee_id: uuid.UUID, team_id: uuid.UUID | None,
                          branch_id: uuid.UUID | None, when: Due,
                          created_from: uuid.UUID | None = None) -> ActivityOut | None:
    """Insert, audit and announce an activity; None when `created_from` already has its next activity."""
    rows = await Activity.raw(_INSERT, current_tenant_id(), record_type, record_id, activity_type.id, summary, note,
                              assignee_id, team_id, branch_id, when.due_date, when.due_at, when.all_day,
                              created_from)
    if not rows:
        return None
    created = await fetch(rows[0]["id"])
    await audit.record("activity.create", "activity", created.id, after=created)
    await emit(ACTIVITY_CREATED, activity_data(created))
    return created


async def create_activity(access: Access, data: ActivityCreate) -> ActivityOut:
    activity_type = await active_type(data.type_id, "type_id")
    await records.require_record(access, data.record_type, data.record_id)
    assignee_id = data.assignee_id or activity_type.default_assignee_id or access.user_id
    if assignee_id is None:  # an API key acts for nobody: it names the assignee
        raise _invalid("assignee_id", "required", "Cần chọn người thực hiện", "An assignee is required")
    team_id, branch_id = await _placement(assignee_id)
    zone = await tenant_time_zone()
    when = due(data.due_date or add_delay(today(zone), activity_type), data.due_time, data.time_zone, zone)
    created = await insert_activity(
        record_type=data.record_type, record_id=data.record_id, activity_type=activity_type,
        summary=(data.summary or activity_type.default_summary or activity_type.name_vi).strip(),
        note=data.note if data.note is not None else activity_type.default_note, assignee_id=assignee_id,
        team_id=team_id, branch_id=branch_id, when=when)
    assert created is not None, "only a next activity can conflict"
    return created


async def _open(access: Access, activity_id: uuid.UUID) -> ActivityOut:
    activity = await get_activity(access, activity_id)
    if activity.status != "open":
        raise NOT_OPEN
    return activity


async def update_activity(access: Access, activity_id: uuid.UUID, data: ActivityUpdate) -> ActivityOut:
    """Change an open activity; a new due date or time is a reschedule (`activity.rescheduled`)."""
    before = await _open(access, activity_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.summary, msgspec.UnsetType):
        changes[Activity.summary] = data.summary.strip()
    if not isinstance(data.note, msgspec.UnsetType):
        changes[Activity.note] = data.note
    if not isinstance(data.assignee_id, msgspec.UnsetType):
        changes[Activity.assignee_id] = data.assignee_id
        changes[Activity.team_id], changes[Activity.branch_id] = await _placement(data.assignee_id)
    if any(not isinstance(value, msgspec.UnsetType) for value in (data.due_date, data.due_time, data.time_zone)):
        zone = await tenant_time_zone()
        keep_time = None if before.all_day else before.due_at.astimezone(zone).time()
        when = due(before.due_date if isinstance(data.due_date, msgspec.UnsetType) else data.due_date,
                   keep_time if isinstance(data.due_time, msgspec.UnsetType) else data.due_time,
                   None if isinstance(data.time_zone, msgspec.UnsetType) else data.time_zone, zone)
        changes |= {Activity.due_date: when.due_date, Activity.due_at: when.due_at, Activity.all_day: when.all_day}
    if not changes:
        return before
    await Activity.update(changes).where((Activity.tenant_id == current_tenant_id()) & (Activity.id == activity_id))
    after = await fetch(activity_id)
    await audit.record("activity.update", "activity", activity_id, before=before, after=after)
    if (after.due_at, after.due_date, after.all_day) != (before.due_at, before.due_date, before.all_day):
        await emit(ACTIVITY_RESCHEDULED, activity_data(after))
    return after


async def cancel_activity(access: Access, activity_id: uuid.UUID) -> ActivityOut:
    before = await _open(access, activity_id)
    await Activity.update({Activity.status: "cancelled", Activity.cancelled_at: datetime.datetime.now(datetime.UTC)}
                          ).where((Activity.tenant_id == current_tenant_id()) & (Activity.id == activity_id)
                                  & (Activity.status == "open"))
    after = await fetch(activity_id)
    if after.status != "cancelled":  # completed meanwhile
        raise NOT_OPEN
    await audit.record("activity.cancel", "activity", activity_id, before=before, after=after)
    await emit(ACTIVITY_CANCELLED, activity_data(after))
    return after

