"""Rate limits per caller (API key or user), a token bucket per caller in Redis.

The bucket holds `requests_per_minute` tokens and refills continuously at that rate; one Lua script reads,
refills, takes and writes it atomically, on Redis's own clock, so every process shares one bucket.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Awaitable
from typing import TYPE_CHECKING, cast

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
    try:
        reply = await cast("Awaitable[list[int]]", redis.evalsha(_BUCKET_SCRIPT_SHA, 1, key, capacity, WINDOW_MS))
    except NoScriptError:  # first call on this Redis (or after SCRIPT FLUSH): send the script itself
        reply = await cast("Awaitable[list[int]]", redis.eval(BUCKET_SCRIPT, 1, key, capacity, WINDOW_MS))
    return int(reply[0]), int(reply[1])


async def take(redis: aioredis.Redis, principal: Principal) -> None:
    """Take one token from the caller's bucket, or raise 429 with `Retry-After` (seconds)."""
    if principal.requests_per_minute is None:
        return
    try:
        allowed, retry_ms = await _take(redis, bucket_key(principal), principal.requests_per_minute)
    except RedisError as exc:  # fail open: an unreachable Redis must not take the whole API down
        logger.warning("rate limit not applied, Redis failed: %s", exc)
        return
    if not allowed:
        retry_after = max(1, math.ceil(retry_ms / 1000))
        limit = principal.requests_per_minute
        raise ProblemError(429, "rate_limited",
                           f"Vượt quá {limit} yêu cầu mỗi phút; thử lại sau {retry_after} giây.",
                           f"Over {limit} requests per minute; retry in {retry_after} s.",
                           headers={"Retry-After": str(retry_after)})
