"""The request gate's per-process mirror: what another process publishes bites on the next request, a
restarted mirror rebuilds itself from Redis, and rate limits stay exact for small limits."""

from __future__ import annotations

import asyncio
import uuid

import msgspec
import redis.asyncio as aioredis

from services.identity.service.api_keys import revocation_key
from tenants import gate_mirror, lifecycle
from tests.identity.test_api_keys import CUSTOMERS, KEYS, bearer, create_key


async def test_a_revocation_published_by_another_process_bites_on_the_next_request(client, stack, tenant_a):
    created = await create_key(client, tenant_a, ["contacts:read"])
    assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 200
    redis = aioredis.Redis.from_url(stack.redis_url)
    try:  # as another process would: the marker and the message, not the HTTP route of this server
        await gate_mirror.revoke(redis, [revocation_key(uuid.UUID(created["id"]))], 60)
        await asyncio.sleep(0.05)  # a message crosses loopback in well under this
        assert (await client.get(CUSTOMERS, headers=bearer(created["key"]))).status_code == 401
        assert (await client.get(KEYS, headers=tenant_a.headers)).status_code == 200
    finally:
        await redis.aclose()


async def test_a_status_change_elsewhere_reaches_the_servers_mirror(client, stack, owner_conn, tenant_a):
    assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).status_code == 200  # status now mirrored
    await owner_conn.execute("UPDATE tenant SET status = 'suspended' WHERE id = $1", tenant_a.tenant_id)
    redis = aioredis.Redis.from_url(stack.redis_url)
    try:
        await lifecycle.forget_status(redis, tenant_a.tenant_id)
        await asyncio.sleep(0.05)
        assert (await client.get(CUSTOMERS, headers=tenant_a.headers)).status_code == 403
    finally:
        await owner_conn.execute("UPDATE tenant SET status = 'active' WHERE id = $1", tenant_a.tenant_id)
        await lifecycle.forget_status(redis, tenant_a.tenant_id)
        await redis.aclose()


async def test_a_mirror_rebuilds_from_redis_and_follows_the_channel(stack):
    mirror = gate_mirror.GateMirror()
    redis = aioredis.Redis.from_url(stack.redis_url)
    before = f"{gate_mirror.REVOKED_PREFIX}test:{uuid.uuid4()}"
    after = f"{gate_mirror.REVOKED_PREFIX}test:{uuid.uuid4()}"
    await redis.set(before, 1, ex=60)  # revoked while no mirror was listening
    await mirror.acquire(stack.redis_url)
    try:
        for _ in range(100):
            if mirror.ready:
                break
            await asyncio.sleep(0.02)
        assert mirror.ready
        assert mirror.is_revoked(before) and not mirror.is_revoked(after)
        await redis.set(after, 1, ex=60)
        await redis.publish(gate_mirror.CHANNEL, msgspec.json.encode(
            gate_mirror.GateMessage(kind="revoke", keys=[after], ttl=60)))
        for _ in range(50):
            if mirror.is_revoked(after):
                break
            await asyncio.sleep(0.02)
        assert mirror.is_revoked(after)
    finally:
        await mirror.release()
        await redis.aclose()
    assert not mirror.ready and not mirror.is_revoked(before)  # released: nothing is trusted any more
