"""rq jobs of identity."""

from __future__ import annotations

import asyncio

from rq import get_current_job

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail


def send_pending_mail() -> int:
    """Send the mail outbox (not a tenant job: the outbox is a platform table)."""
    return asyncio.run(deliver_pending_mail(get_settings()))


def process_stripe_event(event_id: str) -> str:
    """Apply one stored Stripe event, once (not a tenant job: the event names its tenant)."""
    from services.identity.service.billing_events import process

    return asyncio.run(process(event_id))


def end_grace_periods() -> int:
    """Companies whose payment grace period (or trial) has ended become read-only."""
    from services.identity.service.billing_events import end_grace_periods as end

    return asyncio.run(end())


async def sync_seat_quantity() -> str:
    """A tenant job: the Stripe subscription's quantity follows the active members."""
    from services.identity.service.billing_stripe import sync_seat_quantity as sync

    job = get_current_job()
    return await sync(get_settings(), job.id if job else "")
