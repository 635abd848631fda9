"""The scheduler on a real Redis: each period's work is enqueued once, however many schedulers tick, and a
missed period runs once after downtime."""

from __future__ import annotations

import datetime
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
import redis
from rq import Queue
from rq.job import Job

from infra.jobs import for_each_active_tenant
from infra.schedule import SCHEDULES, Periodic, tick
from tests import conftest
from tests.conftest import sign_up
from tests.identity.support_helpers import support_headers

UTC = datetime.UTC
HOURLY = Periodic("test.hourly", for_each_active_tenant, args=("services.contacts.jobs:count_customers",),
                  every=datetime.timedelta(hours=1))
NIGHTLY = Periodic("test.nightly", for_each_active_tenant, args=("services.contacts.jobs:count_customers",),
                   daily_at_hour=18)


@pytest.fixture
def scheduler_redis_url(stack: conftest.TestStack) -> Iterator[str]:
    """A Redis database of its own, so what the schedulers enqueue here is never run by other tests' workers."""
    url = stack.redis_url.rsplit("/", 1)[0] + "/2"
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


def test_two_racing_schedulers_enqueue_each_period_once(scheduler_redis_url):
    start = datetime.datetime(2026, 11, 1, 0, 3, tzinfo=UTC)
    timeline = [start + datetime.timedelta(minutes=7 * n) for n in range(60)]  # 7 hours: 7 periods
    in_step = threading.Barrier(2)
    enqueued: list[list[Job]] = [[], []]

    def scheduler(mine: list[Job]) -> None:
        connection = redis.Redis.from_url(scheduler_redis_url)
        for now in timeline:
            in_step.wait(timeout=10)  # both tick the same moment, so they race for every claim
            mine.extend(tick(now, connection, (HOURLY,)))

    threads = [threading.Thread(target=scheduler, args=(mine,)) for mine in enqueued]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    descriptions = [job.description for mine in enqueued for job in mine]
    assert len(descriptions) == len(set(descriptions)) == 7
    assert Queue("default", connection=redis.Redis.from_url(scheduler_redis_url)).count == 7


def test_after_downtime_a_missed_period_runs_once(scheduler_redis_url):
    connection = redis.Redis.from_url(scheduler_redis_url)

    def ticked(day: int, hour: int) -> int:
        return len(tick(datetime.datetime(2026, 11, day, hour, tzinfo=UTC), connection, (NIGHTLY,)))

    assert ticked(1, 19) == 1  # the 1st's run, from 18:00
    assert ticked(1, 23) == 0
    assert ticked(2, 17) == 0  # before 18:00 it is still the 1st's period
    # Down from the 2nd to the 5th at 10:00: the periods of the 2nd, 3rd and 4th were missed; one run makes up.
    assert ticked(5, 10) == 1
    assert ticked(5, 12) == 0
    assert ticked(5, 18) == 1  # the 5th's own run
    assert Queue("default", connection=connection).count == 3


def test_a_period_is_a_whole_number_of_intervals_or_a_day_from_its_hour():
    assert NIGHTLY.period(datetime.datetime(2026, 11, 2, 17, 59, tzinfo=UTC)) == "2026-11-01"
    assert NIGHTLY.period(datetime.datetime(2026, 11, 2, 18, 0, tzinfo=UTC)) == "2026-11-02"
    hour = datetime.datetime(2026, 11, 2, 5, tzinfo=UTC)
    assert HOURLY.period(hour) == HOURLY.period(hour + datetime.timedelta(minutes=59)) != HOURLY.period(
        hour - datetime.timedelta(seconds=1))
    with pytest.raises(ValueError, match="either"):
        Periodic("both", print, every=datetime.timedelta(hours=1), daily_at_hour=3)


def test_two_scheduler_processes_enqueue_the_declared_work_once(stack, scheduler_redis_url):
    env = {**stack.env, "CRM_REDIS_URL": scheduler_redis_url}
    processes = [subprocess.Popen([sys.executable, "-m", "infra.cli", "scheduler", "--once"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    jobs = Queue("default", connection=redis.Redis.from_url(scheduler_redis_url)).get_jobs()
    declared = [(f"{p.func.__module__}.{p.func.__qualname__}", p.args) for p in SCHEDULES if p.queue_name == "default"]
    assert ("infra.schedule.fan_out_daily", ()) in declared
    # Each once, though two schedulers ticked (in either's order: they may split the claims between them).
    assert sorted((job.func_name, job.args) for job in jobs) == sorted(declared)


async def test_the_fan_out_enqueues_one_job_per_tenant_in_use(client, stack, scheduler_redis_url, tenant_a, tenant_b):
    support = await support_headers(client, stack)
    suspended = await sign_up(client, "Công ty Tạm Ngưng")
    for tenant_id, status in ((tenant_a.tenant_id, "read_only"), (suspended.tenant_id, "suspended")):
        response = await client.patch(f"/api/identity/v1/support/tenants/{tenant_id}", headers=support,
                                      json={"status": status, "reason": "Kiểm tra lịch chạy"})
        assert response.status_code == 200, response.text
    connection = redis.Redis.from_url(scheduler_redis_url)
    fan_out = Queue("default", connection=connection).enqueue(
        for_each_active_tenant, "services.contacts.jobs:count_customers", queue_name="reports")
    # A worker on this Redis database and the default queue only: the tenant jobs wait in "reports" to be read.
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env={**stack.env, "CRM_REDIS_URL": scheduler_redis_url}, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    fan_out.refresh()
    tenant_jobs = Queue("reports", connection=connection).get_jobs()
    assert fan_out.return_value() == len(tenant_jobs)
    tenants = [job.args[0] for job in tenant_jobs]
    assert len(tenants) == len(set(tenants))
    assert {str(tenant_a.tenant_id), str(tenant_b.tenant_id)} <= set(tenants)
    assert str(suspended.tenant_id) not in tenants
    assert {job.args[1] for job in tenant_jobs} == {"services.contacts.jobs:count_customers"}
