"""The request gate: everything the tenant middleware asks Redis, in one command, when it must ask at all.

One Lua script, run atomically on Redis's own clock, answers three questions for each request: the tenant's
cached lifecycle status, whether the caller's session or key was revoked, and whether the caller may take a
token from its rate-limit bucket (a token bucket per API key or user that holds `requests_per_minute` tokens
and refills continuously, shared by every process). One `EVALSHA` costs one round trip and far less client
work than a pipeline of three commands. `check` first asks this process's mirror (`tenants.gate_mirror`),
which answers most requests without Redis.
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
from tenants.gate_mirror import MIRROR

if TYPE_CHECKING:
    from tenants.auth import Principal

logger = logging.getLogger("crm.request_gate")

WINDOW_MS = 60_000
NOT_REVOCABLE = "crm:never-revoked"  # a key nobody sets, for principals that cannot be revoked

# KEYS: tenant status cache, revocation marker, bucket. ARGV: capacity (0: no limit), window in ms, tokens
# wanted (a lease: granted as many as the bucket holds, up to that). Returns {status or false, revoked 0|1,
# tokens granted, retry after ms}.
GATE_SCRIPT = """
local status = redis.call('GET', KEYS[1])
local revoked = redis.call('EXISTS', KEYS[2])
local capacity = tonumber(ARGV[1])
if capacity == 0 or revoked == 1 then
  return {status, revoked, 1, 0}
end
local window = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[3], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / window)
local allowed, retry = 0, 0
if tokens >= 1 then
  allowed = math.min(math.floor(tokens), tonumber(ARGV[3]))
  tokens = tokens - allowed
else
  retry = math.ceil((1 - tokens) * window / capacity)
end
redis.call('HSET', KEYS[3], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[3], window)
return {status, revoked, allowed, retry}
"""
_GATE_SHA = hashlib.sha1(GATE_SCRIPT.encode(), usedforsecurity=False).hexdigest()

REDIS_DOWN = ProblemError(503, "service_unavailable", "Tạm thời không kiểm tra được phiên đăng nhập; thử lại sau.",
                          "Sessions cannot be checked right now; please retry.", headers={"Retry-After": "5"})


class GateAnswer(msgspec.Struct, frozen=True):
    cached_status: str | None  # the tenant's cached lifecycle status; None when not cached
    revoked: bool
    allowed: bool
    retry_ms: int
    granted: int = 1  # tokens taken from the bucket: this request's, and a lease for the next ones



def bucket_key(principal: Principal) -> str:
    return f"crm:rate:{principal.kind}:{principal.tenant_id}:{principal.subject_id}"


def too_many(limit: int, retry_ms: int) -> ProblemError:
    retry_after = max(1, math.ceil(retry_ms / 1000))
    return ProblemError(429, "rate_limited",
                        f"Vượt quá {limit} yêu cầu mỗi phút; thử lại sau {retry_after} giây.",
                        f"Over {limit} requests per minute; retry in {retry_after} s.",
                        headers={"Retry-After": str(retry_after)})


def lease_size(limit: int | None) -> int:
    """Tokens to take from the shared bucket at once: 2 % of the limit, between 1 and 100."""
    return max(1, min(100, (limit or 0) // 50))


async def check(redis: aioredis.Redis, principal: Principal, status_key: str) -> GateAnswer:
    """The gate's answer from this process's mirror when it can give it, from Redis otherwise."""
    if not MIRROR.ready:
        return await ask(redis, principal, status_key)
    if MIRROR.is_revoked(principal.revocation_key):
        return GateAnswer(cached_status=None, revoked=True, allowed=True, retry_ms=0, granted=0)
    status = MIRROR.status(principal.tenant_id)
    bucket = bucket_key(principal)
    if status is not None and (not principal.requests_per_minute or MIRROR.take(bucket)):
        return GateAnswer(cached_status=status, revoked=False, allowed=True, retry_ms=0, granted=0)
    answer = await ask(redis, principal, status_key, lease_size(principal.requests_per_minute))
    MIRROR.lease(bucket, answer.granted - 1)
    return answer


async def ask(redis: aioredis.Redis, principal: Principal, status_key: str, wanted: int = 1) -> GateAnswer:
    """Without Redis a revoked session cannot be told from a live one: the request is refused (503)."""
    keys = (status_key, principal.revocation_key or NOT_REVOCABLE, bucket_key(principal))
    args = (principal.requests_per_minute or 0, WINDOW_MS, wanted)
    try:
        try:
            reply = await cast("Awaitable[list[object]]", redis.evalsha(_GATE_SHA, 3, *keys, *args))
        except NoScriptError:  # first request on this Redis (or after SCRIPT FLUSH): send the script itself
            reply = await cast("Awaitable[list[object]]", redis.eval(GATE_SCRIPT, 3, *keys, *args))
    except RedisError as exc:
        logger.warning("Redis failed during the request gate: %s", exc)
        raise REDIS_DOWN from exc
    status, revoked, granted, retry_ms = reply
    decoded = status.decode() if isinstance(status, bytes) else status
    taken = int(cast("int", granted))
    return GateAnswer(cached_status=decoded if isinstance(decoded, str) else None, revoked=revoked == 1,
                      allowed=taken >= 1, retry_ms=int(cast("int", retry_ms)), granted=taken)


def enforce_bucket(principal: Principal, answer: GateAnswer) -> None:
    if not answer.allowed and principal.requests_per_minute is not None:
        raise too_many(principal.requests_per_minute, answer.retry_ms)
