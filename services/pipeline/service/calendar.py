"""Calendars: a member's or a sales team's activities for a day, a week (from Monday) or a month, in the
company's time zone; and each member's private iCalendar feed.

A range is whole local days: from the first day's local midnight to the local midnight after the last day,
so a day across a DST change is 23 or 25 hours long and month ends fall where the company sees them. An
all-day activity is in the range when its date is; a timed one when its instant is.

The feed URL carries a secret token: the tenant's id (22 characters, base64url) then a random secret. The
route is public: the token alone says whose feed it is, looked up by its SHA-256 inside that tenant's
transaction; a regenerated token makes the old URL answer 404.
"""

from __future__ import annotations

import base64
import binascii
import calendar as month_calendar
import datetime
import hashlib
import secrets
import uuid
from typing import Any

import icalendar

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings
from services.identity.tables import Membership, SalesTeam, SalesTeamMember, Tenant
from services.pipeline.schemas import CalendarFeedOut, CalendarOut, CalendarView
from services.pipeline.service.activities import COLUMNS, OWNERSHIP, local_midnight, outs
from services.pipeline.tables import Activity, CalendarFeed
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id, tenant_transaction
from tenants.locale import tenant_time_zone

FEED_NOT_FOUND = NotFoundError("lịch", "Calendar feed")
TEAM_NOT_FOUND = NotFoundError("nhóm bán hàng", "Sales team")
# How far the feed reaches back and ahead: enough for a calendar app, bounded for a large history.
FEED_PAST = datetime.timedelta(days=90)
FEED_AHEAD = datetime.timedelta(days=400)
_TENANT_PART = 22  # base64url of 16 bytes, unpadded
# An all-day activity's `due_at` is its day's start in the zone of when it was scheduled; the zone may have
# changed since, so the instant bound that lets the index narrow the scan is widened by this much.
_ZONE_SLACK = datetime.timedelta(hours=27)


def day_range(view: CalendarView, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the `view` around `day`; weeks start on Monday."""
    if view == "day":
        return day, day
    if view == "week":
        first = day - datetime.timedelta(days=day.weekday())
        return first, first + datetime.timedelta(days=6)
    return day.replace(day=1), day.replace(day=month_calendar.monthrange(day.year, day.month)[1])


def _in_range(first: datetime.date, last: datetime.date, starts_at: datetime.datetime,
              ends_at: datetime.datetime) -> list[Any]:
    return [Activity.due_at >= starts_at - _ZONE_SLACK, Activity.due_at < ends_at + _ZONE_SLACK,
            (Activity.all_day.eq(True) & (Activity.due_date >= first) & (Activity.due_date <= last))
            | (Activity.all_day.eq(False) & (Activity.due_at >= starts_at) & (Activity.due_at < ends_at))]


async def _team_member_ids(team_id: uuid.UUID) -> list[uuid.UUID]:
    """The team's members and its leader (identity's tables, read only); 404 unless the tenant's."""
    tenant_id = current_tenant_id()
    team = await SalesTeam.select(SalesTeam.leader_id).where(
        (SalesTeam.tenant_id == tenant_id) & (SalesTeam.id == team_id)).first()
    if team is None:
        raise TEAM_NOT_FOUND
    rows = await SalesTeamMember.select(SalesTeamMember.user_id).where(
        (SalesTeamMember.tenant_id == tenant_id) & (SalesTeamMember.team_id == team_id))
    return list({row["user_id"] for row in rows} | ({team["leader_id"]} if team["leader_id"] else set()))


async def calendar_of(access: Access, view: CalendarView, day: datetime.date | None, user_id: uuid.UUID | None,
                      team_id: uuid.UUID | None) -> CalendarOut:
    """A team's activities (`team_id`), a member's (`user_id`), or else the caller's; only those the caller
    sees, cancelled ones left out; by due time."""
    member = user_id or access.user_id
    if team_id is not None:
        assignees = await _team_member_ids(team_id)
    elif member is not None:
        assignees = [member]
    else:
        raise ProblemError(422, "validation_error", "Cần chọn thành viên hoặc nhóm.", "Name a member or a team.",
                           errors=[("user_id", "required", "Cần chọn thành viên", "A member is required")])
    zone = await tenant_time_zone()
    first, last = day_range(view, day or datetime.datetime.now(zone).date())
    starts_at, ends_at = local_midnight(first, zone), local_midnight(last + datetime.timedelta(days=1), zone)
    rows = await Activity.select(*COLUMNS).where(
        Activity.tenant_id == current_tenant_id(), Activity.assignee_id.is_in(assignees),
        Activity.status != "cancelled", *_in_range(first, last, starts_at, ends_at),
        *visible_to(access, OWNERSHIP)).order_by(Activity.due_at).order_by(Activity.id)
    return CalendarOut(view=view, time_zone=zone.key, first_day=first, last_day=last, starts_at=starts_at,
                       ends_at=ends_at, items=await outs(rows))


