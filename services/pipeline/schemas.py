"""Request and response bodies of pipeline."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec

StageName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    probability: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    is_won: bool = False


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    sequence: int
    probability: int
    is_won: bool


# -- activities (issue 6, items 2 and 3) -------------------------------------------------------------------

ActivityCategory = Literal["call", "meeting", "email", "todo", "upload_document"]
DelayUnit = Literal["days", "weeks", "months"]
DelayFrom = Literal["completion", "deadline"]  # the completion date, or the previous activity's deadline
Chaining = Literal["none", "trigger", "suggest"]
RecordType = Literal["customer", "opportunity", "quotation", "contract"]
ActivityStatus = Literal["open", "done", "cancelled"]
ActivityState = Literal["planned", "today", "overdue", "done", "cancelled"]
Summary = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Note = Annotated[str, msgspec.Meta(max_length=10_000)]
DelayCount = Annotated[int, msgspec.Meta(ge=0, le=999)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ActivityTypeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    category: ActivityCategory
    default_summary: Summary | None = None
    default_note: Note | None = None
    default_assignee_id: uuid.UUID | None = None
    delay_count: DelayCount = 0
    delay_unit: DelayUnit = "days"
    delay_from: DelayFrom = "completion"
    chaining: Chaining = "none"
    next_type_id: uuid.UUID | None = None  # required when chaining is trigger or suggest


class ActivityTypeUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    category: ActivityCategory | msgspec.UnsetType = msgspec.UNSET
    default_summary: Summary | msgspec.UnsetType | None = msgspec.UNSET
    default_note: Note | msgspec.UnsetType | None = msgspec.UNSET
    default_assignee_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    delay_count: DelayCount | msgspec.UnsetType = msgspec.UNSET
    delay_unit: DelayUnit | msgspec.UnsetType = msgspec.UNSET
    delay_from: DelayFrom | msgspec.UnsetType = msgspec.UNSET
    chaining: Chaining | msgspec.UnsetType = msgspec.UNSET
    next_type_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    position: Annotated[int, msgspec.Meta(ge=0, le=10_000)] | msgspec.UnsetType = msgspec.UNSET


class ActivityTypeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    category: ActivityCategory
    default_summary: str | None
    default_note: str | None
    default_assignee_id: uuid.UUID | None
    delay_count: int
    delay_unit: DelayUnit
    delay_from: DelayFrom
    chaining: Chaining
    next_type_id: uuid.UUID | None
    position: int
    is_active: bool


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    record_type: RecordType
    record_id: uuid.UUID
    type_id: uuid.UUID
    summary: Summary | None = None  # the type's default summary, else its name
    note: Note | None = None  # the type's default note
    assignee_id: uuid.UUID | None = None  # the type's default assignee, else the caller
    due_date: datetime.date | None = None  # today plus the type's delay
    due_time: datetime.time | None = None  # "HH:MM:SS", in `time_zone` unless it has an offset; none: all day
    time_zone: TimeZoneName | None = None  # of `due_time`; the company's zone by default


class ActivityUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Summary | msgspec.UnsetType = msgspec.UNSET
    note: Note | msgspec.UnsetType | None = msgspec.UNSET
    assignee_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    due_date: datetime.date | msgspec.UnsetType = msgspec.UNSET  # with `due_time`/`time_zone`: a reschedule
    due_time: datetime.time | msgspec.UnsetType | None = msgspec.UNSET
    time_zone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET


class ActivityDone(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    feedback: Note | None = None


class ActivityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    record_type: RecordType
    record_id: uuid.UUID
    type_id: uuid.UUID
    category: ActivityCategory
    summary: str
    note: str | None
    assignee_id: uuid.UUID
    due_date: datetime.date  # the local date in the company's zone
    due_at: datetime.datetime
    all_day: bool
    status: ActivityStatus
    state: ActivityState
    feedback: str | None
    done_at: datetime.datetime | None
    done_by: uuid.UUID | None
    cancelled_at: datetime.datetime | None
    created_from_activity_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NextActivitySuggestion(msgspec.Struct, kw_only=True):
    """What a `suggest` type proposes after it is done: schedule it with `POST /activities` if wanted."""

    type_id: uuid.UUID
    name_vi: str
    name_en: str
    due_date: datetime.date


class ActivityCompletion(msgspec.Struct, kw_only=True):
    activity: ActivityOut
    next_activity: ActivityOut | None  # created by a `trigger` type
    suggested_next: NextActivitySuggestion | None  # proposed by a `suggest` type


CalendarView = Literal["day", "week", "month"]


class CalendarOut(msgspec.Struct, kw_only=True):
    view: CalendarView
    time_zone: str
    first_day: datetime.date
    last_day: datetime.date
    starts_at: datetime.datetime  # the first day's local midnight, in UTC
    ends_at: datetime.datetime  # the local midnight after the last day, in UTC
    items: list[ActivityOut]


class CalendarFeedOut(msgspec.Struct, kw_only=True):
    url: str  # shown once: it holds the secret token
    created_at: datetime.datetime


class NotificationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    activity_id: uuid.UUID | None
    summary: str | None
    due_at: datetime.datetime | None
    created_at: datetime.datetime
    read_at: datetime.datetime | None
