"""The transactional outbox: `emit` writes an event in the caller's tenant transaction, so a change and the
event announcing it commit together, and a rolled-back change emits nothing. Once the transaction commits,
the deliverer job (which dispatches first) is woken on the `webhooks` queue (no polling).

    await emit(CUSTOMER_CREATED, customer_data(created))
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

import msgspec

from tenants.context import current_tenant_id
from tenants.ids import new_id
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
    occurred_at = datetime.datetime.now(tz=datetime.UTC)
    row = OutboxEvent(tenant_id=current_tenant_id(), event_type=event.name,
                      body=_checked_body(event, payload, occurred_at), created_at=occurred_at)
    await OutboxEvent.insert(row)
    jobs.wake_deliverer_after_commit()  # it dispatches, then delivers; a burst of events wakes it once
    return row.id


def _checked_body(event: EventType[P], payload: P, occurred_at: datetime.datetime) -> str:
    if type(payload) is not event.payload:
        raise TypeError(f"{event.name} carries {event.payload.__name__}, not {type(payload).__name__}")
    return envelope(event, payload, occurred_at).decode()


async def emit_many(event: EventType[P], payloads: Sequence[P]) -> None:
    """`emit` for many payloads of one event type (an import's batch): one set-based INSERT and one wake-up of
    the dispatcher, instead of one of each per event."""
    if not payloads:
        return
    occurred_at = datetime.datetime.now(tz=datetime.UTC)
    await OutboxEvent.raw(
        "INSERT INTO webhook_outbox (id, tenant_id, event_type, body, created_at) "
        "SELECT unnest({}::uuid[]), {}, {}, unnest({}::text[]), {}",
        [new_id() for _ in payloads], current_tenant_id(), event.name,
        [_checked_body(event, payload, occurred_at) for payload in payloads], occurred_at)
    jobs.enqueue_after_commit(jobs.dispatch)
