"""Activity reminders (due soon, overdue) and members' in-app notifications.

A reminder is a notification row, unique per activity, kind and deadline: the job inserts the rows that do
not exist yet and mails only those it inserted, so each reminder goes out once, whether the job runs twice or
two workers race, and once more only when the activity is rescheduled. The mail goes through identity's
outbox in the same transaction, sent after the commit.

An activity's deadline is its instant, or for an all-day one the end of its day in the company's zone: it is
due soon when the deadline is within the next `hours`, overdue once the deadline has passed.
"""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any

import msgspec

from infra.problems import NotFoundError
from services.identity.service import mail
from services.pipeline.schemas import NotificationOut
from services.pipeline.tables import Notification
from tenants import audit
from tenants.context import after_commit, current_tenant_id
from tenants.locale import tenant_time_zone
from tenants.pagination import Page, decode_cursor, page_of

DUE_SOON, OVERDUE = "activity_due_soon", "activity_overdue"
REMIND_HOURS = 24
REMINDER_BATCH = 500
NOTIFICATION_NOT_FOUND = NotFoundError("thông báo", "Notification")
# Open activities not yet reminded of `kind` for their current deadline (the instant, or the end of an all-day
# one's day in the zone) whose deadline is in [from, until); `due_at` is never after the deadline, so it bounds
# the index scan. ON CONFLICT: a concurrent run reminded it first.
_REMIND = """
INSERT INTO notification (tenant_id, user_id, kind, activity_id, deadline)
SELECT a.tenant_id, a.assignee_id, {}, a.id, d.deadline FROM activity a
CROSS JOIN LATERAL (SELECT CASE WHEN a.all_day THEN (a.due_date + 1)::timestamp AT TIME ZONE {}
                                ELSE a.due_at END AS deadline) d
WHERE a.tenant_id = {} AND a.status = 'open' AND a.due_at < {} AND d.deadline >= {} AND d.deadline < {}
  AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.tenant_id = a.tenant_id AND n.activity_id = a.id
                  AND n.kind = {} AND n.deadline = d.deadline)
ORDER BY a.id LIMIT {}
ON CONFLICT (tenant_id, activity_id, kind, deadline) WHERE activity_id IS NOT NULL DO NOTHING
RETURNING id
"""
_MAIL_DETAILS = """
SELECT n.kind, u.email, u.full_name, u.language, a.summary, a.due_date, a.due_at, a.all_day
FROM notification n
JOIN activity a ON a.tenant_id = n.tenant_id AND a.id = n.activity_id
JOIN app_user u ON u.id = n.user_id
WHERE n.tenant_id = {} AND n.id = ANY({}) AND u.is_active
"""
_OUT = [Notification.id, Notification.kind, Notification.activity_id, Notification.created_at,
        Notification.read_at, Notification.activity_id.summary.as_alias("summary"),
        Notification.activity_id.due_at.as_alias("due_at")]
_EARLIEST = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


async def _remind(kind: str, zone: zoneinfo.ZoneInfo, since: datetime.datetime, until: datetime.datetime,
                  batch_size: int) -> int:
    tenant_id, sent = current_tenant_id(), 0
    while True:
        rows = await Notification.raw(_REMIND, kind, zone.key, tenant_id, until, since, until, kind, batch_size)
        if rows:
            await _mail([row["id"] for row in rows], zone)
        sent += len(rows)
        if len(rows) < batch_size:
            return sent


def _when(row: dict[str, Any], zone: zoneinfo.ZoneInfo) -> str:
    if row["all_day"]:
        return f"{row['due_date']:%d/%m/%Y}"
    return f"{row['due_at'].astimezone(zone):%d/%m/%Y %H:%M} ({zone.key})"


async def _mail(notification_ids: list[uuid.UUID], zone: zoneinfo.ZoneInfo) -> None:
    rows = await Notification.raw(_MAIL_DETAILS, current_tenant_id(), notification_ids)
    for row in rows:
        await mail.queue_mail(row["email"], row["language"], row["kind"], name=row["full_name"] or row["email"],
                              summary=" ".join(row["summary"].split()), when=_when(row, zone))
    if rows:
        after_commit(mail.enqueue_sender)


async def send_activity_reminders(hours: int = REMIND_HOURS, batch_size: int = REMINDER_BATCH) -> int:
    """Remind assignees of open activities due within `hours`, and of overdue ones, once each (in-app and by
    mail). Returns how many reminders it sent."""
    zone, now = await tenant_time_zone(), datetime.datetime.now(datetime.UTC)
    soon = await _remind(DUE_SOON, zone, now, now + datetime.timedelta(hours=hours), batch_size)
    overdue = await _remind(OVERDUE, zone, _EARLIEST, now, batch_size)
    if soon or overdue:
        await audit.record("activity.remind", "activity", actor=audit.SYSTEM,
                           after={"due_soon": soon, "overdue": overdue})
    return soon + overdue


async def list_notifications(user_id: uuid.UUID | None, unread: bool, limit: int,
                             cursor: str | None) -> Page[NotificationOut]:
    """The member's own notifications, newest first."""
    query = Notification.select(*_OUT).where(Notification.tenant_id == current_tenant_id(),
                                             Notification.user_id == user_id)
    if unread:
        query = query.where(Notification.read_at.is_null())
    if before := decode_cursor(cursor):
        query = query.where(Notification.id < before)
    rows = await query.order_by(Notification.id, ascending=False).limit(limit + 1)
    items = msgspec.convert(rows, list[NotificationOut])
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def mark_read(user_id: uuid.UUID | None, notification_id: uuid.UUID) -> NotificationOut:
    mine = ((Notification.tenant_id == current_tenant_id()) & (Notification.id == notification_id)
            & (Notification.user_id == user_id))
    await Notification.update({Notification.read_at: datetime.datetime.now(datetime.UTC)}).where(
        mine & Notification.read_at.is_null())
    row = await Notification.select(*_OUT).where(mine).first()
    if row is None:
        raise NOTIFICATION_NOT_FOUND
    return msgspec.convert(row, NotificationOut)
