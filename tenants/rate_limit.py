"""Rate limits per caller (API key or user), a token bucket per caller in Redis, asked together with the
other per-request Redis questions in one round trip (`ask`).

The bucket holds `requests_per_minute` tokens and refills continuously at that rate; one Lua script reads,
refills, takes and writes it atomically, on Redis's own clock, so every process shares one bucket.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Awaitable
from typing import TYPE_CHECKING, cast

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import NoScriptError, RedisError

from infra.problems import ProblemError

if TYPE_CHECKING:
    from tenants.auth import Principal

logger = logging.getLogger("crm.rate_limit")

WINDOW_MS = 60_000

# KEYS[1]: the bucket; ARGV[1]: capacity (requests per minute). Returns {allowed 0|1, retry after ms}.
BUCKET_SCRIPT = """
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / window)
local allowed, retry = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) * window / capacity)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], window)
return {allowed, retry}
"""
_BUCKET_SCRIPT_SHA = hashlib.sha1(BUCKET_SCRIPT.encode(), usedforsecurity=False).hexdigest()


def bucket_key(principal: Principal) -> str:
    return f"crm:rate:{principal.kind}:{principal.tenant_id}:{principal.subject_id}"


async def _take(redis: aioredis.Redis, key: str, capacity: int) -> tuple[int, int]:
    reply = await cast("Awaitable[list[int]]", redis.eval(BUCKET_SCRIPT, 1, key, capacity, WINDOW_MS))
    return int(reply[0]), int(reply[1])


def too_many(limit: int, retry_ms: int) -> ProblemError:
    retry_after = max(1, math.ceil(retry_ms / 1000))
    return ProblemError(429, "rate_limited",
                        f"Vượt quá {limit} yêu cầu mỗi phút; thử lại sau {retry_after} giây.",
                        f"Over {limit} requests per minute; retry in {retry_after} s.",
                        headers={"Retry-After": str(retry_after)})


REDIS_DOWN = ProblemError(503, "service_unavailable", "Dịch vụ tạm thời không kiểm tra được phiên đăng nhập.",
                          "Sessions cannot be checked right now; please retry.", headers={"Retry-After": "5"})


class GateAnswer(msgspec.Struct):
    revoked: bool
    cached_status: str | None  # the tenant's cached lifecycle status; None when not cached
    bucket: tuple[int, int] | None  # (allowed, retry after ms); None when Redis did not answer it


async def ask(redis: aioredis.Redis, principal: Principal, status_key: str) -> GateAnswer:
    """Everything a request asks Redis, in one round trip: the tenant's cached status, whether the caller's
    session or key is revoked, and a token from the caller's bucket."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            pipe.get(status_key)
            pipe.exists(principal.revocation_key or "crm:never-revoked")
            if principal.requests_per_minute is not None:
                pipe.evalsha(_BUCKET_SCRIPT_SHA, 1, bucket_key(principal), principal.requests_per_minute, WINDOW_MS)
            replies = await pipe.execute(raise_on_error=False)
    except RedisError as exc:  # without Redis a revoked session cannot be told apart: refuse, briefly
        logger.warning("Redis failed during the request gate: %s", exc)
        raise REDIS_DOWN from exc
    status, revoked = replies[0], replies[1]
    if isinstance(status, Exception) or isinstance(revoked, Exception):
        raise REDIS_DOWN
    bucket = None
    if principal.requests_per_minute is not None:
        reply = replies[2]
        if isinstance(reply, NoScriptError):  # first request on this Redis: send the script itself
            bucket = await _take(redis, bucket_key(principal), principal.requests_per_minute)
        elif isinstance(reply, Exception):  # fail open: the limiter must not take the API down
            logger.warning("rate limit not applied, Redis failed: %s", reply)
        else:
            bucket = int(reply[0]), int(reply[1])
    decoded = status.decode() if isinstance(status, bytes) else status
    return GateAnswer(revoked=bool(revoked), cached_status=decoded, bucket=bucket)


def enforce_bucket(principal: Principal, answer: GateAnswer) -> None:
    if answer.bucket is not None and not answer.bucket[0] and principal.requests_per_minute is not None:
        raise too_many(principal.requests_per_minute, answer.bucket[1])
