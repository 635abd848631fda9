"""Per-endpoint rate limits: at most `rate_limit` deliveries per second or per minute, counted in Redis in fixed
windows. A delivery over the limit is postponed to the next window (no attempt is logged, nothing fails)."""

from __future__ import annotations

import datetime
import math
import uuid
from collections.abc import Sequence
from typing import Protocol

import redis

PERIOD_SECONDS = {"second": 1, "minute": 60}


class Limited(Protocol):
    @property
    def id(self) -> uuid.UUID: ...
    @property
    def endpoint_id(self) -> uuid.UUID: ...
    @property
    def rate_limit(self) -> int | None: ...
    @property
    def rate_limit_period(self) -> str: ...


def postponed(dues: Sequence[Limited], connection: redis.Redis,
              now: datetime.datetime) -> dict[uuid.UUID, datetime.datetime]:
    """The deliveries over their endpoint's limit, each with the start of the window it may go in. Every
    delivery under the limit is counted in its window, in one round trip."""
    limited = [due for due in dues if due.rate_limit is not None]
    if not limited:
        return {}
    pipeline = connection.pipeline(transaction=False)
    windows = []
    for due in limited:
        seconds = PERIOD_SECONDS[due.rate_limit_period]
        window = math.floor(now.timestamp() / seconds)
        key = f"webhooks:rate:{due.endpoint_id}:{window}"
        pipeline.incr(key)
        pipeline.expire(key, seconds * 2)
        windows.append((window + 1) * seconds)
    counts = pipeline.execute()[::2]
    return {due.id: datetime.datetime.fromtimestamp(window_end, tz=datetime.UTC)
            for due, count, window_end in zip(limited, counts, windows, strict=True)
            if count > (due.rate_limit or 0)}
