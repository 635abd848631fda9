"""Events identity emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime

import msgspec

from webhooks.events import declare


class SubscriptionData(msgspec.Struct, kw_only=True):
    """The company's subscription after a change, and what it did to the company's status."""

    plan: str
    period: str
    status: str  # trialing | active | past_due | canceled
    tenant_status: str  # active | read_only | ...
    cancel_at_period_end: bool
    current_period_end: datetime.datetime | None
    past_due_since: datetime.datetime | None


SUBSCRIPTION_UPDATED = declare(
    "subscription.updated", SubscriptionData,
    "Gói, trạng thái thanh toán hoặc trạng thái công ty đã thay đổi (dữ liệu sau thay đổi).",
    "The plan, payment status or company status changed (the data after the change).")
