"""Each tenant's request rate limit: `tenant.requests_per_minute`, which billing copies from the tenant's plan
whenever the plan changes (service/billing.py); a tenant without one gets the default."""

from __future__ import annotations

import time
import uuid

from services.identity.tables import Tenant

DEFAULT_REQUESTS_PER_MINUTE = 600
# A changed limit reaches user tokens within this time; API keys read it fresh on every request.
CACHE_SECONDS = 60.0

_cache: dict[uuid.UUID, tuple[float, int]] = {}  # tenant -> (expires at, monotonic; limit)


def plan_limit(override: int | None) -> int:
    return DEFAULT_REQUESTS_PER_MINUTE if override is None else max(1, override)


async def tenant_requests_per_minute(tenant_id: uuid.UUID) -> int:
    now = time.monotonic()
    cached = _cache.get(tenant_id)
    if cached and cached[0] > now:
        return cached[1]
    row = await Tenant.select(Tenant.requests_per_minute).where(Tenant.id == tenant_id).first()
    limit = plan_limit(row["requests_per_minute"] if row else None)
    _cache[tenant_id] = (now + CACHE_SECONDS, limit)
    return limit
