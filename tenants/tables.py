"""The base of every tenant-owned table (DESIGN §3)."""

from __future__ import annotations

import datetime

from piccolo.columns import UUID, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tenants.ids import UUIDv7


def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


class TenantTable(Table):
    """Rows that belong to one tenant. `crm migrate` gives every subclass RLS (enabled, forced, with a
    policy) and a `(tenant_id, id)` index; ids are UUIDv7 so a tenant's rows can move between databases."""

    id = UUID(primary_key=True, default=UUIDv7())
    tenant_id = UUID(null=False, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), auto_update=_now)


class PlatformTable(Table):
    """Rows that belong to the platform, not to a tenant (tenants, users, plans). Only identity writes them."""

    id = UUID(primary_key=True, default=UUIDv7())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow(), auto_update=_now)
