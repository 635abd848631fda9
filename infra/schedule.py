"""Periodic work declared in code, and the scheduler loop that enqueues it (DESIGN §6).

Time is cut into periods (every N seconds since the epoch, or days starting at a UTC hour). On each tick the
loop claims the period that `now` falls in with `SET NX` on a key naming it, and enqueues the work only if
the claim is its own: with several scheduler processes, each period runs once. Only the current period is
ever claimed, so after downtime the work runs once for the period it comes back in, not once per missed one.

Daily per-tenant work (`TENANT_DAILY`) runs at each tenant's own hour: an hourly fan-out claims, per tenant, the
tenant's current local day (a day that starts at its `daily_jobs_hour` in its `time_zone`) and enqueues the
tenant's job only with that claim. The first tick at or after the hour runs it; after downtime the next tick
makes up the day once; a second tick in the same day, or a changed hour, finds the day claimed.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from rq.job import Job

from infra.jobs import (
    enqueue_for_tenant,
    for_each_active_tenant,
    imported,
    prune_job_runs,
    queue,
    redis_connection,
    rescue_and_clean,
    working_tenants,
)
from services.identity.jobs import end_grace_periods
from tenants.locale import DEFAULT_TIME_ZONE
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
            return local_day(now, zoneinfo.ZoneInfo("UTC"), self.daily_at_hour).isoformat()
        return str((now - _EPOCH) // self.length)


@dataclass(frozen=True)
class TenantDaily:
    """`target` ("module:function", a tenant job) once a day for each tenant in use, at the tenant's hour."""

    name: str
    target: str
    queue_name: str = "default"


TENANT_DAILY: tuple[TenantDaily, ...] = (
    # Customers move to "Đừng quên" overnight (01:00 in the tenant's zone unless it chose another hour).
    TenantDaily("contacts.dont_forget", "services.contacts.jobs:age_statuses"),
    # Credit holds for invoices that fell due, and rebates of discount targets whose period ended.
    TenantDaily("partners.daily", "services.partners.jobs:daily_credit_and_targets"),
    # Likely duplicate customers stored for review (pairs sharing a value under the tenant's rules).
    TenantDaily("contacts.duplicates", "services.contacts.jobs:scan_duplicates"),
)
_DAILY_CLAIM = datetime.timedelta(days=3)  # past any local day's end and a change of zone


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)


def local_day(now: datetime.datetime, zone: zoneinfo.ZoneInfo, hour: int) -> datetime.date:
    """The tenant's daily period `now` falls in: before its hour it is still the previous local day's."""
    return (now.astimezone(zone) - datetime.timedelta(hours=hour)).date()


def daily_claim_key(daily: TenantDaily, tenant_id: object, day: datetime.date) -> str:
    return f"crm:daily:{daily.name}:{tenant_id}:{day.isoformat()}"


def fan_out_daily(now_iso: str | None = None, dailies: tuple[TenantDaily, ...] = TENANT_DAILY) -> int:
    """The hourly fan-out of daily tenant work (`now_iso` lets tests set the clock): claims each tenant's local
    day in one pipelined round trip, and enqueues the claimed ones. Returns how many it enqueued."""
    now = datetime.datetime.fromisoformat(now_iso) if now_iso else datetime.datetime.now(datetime.UTC)
    tenants, connection = asyncio.run(working_tenants()), redis_connection()
    wanted = [(daily, tenant.id, local_day(now, zone_named(tenant.time_zone), tenant.daily_jobs_hour))
              for daily in dailies for tenant in tenants]
    pipeline = connection.pipeline(transaction=False)
    for daily, tenant_id, day in wanted:
        pipeline.set(daily_claim_key(daily, tenant_id, day), now.isoformat(), nx=True,
                     ex=int(_DAILY_CLAIM.total_seconds()))
    claimed = [want for want, mine in zip(wanted, pipeline.execute(), strict=True) if mine]
    for daily, tenant_id, _ in claimed:
        enqueue_for_tenant(tenant_id, imported(daily.target), queue_name=daily.queue_name, connection=connection)
    return len(claimed)


SCHEDULES: tuple[Periodic, ...] = (
    Periodic("tenants.daily", fan_out_daily, every=datetime.timedelta(hours=1)),
    # Dashboards read roll-ups plus pending deltas; folding keeps the pending part small.
    Periodic("reporting.fold", for_each_active_tenant, args=("services.reporting.jobs:fold_rollups",),
             every=datetime.timedelta(minutes=5)),
    # Deliveries and outbox rows that no job carries (a killed worker, Redis down at commit) go out again.
    Periodic("webhooks.reap", reap_lost_work, queue_name="webhooks", every=datetime.timedelta(minutes=1)),
    # Tenant job runs a dead worker left (their slot lease ran out) go back on their queue; rq's own cleanup too.
    Periodic("jobs.rescue", rescue_and_clean, every=datetime.timedelta(minutes=1)),
    # Finished job runs older than `job_runs_keep_days` go.
    Periodic("jobs.prune_runs", prune_job_runs, daily_at_hour=20),
    # Past-due companies whose grace period ended, and ended trials, become read-only.
    Periodic("billing.end_grace", end_grace_periods, every=datetime.timedelta(minutes=15)),
    # Activity reminders go out within a quarter of an hour of becoming due; the chain's safety net hourly.
    Periodic("pipeline.activity_reminders", for_each_active_tenant,
             args=("services.pipeline.jobs:remind_activities",), every=datetime.timedelta(minutes=15)),
    Periodic("pipeline.next_activities", for_each_active_tenant,
             args=("services.pipeline.jobs:schedule_missed_next_activities",), every=datetime.timedelta(hours=1)),
    # Hourly, so each tenant's calendar day turns within the hour in its own time zone; both are no-ops once done.
    Periodic("pipeline.quotation_expiry", for_each_active_tenant, args=("services.pipeline.jobs:expire_quotations",),
             every=datetime.timedelta(hours=1)),
    Periodic("pipeline.contracts", for_each_active_tenant, args=("services.pipeline.jobs:contracts_daily",),
             every=datetime.timedelta(hours=1)),
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
