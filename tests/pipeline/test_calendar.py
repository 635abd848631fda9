"""Calendars in the company's time zone (Asia/Ho_Chi_Minh, and America/New_York across a DST change) across
month ends, a team's calendar under data visibility, and the private iCalendar feed read by a real parser."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
import icalendar

from tests.conftest import TenantUser
from tests.identity.members import add_member
from tests.pipeline.activity_helpers import ACTIVITIES, CALENDAR, TYPES, new_customer, schedule, set_time_zone


async def calendar(client: httpx.AsyncClient, user: TenantUser, **params: Any) -> dict[str, Any]:
    response = await client.get(CALENDAR, headers=user.headers, params=params)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def summaries(view: dict[str, Any]) -> list[str]:
    return [item["summary"] for item in view["items"]]


async def plan(client: httpx.AsyncClient, user: TenantUser, times: dict[str, tuple[str, str | None]],
               **body: Any) -> dict[str, dict[str, Any]]:
    """One activity per summary, on (date, local time or None for all day)."""
    todo = (await client.get(TYPES, headers=user.headers)).json()[3]
    customer = await new_customer(client, user)
    planned = {}
    for summary, (day, at) in times.items():
        planned[summary] = await schedule(client, user, customer["id"], todo["id"], summary=summary, due_date=day,
                                          **({"due_time": at} if at else {}), **body)
    return planned


async def test_month_end_in_ho_chi_minh_city(client, tenant_a):
    planned = await plan(client, tenant_a, {
        "31 cả ngày": ("2026-01-31", None), "31 lúc 23:30": ("2026-01-31", "23:30:00"),
        "1/2 cả ngày": ("2026-02-01", None), "1/2 lúc 00:30": ("2026-02-01", "00:30:00"),
        "30 huỷ": ("2026-01-30", None)})
    assert planned["31 lúc 23:30"]["due_at"] == "2026-01-31T16:30:00Z"
    assert planned["1/2 lúc 00:30"]["due_at"] == "2026-01-31T17:30:00Z"  # the same UTC day, another local month
    cancel = await client.post(f"{ACTIVITIES}/{planned['30 huỷ']['id']}/cancel", headers=tenant_a.headers)
    assert cancel.status_code == 200
    january = await calendar(client, tenant_a, view="month", date="2026-01-15")
    assert (january["time_zone"], january["first_day"], january["last_day"]) == (
        "Asia/Ho_Chi_Minh", "2026-01-01", "2026-01-31")
    assert (january["starts_at"], january["ends_at"]) == ("2025-12-31T17:00:00Z", "2026-01-31T17:00:00Z")
    assert summaries(january) == ["31 cả ngày", "31 lúc 23:30"]
    february = await calendar(client, tenant_a, view="month", date="2026-02-28")
    assert (february["first_day"], february["last_day"]) == ("2026-02-01", "2026-02-28")
    assert summaries(february) == ["1/2 cả ngày", "1/2 lúc 00:30"]
    week = await calendar(client, tenant_a, view="week", date="2026-01-28")  # a Wednesday: Monday 26 to Sunday 1
    assert (week["first_day"], week["last_day"]) == ("2026-01-26", "2026-02-01")
    assert summaries(week) == ["31 cả ngày", "31 lúc 23:30", "1/2 cả ngày", "1/2 lúc 00:30"]
    day = await calendar(client, tenant_a, view="day", date="2026-02-01")
    assert (day["starts_at"], day["ends_at"]) == ("2026-01-31T17:00:00Z", "2026-02-01T17:00:00Z")
    assert summaries(day) == ["1/2 cả ngày", "1/2 lúc 00:30"]


async def test_new_york_across_month_end_and_the_dst_change(client, tenant_b):
    await set_time_zone(client, tenant_b, "America/New_York")
    planned = await plan(client, tenant_b, {
        "Jan 31 23:30": ("2026-01-31", "23:30:00"), "Mar 8 all day": ("2026-03-08", None),
        "Mar 8 23:30": ("2026-03-08", "23:30:00"), "Mar 9 00:30": ("2026-03-09", "00:30:00")})
    assert planned["Jan 31 23:30"]["due_at"] == "2026-02-01T04:30:00Z"
    assert planned["Mar 8 23:30"]["due_at"] == "2026-03-09T03:30:00Z"  # daylight time from 8 March
    assert summaries(await calendar(client, tenant_b, view="month", date="2026-01-01")) == ["Jan 31 23:30"]
    assert summaries(await calendar(client, tenant_b, view="month", date="2026-02-01")) == []
    week = await calendar(client, tenant_b, view="week", date="2026-03-08")  # a Sunday: its week began on the 2nd
    assert (week["first_day"], week["last_day"]) == ("2026-03-02", "2026-03-08")
    assert (week["starts_at"], week["ends_at"]) == ("2026-03-02T05:00:00Z", "2026-03-09T04:00:00Z")
    assert summaries(week) == ["Mar 8 all day", "Mar 8 23:30"]
    day = await calendar(client, tenant_b, view="day", date="2026-03-08")
    starts = datetime.datetime.fromisoformat(day["starts_at"])
    assert datetime.datetime.fromisoformat(day["ends_at"]) - starts == datetime.timedelta(hours=23)
    assert summaries(await calendar(client, tenant_b, view="day", date="2026-03-09")) == ["Mar 9 00:30"]


async def test_a_team_calendar_and_visibility(client, tenant_a, tenant_b):
    seller = await add_member(tenant_a, "salesperson", "Lê Cường")
    other = await add_member(tenant_a, "salesperson", "Phạm Dung")
    team = await client.post("/api/identity/v1/sales-teams", headers=tenant_a.headers,
                             json={"name": "Nhóm Hà Nội", "member_ids": [str(seller.user_id)]})
    assert team.status_code == 201, team.text
    await plan(client, tenant_a, {"Của Cường": ("2026-04-06", None)}, assignee_id=str(seller.user_id))
    await plan(client, tenant_a, {"Của Dung": ("2026-04-06", None)}, assignee_id=str(other.user_id))
    await plan(client, tenant_a, {"Của chủ": ("2026-04-06", None)})
    team_week = await calendar(client, tenant_a, view="week", date="2026-04-06", team_id=team.json()["id"])
    assert summaries(team_week) == ["Của Cường"]
    assert summaries(await calendar(client, seller, view="day", date="2026-04-06")) == ["Của Cường"]
    # A salesperson sees only their own: Dung's calendar is empty to Cường.
    assert summaries(await calendar(client, seller, view="day", date="2026-04-06",
                                    user_id=str(other.user_id))) == []
    assert summaries(await calendar(client, tenant_a, view="day", date="2026-04-06",
                                    user_id=str(other.user_id))) == ["Của Dung"]
    response = await client.get(CALENDAR, headers=tenant_b.headers, params={"team_id": team.json()["id"]})
    assert response.status_code == 404
    for params, field in (({"view": "year"}, "query.view"), ({"date": "2026-13-01"}, "query.date"),
                          ({"user_id": "x"}, "query.user_id")):
        response = await client.get(CALENDAR, headers=tenant_a.headers, params=params)
        assert response.status_code in (400, 422), response.text
        assert [error["field"] for error in response.json()["errors"]] == [field], response.text


async def test_the_private_feed_parses_as_icalendar(client, tenant_a, tenant_b):
    planned = await plan(client, tenant_a, {"Gặp khách ở Đà Nẵng": ("2026-12-03", "14:00:00"),
                                            "Gửi hợp đồng": ("2026-12-04", None)})
    issued = await client.post(f"{CALENDAR}/feed", headers=tenant_a.headers)
    assert issued.status_code == 201, issued.text
    path = urlsplit(issued.json()["url"]).path
    assert path.endswith(".ics")
    feed = await client.get(path)  # no login: the URL's token opens it
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(feed.content)
    events = {str(event["summary"]): event for event in parsed.walk("VEVENT")}
    assert set(events) == set(planned)
    meeting = events["Gặp khách ở Đà Nẵng"]
    assert meeting.decoded("dtstart") == datetime.datetime(2026, 12, 3, 7, 0, tzinfo=datetime.UTC)
    assert str(meeting["uid"]) == f"{planned['Gặp khách ở Đà Nẵng']['id']}@crm"
    assert events["Gửi hợp đồng"].decoded("dtstart") == datetime.date(2026, 12, 4)
    # Tenant B's feed does not show A's activities; a regenerated URL retires the old one.
    b_feed = await client.post(f"{CALENDAR}/feed", headers=tenant_b.headers)
    b_events = icalendar.Calendar.from_ical((await client.get(urlsplit(b_feed.json()["url"]).path)).content)
    assert list(b_events.walk("VEVENT")) == []
    again = await client.post(f"{CALENDAR}/feed", headers=tenant_a.headers)
    assert (await client.get(path)).status_code == 404
    assert (await client.get(urlsplit(again.json()["url"]).path)).status_code == 200
    tampered = path[:-10] + ("A" if path[-10] != "A" else "B") + path[-9:]
    assert (await client.get(tampered)).status_code == 404
    assert (await client.get(f"{CALENDAR}/feed/short.ics")).status_code == 404
    assert (await client.delete(f"{CALENDAR}/feed", headers=tenant_a.headers)).status_code == 204
    assert (await client.get(urlsplit(again.json()["url"]).path)).status_code == 404
