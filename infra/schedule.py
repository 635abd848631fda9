"""Periodic work declared in code, and the scheduler loop that enqueues it (DESIGN §6).

Time is cut into periods (every N seconds since the epoch, or days starting at a UTC hour). On each tick the
loop claims the period that `now` falls in with `SET NX` on a key naming it, and enqueues the work only if
the claim is its own: with several scheduler processes, each period runs once. Only the current period is
ever claimed, so after downtime the work runs once for the period it comes back in, not once per missed one.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from rq.job import Job

from infra.jobs import for_each_active_tenant, queue, redis_connection
from webhooks.jobs import reap_lost_work

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Periodic:
    """`func(*args)` on `queue_name`, every `every` or each day at `daily_at_hour` (UTC); exactly one is set."""

    name: str
    func: Callable[..., Any]
    args: tuple[Any, ...] = ()
    queue_name: str = "default"
    every: datetime.timedelta | None = None
    daily_at_hour: int | None = None
    length: datetime.timedelta = field(init=False)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at_hour is None):
            raise ValueError(f"{self.name}: give either `every` or `daily_at_hour`")
        if self.daily_at_hour is not None and not 0 <= self.daily_at_hour < 24:
            raise ValueError(f"{self.name}: `daily_at_hour` is an hour of the day, 0 to 23")
        object.__setattr__(self, "length", self.every or _DAY)

    def period(self, now: datetime.datetime) -> str:
        """The name of the period `now` falls in; a daily period starts at its hour, so before that hour it is
        still the previous day's."""
        if self.daily_at_hour is not None:
            return (now.astimezone(datetime.UTC) - datetime.timedelta(hours=self.daily_at_hour)).date().isoformat()
        return str((now - _EPOCH) // self.length)


SCHEDULES: tuple[Periodic, ...] = (
    # 18:00 UTC is 01:00 in Việt Nam: customers move to "Đừng quên" overnight.
    Periodic("contacts.dont_forget", for_each_active_tenant, args=("services.contacts.jobs:age_statuses",),
             daily_at_hour=18),
    # Credit holds for invoices that fell due, and rebates of discount targets whose period ended.
    Periodic("partners.daily", for_each_active_tenant, args=("services.partners.jobs:daily_credit_and_targets",),
             daily_at_hour=18),
    # Dashboards read roll-ups plus pending deltas; folding keeps the pending part small.
    Periodic("reporting.fold", for_each_active_tenant, args=("services.reporting.jobs:fold_rollups",),
             every=datetime.timedelta(minutes=5)),
    # Deliveries and outbox rows that no job carries (a killed worker, Redis down at commit) go out again.
    Periodic("webhooks.reap", reap_lost_work, queue_name="webhooks", every=datetime.timedelta(minutes=1)),
)


def tick(now: datetime.datetime, connection: redis.Redis,
         schedules: tuple[Periodic, ...] = SCHEDULES) -> list[Job]:
    """Enqueue each periodic work whose current period no scheduler has claimed yet; returns what it enqueued."""
    enqueued = []
    for periodic in schedules:
        period = periodic.period(now)
        # Kept two periods: by then `now` is past this period for good, so the key is never asked again.
        claimed = connection.set(f"crm:schedule:{periodic.name}:{period}", now.isoformat(), nx=True,
                                 ex=int(2 * periodic.length.total_seconds()))
        if claimed:
            enqueued.append(queue(periodic.queue_name, connection).enqueue(
                periodic.func, *periodic.args, description=f"{periodic.name} for period {period}"))
    return enqueued


def run_scheduler(poll_seconds: float = 30, once: bool = False, stop: threading.Event | None = None) -> None:
    """Tick now and then every `poll_seconds` until `stop` is set (or once)."""
    connection, stop = redis_connection(), stop or threading.Event()
    while True:
        tick(datetime.datetime.now(datetime.UTC), connection)
        if once or stop.wait(poll_seconds):
            return
