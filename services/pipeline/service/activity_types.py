"""Activity types (loại hoạt động): what kind of activity it is, its defaults, its delay, and chaining.

Every tenant starts with the seeded types, inserted on first use by `ensure_activity_types` (idempotent: a
seeded type's key is unique per tenant, so a second or concurrent seeding does nothing). Types are archived,
never deleted: activities keep their type.

Chaining: a `trigger` type creates the next activity (of `next_type_id`) when one of it is done; a `suggest`
type proposes it. The next activity is due after the *next* type's delay, counted from the completion date
or from the previous activity's deadline, as that type says.
"""

from __future__ import annotations

import calendar
import datetime
import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.identity.service.org import placement_of
from services.pipeline.schemas import ActivityTypeCreate, ActivityTypeOut, ActivityTypeUpdate
from services.pipeline.tables import ActivityType
from tenants import audit
from tenants.context import current_tenant_id

# (seed key, Vietnamese name, English name, category)
SEEDED: tuple[tuple[str, str, str, str], ...] = (
    ("call", "Gọi điện", "Call", "call"),
    ("meeting", "Gặp mặt", "Meeting", "meeting"),
    ("email", "Gửi email", "Email", "email"),
    ("todo", "Việc cần làm", "To-do", "todo"),
    ("upload_document", "Tải lên tài liệu", "Upload document", "upload_document"),
)
_SEED = (
    "INSERT INTO activity_type (tenant_id, name_vi, name_en, category, position, seed_key) "
    "SELECT {}, s.name_vi, s.name_en, s.category, s.position, s.seed_key "
    "FROM unnest({}::text[], {}::text[], {}::text[], {}::text[], {}::int[]) "
    "AS s(seed_key, name_vi, name_en, category, position) "
    "ON CONFLICT (tenant_id, seed_key) WHERE seed_key IS NOT NULL DO NOTHING RETURNING id"
)
TYPE_NOT_FOUND = NotFoundError("loại hoạt động", "Activity type")
_COLUMNS = [getattr(ActivityType, name) for name in ActivityTypeOut.__struct_fields__]


def _mine() -> Any:
    return ActivityType.tenant_id == current_tenant_id()


def _invalid(field: str, code: str, vi: str, en: str) -> ProblemError:
    return invalid([(field, code, vi, en)])


async def ensure_activity_types() -> None:
    if await ActivityType.exists().where(_mine() & ActivityType.seed_key.is_not_null()):
        return
    keys, names_vi, names_en, categories = (list(column) for column in zip(*SEEDED, strict=True))
    seeded = await ActivityType.raw(_SEED, current_tenant_id(), keys, names_vi, names_en, categories,
                                    list(range(1, len(SEEDED) + 1)))
    if seeded:
        await audit.record("activity_type.seed", "activity_type", after={"names": names_vi}, actor=audit.SYSTEM)


async def list_activity_types(include_archived: bool) -> list[ActivityTypeOut]:
    await ensure_activity_types()
    query = ActivityType.select(*_COLUMNS).where(_mine())
    if not include_archived:
        query = query.where(ActivityType.is_active.eq(True))
    rows = await query.order_by(ActivityType.position).order_by(ActivityType.id)
    return msgspec.convert(rows, list[ActivityTypeOut])


async def get_activity_type(type_id: uuid.UUID) -> ActivityTypeOut:
    row = await ActivityType.select(*_COLUMNS).where(_mine() & (ActivityType.id == type_id)).first()
    if row is None:
        raise TYPE_NOT_FOUND
    return msgspec.convert(row, ActivityTypeOut)


async def active_type(type_id: uuid.UUID, field: str) -> ActivityTypeOut:
    """A type an activity or a chain may use: the tenant's and not archived (422 naming `field`)."""
    row = await ActivityType.select(*_COLUMNS).where(
        _mine() & (ActivityType.id == type_id) & ActivityType.is_active.eq(True)).first()
    if row is None:
        raise _invalid(field, "not_found", "Không có loại hoạt động này", "No such activity type")
    return msgspec.convert(row, ActivityTypeOut)


async def _check(chaining: str, next_type_id: uuid.UUID | None, default_assignee_id: uuid.UUID | None) -> None:
    if chaining != "none" and next_type_id is None:
        raise _invalid("next_type_id", "required", "Cần chọn loại hoạt động tiếp theo",
                       "A next activity type is required for chaining")
    if next_type_id is not None:
        await active_type(next_type_id, "next_type_id")  # loops (A → B → A, or A → A) are allowed
    if default_assignee_id is not None and await placement_of(default_assignee_id) is None:
        raise _invalid("default_assignee_id", "not_found", "Không có thành viên này trong công ty",
                       "No such member in this company")


async def create_activity_type(data: ActivityTypeCreate) -> ActivityTypeOut:
    await ensure_activity_types()
    await _check(data.chaining, data.next_type_id, data.default_assignee_id)
    last = await ActivityType.select(ActivityType.position).where(_mine()).order_by(
        ActivityType.position, ascending=False).first()
    fields = msgspec.structs.asdict(data)
    fields["name_vi"], fields["name_en"] = data.name_vi.strip(), data.name_en.strip()
    row = ActivityType(tenant_id=current_tenant_id(), position=(last["position"] + 1) if last else 1, **fields)
    await row.save()
    created = await get_activity_type(row.id)
    await audit.record("activity_type.create", "activity_type", row.id, after=created)
    return created


async def update_activity_type(type_id: uuid.UUID, data: ActivityTypeUpdate) -> ActivityTypeOut:
    before = await get_activity_type(type_id)
    given = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    after = msgspec.structs.replace(before, **given)
    if after == before:
        return before
    await _check(after.chaining, after.next_type_id, after.default_assignee_id)
    await ActivityType.update({ActivityType._meta.get_column_by_name(name): value for name, value in given.items()}
                              ).where(_mine() & (ActivityType.id == type_id))
    after = await get_activity_type(type_id)
    await audit.record("activity_type.update", "activity_type", type_id, before=before, after=after)
    return after


async def archive_activity_type(type_id: uuid.UUID) -> None:
    """Archived types are no longer offered; activities of the type keep it."""
    before = await get_activity_type(type_id)
    if before.is_active:
        await ActivityType.update({ActivityType.is_active: False}).where(_mine() & (ActivityType.id == type_id))
        await audit.record("activity_type.archive", "activity_type", type_id, before=before,
                           after=msgspec.structs.replace(before, is_active=False))


def add_delay(day: datetime.date, activity_type: ActivityTypeOut) -> datetime.date:
    """`day` plus the type's delay; a month later than the 31st is the last day of the shorter month."""
    count = activity_type.delay_count
    if activity_type.delay_unit == "days":
        return day + datetime.timedelta(days=count)
    if activity_type.delay_unit == "weeks":
        return day + datetime.timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
