"""Events pipeline emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from services.pipeline.schemas import ActivityOut
from webhooks.events import declare


class ActivityData(msgspec.Struct, kw_only=True):
    """An activity as integrations see it."""

    id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    type_id: uuid.UUID
    category: str
    summary: str
    assignee_id: uuid.UUID
    due_date: datetime.date
    due_at: datetime.datetime
    all_day: bool
    status: str
    feedback: str | None
    done_at: datetime.datetime | None
    done_by: uuid.UUID | None
    created_from_activity_id: uuid.UUID | None


def activity_data(activity: ActivityOut) -> ActivityData:
    fields = msgspec.structs.asdict(activity)
    return ActivityData(**{name: fields[name] for name in ActivityData.__struct_fields__})


ACTIVITY_CREATED = declare("activity.created", ActivityData, "Một hoạt động mới được lên lịch.",
                           "An activity was scheduled.")
ACTIVITY_DONE = declare("activity.done", ActivityData, "Một hoạt động đã hoàn thành.", "An activity was done.")
ACTIVITY_CANCELLED = declare("activity.cancelled", ActivityData, "Một hoạt động đã bị huỷ.",
                             "An activity was cancelled.")
ACTIVITY_RESCHEDULED = declare("activity.rescheduled", ActivityData, "Hạn của một hoạt động đã thay đổi.",
                               "An activity's due date or time changed.")
