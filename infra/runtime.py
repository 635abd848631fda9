"""What a running service holds: settings, the database pool, Redis and storage, and their readiness."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from infra.database import start_pool
from infra.settings import Settings
from infra.storage import TenantStorage
from tenants.context import engine
from tenants.gate_mirror import MIRROR

logger = logging.getLogger("crm.runtime")
_pool_users = 0
_pool_lock = asyncio.Lock()


async def acquire_pool(settings: Settings) -> None:
    """Start the shared pool on first use; several apps in one process (`crm serve all`) share it."""
    global _pool_users
    async with _pool_lock:
        if _pool_users == 0:
            await start_pool(engine(), settings)
        _pool_users += 1


async def release_pool() -> None:
    global _pool_users
    async with _pool_lock:
        _pool_users -= 1
        if _pool_users == 0:
            await engine().close_connection_pool()


@dataclass
class Runtime:
    settings: Settings
    redis: aioredis.Redis = field(init=False)
    storage: TenantStorage = field(init=False)

    async def start(self) -> None:
        self.redis = aioredis.Redis.from_url(self.settings.redis_url, socket_connect_timeout=1, socket_timeout=2)
        self.storage = TenantStorage(self.settings)
        try:
            await asyncio.to_thread(self.storage.ensure_bucket)
        except Exception as exc:  # S3 may come up later; /readyz reports it until then
            logger.warning("could not create bucket %s: %s", self.settings.s3_bucket, exc)
        await acquire_pool(self.settings)
        await MIRROR.acquire(self.settings.redis_url)

    async def stop(self) -> None:
        await MIRROR.release()
        await self.redis.aclose()
        await release_pool()

    async def readiness(self) -> dict[str, str]:
        """Each dependency's answer: "ok" or the error it gave within the timeout."""

        async def database() -> None:
            pool = engine().pool
            if pool is None:
                raise RuntimeError("the database pool is not started")
            async with pool.acquire() as connection:
                await connection.fetchval("SELECT 1")

        async def redis_ping() -> None:
            await self.redis.ping()

        async def s3() -> None:
            await asyncio.to_thread(self.storage.ping)

        checks: dict[str, Callable[[], Awaitable[None]]] = {"database": database, "redis": redis_ping, "s3": s3}
        results = await asyncio.gather(*(self._check(check) for check in checks.values()))
        return dict(zip(checks, results, strict=True))

    async def _check(self, check: Callable[[], Awaitable[None]]) -> str:
        try:
            await asyncio.wait_for(check(), self.settings.readiness_timeout_seconds)
        except Exception as exc:  # any failure means "not ready"; the message says which
            return f"error: {type(exc).__name__}: {exc}"[:200]
        return "ok"
