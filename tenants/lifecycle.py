"""A tenant's lifecycle status, enforced on every request by the tenant middleware.

active: everything; read_only: reads only (writes answer 423); suspended, or being deleted: nothing (403).

The status is read per request, not carried in the token: a token lives up to 15 minutes and a suspension
must bite sooner. It is cached in Redis for a few seconds so a request costs one Redis GET, not a database
round trip, and whoever changes the status drops the cached value, so on one Redis the change is immediate.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Literal

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from infra.problems import ProblemError
from tenants import gate_mirror
from tenants.context import engine

Status = Literal["active", "read_only", "suspended", "deleting"]
CACHE_SECONDS = 5
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

TENANT_READ_ONLY = ProblemError(
    423, "tenant_read_only", "Công ty đang ở chế độ chỉ đọc: không thể thay đổi dữ liệu.",
    "This company is read-only: changes are not allowed.")
TENANT_SUSPENDED = ProblemError(
    403, "tenant_suspended", "Công ty đã bị tạm ngưng; vui lòng liên hệ bộ phận hỗ trợ.",
    "This company is suspended; please contact support.")
IMPERSONATION_READ_ONLY = ProblemError(
    403, "forbidden", "Phiên hỗ trợ này chỉ được đọc, không được thay đổi dữ liệu.",
    "This support session is read-only: it may not change data.")


def cache_key(tenant_id: uuid.UUID) -> str:
    return f"crm:tenant-status:{tenant_id}"


async def tenant_status(redis: aioredis.Redis, tenant_id: uuid.UUID, cached: str | None) -> str | None:
    """The tenant's status, or None when there is no such tenant (deleted). `cached` is what the request
    gate read from Redis ("" caches "no such tenant"); only when it is missing is the database asked."""
    if cached is not None:
        return cached or None
    pool = engine().pool
    assert pool is not None  # started by the service's runtime
    async with pool.acquire() as connection:  # identity's tenant directory (a platform table, no RLS)
        status: str | None = await connection.fetchval("SELECT status FROM tenant WHERE id = $1", tenant_id)
    with contextlib.suppress(RedisError):
        await redis.set(cache_key(tenant_id), status or "", ex=CACHE_SECONDS)
    return status


async def forget_status(redis: aioredis.Redis, tenant_id: uuid.UUID) -> None:
    """Call after a status change commits, so the next request reads the new status."""
    await redis.delete(cache_key(tenant_id))
    await gate_mirror.status_changed(redis, tenant_id)


def check_access(status: str | None, method: str, read_only_session: bool, open_when_read_only: bool = False) -> None:
    """`open_when_read_only`: a route a read-only company must still reach (paying, to become active again)."""
    if status in ("suspended", "deleting", None):
        raise TENANT_SUSPENDED
    if method not in SAFE_METHODS:
        if status == "read_only" and not open_when_read_only:
            raise TENANT_READ_ONLY
        if read_only_session:
            raise IMPERSONATION_READ_ONLY
