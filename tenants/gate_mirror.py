"""This process's copy of what the request gate asks Redis, so most requests ask nothing.

Redis stays the source of truth (docs/decisions.md §7, §8): revocation markers, tenant statuses and
rate-limit buckets live there. Each process subscribes to one channel; whoever revokes a session or key, or
changes a tenant's status, writes Redis and then publishes, and every process applies the message to its
copy. On (re)subscribing, the copy is rebuilt from Redis after the subscription is in place, so nothing
published in between is missed. While not subscribed (start-up, Redis gone) the copy is not trusted and
every request asks Redis as before.

Rate limits: tokens are still taken from the shared bucket in Redis, but a few at a time (a lease of at most
2 % of the limit); this process spends them locally. Across N processes a caller may run ahead of its bucket
by at most N leases; with small limits the lease is one token, exactly as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Literal

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

logger = logging.getLogger("crm.gate_mirror")

CHANNEL = "crm:gate"
REVOKED_PREFIX = "crm:revoked:"  # every revocation marker's name starts with this
STATUS_SECONDS = 30.0  # a status is re-read this often even without a message: a bound on a lost one
LEASE_SECONDS = 60.0
_RESYNC_BATCH = 500


class GateMessage(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["revoke", "status"]
    keys: list[str] = []  # revoke: the markers set
    ttl: int = 0  # revoke: their lifetime in seconds
    tenant_id: uuid.UUID | None = None  # status: whose status changed


class _Lease(msgspec.Struct):
    tokens: int
    until: float


class GateMirror:
    def __init__(self) -> None:
        self.ready = False
        self._revoked: dict[str, float] = {}  # marker -> monotonic expiry
        self._statuses: dict[uuid.UUID, tuple[float, str]] = {}  # "" caches "no such tenant"
        self._leases: dict[str, _Lease] = {}
        self._task: asyncio.Task[None] | None = None
        self._users = 0

    # -- the fast path -----------------------------------------------------------------------------------
    def is_revoked(self, marker: str | None) -> bool:
        expiry = self._revoked.get(marker) if marker else None
        return expiry is not None and expiry > time.monotonic()

    def status(self, tenant_id: uuid.UUID) -> str | None:
        cached = self._statuses.get(tenant_id)
        return cached[1] if cached and cached[0] > time.monotonic() else None

    def take(self, bucket: str) -> bool:
        lease = self._leases.get(bucket)
        if lease is None or lease.tokens < 1 or lease.until < time.monotonic():
            return False
        lease.tokens -= 1
        return True

    # -- learning ----------------------------------------------------------------------------------------
    def remember_status(self, tenant_id: uuid.UUID, status: str | None) -> None:
        if self.ready:
            self._statuses[tenant_id] = (time.monotonic() + STATUS_SECONDS, status or "")

    def lease(self, bucket: str, tokens: int) -> None:
        if self.ready and tokens > 0:
            self._leases[bucket] = _Lease(tokens, time.monotonic() + LEASE_SECONDS)

    def apply(self, message: GateMessage) -> None:
        if message.kind == "revoke":
            expiry = time.monotonic() + message.ttl
            self._revoked.update(dict.fromkeys(message.keys, expiry))
            self._forget_expired()
        elif message.tenant_id is not None:
            self._statuses.pop(message.tenant_id, None)

    def _forget_expired(self) -> None:
        now = time.monotonic()
        for marker in [marker for marker, expiry in self._revoked.items() if expiry <= now]:
            del self._revoked[marker]

    # -- the subscription --------------------------------------------------------------------------------
    async def acquire(self, redis_url: str) -> None:
        """Start following the channel (once per process, however many apps share it)."""
        self._users += 1
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._follow(redis_url))

    async def release(self) -> None:
        self._users -= 1
        if self._users == 0 and self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            self._reset()

    def _reset(self) -> None:
        self.ready = False
        self._revoked.clear()
        self._statuses.clear()
        self._leases.clear()

    async def _follow(self, redis_url: str) -> None:
        while True:
            redis = aioredis.Redis.from_url(redis_url, socket_connect_timeout=1)
            try:
                async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    await self._resync(redis)
                    self.ready = True
                    async for raw in pubsub.listen():
                        self.apply(msgspec.json.decode(raw["data"], type=GateMessage))
            except (RedisError, OSError, msgspec.DecodeError) as exc:
                logger.warning("request gate mirror lost Redis, asking Redis per request until back: %s", exc)
            finally:
                self._reset()
                await redis.aclose()
            await asyncio.sleep(1)

    async def _resync(self, redis: aioredis.Redis) -> None:
        self._reset()
        now = time.monotonic()
        batch: list[bytes] = []
        async for marker in redis.scan_iter(match=f"{REVOKED_PREFIX}*", count=_RESYNC_BATCH):
            batch.append(marker)
            if len(batch) == _RESYNC_BATCH:
                await self._load_markers(redis, batch, now)
                batch = []
        await self._load_markers(redis, batch, now)

    async def _load_markers(self, redis: aioredis.Redis, markers: list[bytes], now: float) -> None:
        if not markers:
            return
        async with redis.pipeline(transaction=False) as pipe:
            for marker in markers:
                pipe.pttl(marker)
            ttls = await pipe.execute()
        for marker, ttl in zip(markers, ttls, strict=True):
            if ttl != -2:  # -2: gone since the scan; -1: no expiry (kept for a day)
                self._revoked[marker.decode()] = now + (ttl / 1000 if ttl > 0 else 86_400)


MIRROR = GateMirror()


async def revoke(redis: aioredis.Redis, markers: list[str], ttl_seconds: int) -> None:
    """Set revocation markers in Redis, then tell every process; this one applies it at once."""
    if not markers:
        return
    async with redis.pipeline(transaction=False) as pipe:
        for marker in markers:
            pipe.set(marker, 1, ex=ttl_seconds)
        pipe.publish(CHANNEL, msgspec.json.encode(GateMessage(kind="revoke", keys=markers, ttl=ttl_seconds)))
        await pipe.execute()
    MIRROR.apply(GateMessage(kind="revoke", keys=markers, ttl=ttl_seconds))


async def status_changed(redis: aioredis.Redis, tenant_id: uuid.UUID) -> None:
    """Tell every process to read the tenant's status again."""
    message = GateMessage(kind="status", tenant_id=tenant_id)
    await redis.publish(CHANNEL, msgspec.json.encode(message))
    MIRROR.apply(message)
