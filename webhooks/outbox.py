"""The transactional outbox: `emit` writes an event in the caller's tenant transaction, so a change and the
event announcing it commit together, and a rolled-back change emits nothing. Once the transaction commits,
the deliverer job (which dispatches first) is woken on the `webhooks` queue (no polling).

    await emit(CUSTOMER_CREATED, customer_data(created))
"""

from __future__ import annotations

import datetime
import uuid

import msgspec

from tenants.context import current_tenant_id
from webhooks import jobs
from webhooks.events import EventType, P
from webhooks.tables import OutboxEvent

MAX_BODY_BYTES = 20 * 1024  # large things (documents) travel as links, not inline


def envelope(event: EventType[P], payload: P, occurred_at: datetime.datetime) -> bytes:
    """The exact bytes sent: `{"type", "timestamp", "data"}`."""
    body = msgspec.json.encode({"type": event.name, "timestamp": occurred_at, "data": payload})
    if len(body) > MAX_BODY_BYTES:
        raise ValueError(f"{event.name} is {len(body)} bytes; events stay under {MAX_BODY_BYTES}")
    return body


async def emit(event: EventType[P], payload: P) -> uuid.UUID:
    """Write `event` with `payload` in the envelope `{"type", "timestamp", "data"}`; the event's id."""
    if type(payload) is not event.payload:
        raise TypeError(f"{event.name} carries {event.payload.__name__}, not {type(payload).__name__}")
    occurred_at = datetime.datetime.now(tz=datetime.UTC)
    body = envelope(event, payload, occurred_at)
    row = OutboxEvent(tenant_id=current_tenant_id(), event_type=event.name, body=body.decode(),
                      created_at=occurred_at)
    await OutboxEvent.insert(row)
    jobs.wake_deliverer_after_commit()  # it dispatches, then delivers; a burst of events wakes it once
    return row.id
