"""rq jobs of identity."""

from __future__ import annotations

import asyncio

from infra.settings import get_settings
from services.identity.service.mail import deliver_pending_mail


def send_pending_mail() -> int:
    """Send the mail outbox (not a tenant job: the outbox is a platform table)."""
    return asyncio.run(deliver_pending_mail(get_settings()))
