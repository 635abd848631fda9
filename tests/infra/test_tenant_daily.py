"""Daily tenant work at each tenant's own hour in its own zone, through the hourly fan-out run by a real worker on
a real Redis: one run per tenant per local day, made up once after downtime."""

from __future__ import annotations

import datetime
import subprocess
import sys
import uuid
import zoneinfo

import redis
from rq import Queue

from infra.schedule import TenantDaily, fan_out_daily, local_day
from tests import conftest
from tests.infra.test_schedule import scheduler_redis_url  # noqa: F401 - the fixture

SETTINGS = "/api/identity/v1/tenant/settings"
COUNT = TenantDaily("test.daily", "services.contacts.jobs:count_customers", queue_name="reports")


def tick(stack: conftest.TestStack, redis_url: str, now: str) -> set[uuid.UUID]:
    """One hourly fan-out at `now`, run by a real worker; the tenants whose daily job it enqueued (taken off the
    queue, so the next tick starts empty)."""
    connection = redis.Redis.from_url(redis_url)
    Queue("default", connection=connection).enqueue(fan_out_daily, now, dailies=(COUNT,))
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env={**stack.env, "CRM_REDIS_URL": redis_url}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    daily = Queue("reports", connection=connection)
    tenants = {uuid.UUID(job.args[0]) for job in daily.get_jobs()}
    daily.empty()
    return tenants


async def test_each_tenant_runs_once_a_local_day_at_its_hour(client, stack, scheduler_redis_url,  # noqa: F811
                                                              tenant_a, tenant_b):
    response = await client.patch(SETTINGS, headers=tenant_b.headers,
                                  json={"time_zone": "Europe/Berlin", "daily_jobs_hour": 3})
    assert response.status_code == 200, response.text
    both = {tenant_a.tenant_id, tenant_b.tenant_id}

    def ran(now: str) -> set[uuid.UUID]:
        return tick(stack, scheduler_redis_url, now) & both

    # A new tenant's current day has not run yet: the first tick runs it (the 1st in both zones).
    assert ran("2026-11-01T17:30:00+00:00") == both
    assert ran("2026-11-01T17:59:00+00:00") == set()
    assert ran("2026-11-01T18:05:00+00:00") == {tenant_a.tenant_id}  # 01:05 in Hồ Chí Minh: the 2nd begins
    assert ran("2026-11-01T23:00:00+00:00") == set()
    assert ran("2026-11-02T02:05:00+00:00") == {tenant_b.tenant_id}  # 03:05 in Berlin
    # Down from the 2nd until the 5th at 10:00 UTC: each tenant makes up its day once, not once per missed day.
    assert ran("2026-11-05T10:00:00+00:00") == both
    assert ran("2026-11-05T11:00:00+00:00") == set()
    # Moving the hour later the same day does not run the day again.
    response = await client.patch(SETTINGS, headers=tenant_a.headers, json={"daily_jobs_hour": 20})
    assert response.status_code == 200, response.text
    assert ran("2026-11-05T13:05:00+00:00") == set()  # 20:05 there: the 5th has run already
    # 19:05 on the 6th there: its day begins at 20:00 now (Berlin, past 03:00, runs its 6th)
    assert ran("2026-11-06T12:05:00+00:00") == {tenant_b.tenant_id}
    assert ran("2026-11-06T13:05:00+00:00") == {tenant_a.tenant_id}


def test_a_local_day_starts_at_the_tenants_hour():
    saigon, berlin = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"), zoneinfo.ZoneInfo("Europe/Berlin")
    at = datetime.datetime(2026, 11, 1, 17, 59, tzinfo=datetime.UTC)
    assert local_day(at, saigon, 1) == datetime.date(2026, 11, 1)  # 00:59 on the 2nd: still the 1st's day
    assert local_day(at + datetime.timedelta(minutes=1), saigon, 1) == datetime.date(2026, 11, 2)
    assert local_day(at, berlin, 3) == datetime.date(2026, 11, 1)
    # Summer time: 03:00 in Berlin is 01:00 UTC in July.
    assert local_day(datetime.datetime(2026, 7, 2, 1, 0, tzinfo=datetime.UTC), berlin, 3) == datetime.date(2026, 7, 2)
