"""Calendar handlers: day, week and month views, and the private iCalendar feed."""

from __future__ import annotations

import datetime
import uuid

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from infra.runtime import Runtime
from services.pipeline.schemas import CalendarFeedOut, CalendarOut, CalendarView
from services.pipeline.service import calendar
from tenants.access import CallerAccess, requires

READ = [requires("activities:read")]


class CalendarController(Controller):
    path = "/calendar"
    tags = ["calendar"]

    @get(guards=READ, summary="A member's (default: the caller's) or a team's activities for the day, week "
                              "(Monday to Sunday) or month around `date`, in the company's time zone")
    async def calendar_view(self, access: CallerAccess, view: FromQuery[CalendarView] = "week",
                            date: FromQuery[datetime.date | None] = None, user_id: FromQuery[uuid.UUID | None] = None,
                            team_id: FromQuery[uuid.UUID | None] = None) -> CalendarOut:
        return await calendar.calendar_of(access, view, date, user_id, team_id)

    @post("/feed", guards=READ, status_code=201, opt={"shows_secret_once": True},
          summary="A new private iCalendar URL for the caller's activities (shown once; the old one stops working)")
    async def issue_feed(self, runtime: NamedDependency[Runtime], access: CallerAccess) -> CalendarFeedOut:
        return await calendar.issue_feed(runtime.settings, access.user_id)

    @delete("/feed", guards=READ, summary="Stop the caller's iCalendar URL")
    async def revoke_feed(self, access: CallerAccess) -> None:
        await calendar.revoke_feed(access.user_id)

    @get("/feed/{token:str}", opt={"public": True}, media_type="text/calendar; charset=utf-8",
         summary="The iCalendar document behind a private feed URL (no login: the URL's token opens it)")
    async def feed(self, token: FromPath[str]) -> Response[bytes]:
        return Response(await calendar.feed_calendar(token), media_type="text/calendar; charset=utf-8")