# -- the private iCalendar feed ----------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url}/api/pipeline/v1/calendar/feed/{token}.ics"


def _member(user_id: uuid.UUID | None) -> uuid.UUID:
    if user_id is None:
        raise ProblemError(403, "forbidden", "Chỉ thành viên mới có lịch riêng.", "Only a member has a calendar feed.")
    return user_id


async def issue_feed(settings: Settings, user_id: uuid.UUID | None) -> CalendarFeedOut:
    """A new secret URL for the member's feed; any earlier one stops working."""
    tenant_id, user_id = current_tenant_id(), _member(user_id)
    token = base64.urlsafe_b64encode(tenant_id.bytes).decode().rstrip("=") + secrets.token_urlsafe(32)
    rows = await CalendarFeed.raw(
        "INSERT INTO calendar_feed (tenant_id, user_id, token_hash) VALUES ({}, {}, {}) "
        "ON CONFLICT (tenant_id, user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now(), "
        "updated_at = now() RETURNING id, created_at", tenant_id, user_id, _hash(token))
    await audit.record("calendar_feed.issue", "calendar_feed", rows[0]["id"], after={"user_id": str(user_id)})
    return CalendarFeedOut(url=feed_url(settings, token), created_at=rows[0]["created_at"])


async def revoke_feed(user_id: uuid.UUID | None) -> None:
    rows = await CalendarFeed.raw("DELETE FROM calendar_feed WHERE tenant_id = {} AND user_id = {} RETURNING id",
                                  current_tenant_id(), _member(user_id))
    if not rows:
        raise FEED_NOT_FOUND
    await audit.record("calendar_feed.revoke", "calendar_feed", rows[0]["id"], before={"user_id": str(user_id)})


def _tenant_of(token: str) -> uuid.UUID:
    try:
        return uuid.UUID(bytes=base64.urlsafe_b64decode(token[:_TENANT_PART] + "=="))
    except (binascii.Error, ValueError):
        raise FEED_NOT_FOUND from None


async def feed_calendar(token: str) -> bytes:
    """The iCalendar document of the feed `token` opens: its member's activities, cancelled ones marked so
    (a subscribed calendar then drops them). 404 for an unknown or revoked token, a member who left, or a
    company that is suspended."""
    token = token.removesuffix(".ics")
    if len(token) <= _TENANT_PART or len(token) > 100:
        raise FEED_NOT_FOUND
    tenant_id = _tenant_of(token)
    async with tenant_transaction(tenant_id):
        feed = await CalendarFeed.select(CalendarFeed.user_id).where(
            (CalendarFeed.tenant_id == tenant_id) & (CalendarFeed.token_hash == _hash(token))).first()
        if feed is None or not await _may_read(tenant_id, feed["user_id"]):
            raise FEED_NOT_FOUND
        now = datetime.datetime.now(datetime.UTC)
        rows = await Activity.select(*COLUMNS).where(
            Activity.tenant_id == tenant_id, Activity.assignee_id == feed["user_id"],
            Activity.due_at >= now - FEED_PAST, Activity.due_at < now + FEED_AHEAD).order_by(Activity.due_at)
        activities = await outs(rows)
    document = icalendar.Calendar()
    document.add("prodid", "-//CRM//Activities//VI")
    document.add("version", "2.0")
    document.add("x-wr-calname", "CRM")
    for activity in activities:
        event = icalendar.Event()
        event.add("uid", f"{activity.id}@crm")
        event.add("summary", activity.summary)
        if activity.note:
            event.add("description", activity.note)
        if activity.all_day:
            event.add("dtstart", activity.due_date)
            event.add("dtend", activity.due_date + datetime.timedelta(days=1))
        else:
            event.add("dtstart", activity.due_at)
            event.add("dtend", activity.due_at + datetime.timedelta(minutes=30))
        event.add("dtstamp", activity.updated_at)
        event.add("status", "CANCELLED" if activity.status == "cancelled" else "CONFIRMED")
        event.add("categories", [activity.category])
        document.add_component(event)
    ical: bytes = document.to_ical()
    return ical


async def _may_read(tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    working = await Tenant.exists().where((Tenant.id == tenant_id) & Tenant.status.is_in(["active", "read_only"]))
    member = await Membership.exists().where((Membership.tenant_id == tenant_id) & (Membership.user_id == user_id)
                                             & Membership.is_active.eq(True))
    return bool(working and member)
