"""Brute-force protection on login, kept in Redis per email (not on the user row, so that an email with no
account is throttled the same way and nothing tells an attacker which emails exist).

From the third failure within 15 minutes the next attempt must wait (1 s, then 2 s); the fifth failure
locks the email for 15 minutes. While waiting or locked every attempt, even with the right password, is
answered 429 with `Retry-After`. A successful login, or a password reset, clears the count.
"""

from __future__ import annotations

import hashlib

import redis.asyncio as aioredis

from infra.problems import ProblemError

FAILURE_WINDOW_SECONDS = 900
BACKOFF_FROM_FAILURE = 3
LOCK_AFTER_FAILURES = 5
LOCK_SECONDS = 900
_PREFIX = "identity:login:"


def _keys(email: str) -> tuple[str, str]:
    """(failure count, blocked-until) keys; the email is hashed so Redis holds no addresses."""
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"{_PREFIX}failures:{digest}", f"{_PREFIX}blocked:{digest}"


async def check_allowed(redis: aioredis.Redis, email: str) -> None:
    _, blocked = _keys(email)
    wait = int(await redis.ttl(blocked))
    if wait > 0:
        raise ProblemError(429, "rate_limited",
                           f"Đăng nhập sai quá nhiều lần; vui lòng thử lại sau {wait} giây.",
                           f"Too many failed logins; try again in {wait} seconds.",
                           headers={"Retry-After": str(wait)})


async def record_failure(redis: aioredis.Redis, email: str) -> None:
    failures, blocked = _keys(email)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.set(failures, 0, ex=FAILURE_WINDOW_SECONDS, nx=True)  # the window starts at the first failure
        pipe.incr(failures)
        _, count = await pipe.execute()
    if count >= LOCK_AFTER_FAILURES:
        async with redis.pipeline(transaction=True) as pipe:
            pipe.set(blocked, 1, ex=LOCK_SECONDS)
            pipe.delete(failures)  # after the lock the count starts again
            await pipe.execute()
    elif count >= BACKOFF_FROM_FAILURE:
        await redis.set(blocked, 1, ex=2 ** (count - BACKOFF_FROM_FAILURE))


async def clear(redis: aioredis.Redis, email: str) -> None:
    await redis.delete(*_keys(email))
