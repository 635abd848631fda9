"""The current tenant's time zone, for calendars, "today" and daily jobs.

The zone is a column of identity's `tenant` row; it is read here by name so every service can ask without
depending on identity. It is kept a minute per process: a changed zone takes effect within that minute.
"""

from __future__ import annotations

import datetime
import time
import uuid
import zoneinfo

from piccolo.querystring import QueryString

from tenants.context import current_tenant_id, engine

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
_CACHE_SECONDS = 60.0
_zones: dict[uuid.UUID, tuple[float, zoneinfo.ZoneInfo]] = {}


async def tenant_time_zone(tenant_id: uuid.UUID | None = None) -> zoneinfo.ZoneInfo:
    """The zone of `tenant_id`, or of the current tenant."""
    tenant_id = tenant_id or current_tenant_id()
    cached = _zones.get(tenant_id)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = await engine().run_querystring(QueryString("SELECT time_zone FROM tenant WHERE id = {}", tenant_id))
    zone = zoneinfo.ZoneInfo(rows[0]["time_zone"] if rows else DEFAULT_TIME_ZONE)
    _zones[tenant_id] = (time.monotonic() + _CACHE_SECONDS, zone)
    return zone


def forget_time_zone(tenant_id: uuid.UUID) -> None:
    """Drop this process's copy after a change, so the next read sees the new zone."""
    _zones.pop(tenant_id, None)


async def tenant_today() -> datetime.date:
    """Today in the current tenant's own time zone: due, validity and end dates are the company's calendar days."""
    return datetime.datetime.now(await tenant_time_zone()).date()
