"""Response bodies of reporting."""

from __future__ import annotations

import msgspec


class StageCount(msgspec.Struct, kw_only=True):
    lifecycle_stage: str
    customers: int


class LifecycleSummary(msgspec.Struct, kw_only=True):
    total: int
    by_stage: list[StageCount]
