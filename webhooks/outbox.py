"""The transactional outbox: `emit` writes an event in the caller's tenant transaction, so a change and the
event announcing it commit together, and a rolled-back change emits nothing. Once the transaction commits,
the deliverer job (which dispatches first) is woken on the `webhooks` queue (no polling).

    await emit(CUSTOMER_CREATED, customer_data(created))
    await emit_many(CUSTOMER_STATUS_CHANGED, changes)   # a job's whole batch, one statement

A statement that changes many rows can announce them itself, so they never travel to Python and back: embed
`emitting(EVENT, "rows")` as one of its CTEs (`rows` names the payload's fields as columns), then call `emitted()`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence

import msgspec
from msgspec import inspect as shapes

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


# One row per body, ids made by the database's own UUIDv7 order (time first, like `UUIDv7()`), so a bulk write
# sorts with single ones.
_INSERT_MANY = """
INSERT INTO webhook_outbox (id, tenant_id, event_type, body, created_at, updated_at)
SELECT uuidv7(), {}, {}, body, {}, {} FROM unnest({}::text[]) WITH ORDINALITY AS b(body, n) ORDER BY n
"""


async def emit_many(event: EventType[P], payloads: Sequence[P]) -> int:
    """`emit` for a batch (an import's, the ageing job's): every event in one INSERT, in the caller's transaction,
    and one wake-up of the deliverer. Returns how many."""
    if not payloads:
        return 0
    occurred_at = datetime.datetime.now(tz=datetime.UTC)
    bodies = [_checked_body(event, payload, occurred_at) for payload in payloads]
    await OutboxEvent.raw(_INSERT_MANY, current_tenant_id(), event.name, occurred_at, occurred_at, bodies)
    jobs.wake_deliverer_after_commit()
    return len(bodies)


# The JSON text `envelope` (msgspec) writes, built by concatenation (three times faster than `json_build_object`,
# and the same bytes): ids and times quoted as they are, text escaped by `to_json`, NULL as null; a time in UTC
# with a Z, its microseconds only when there are any.
_TIME = ("CASE WHEN date_trunc('second', {0}) = {0} "
         "THEN to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
         "ELSE to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') END")
_QUOTED = "'\"' || {0} || '\"'"
_SCALARS = (shapes.StrType, shapes.UUIDType, shapes.IntType, shapes.FloatType, shapes.BoolType, shapes.NoneType,
            shapes.LiteralType, shapes.DateTimeType)


def _json_text(field: shapes.Field, column: str) -> str:
    kinds = field.type.types if isinstance(field.type, shapes.UnionType) else (field.type,)
    if not all(isinstance(kind, _SCALARS) for kind in kinds):
        raise TypeError(f"{field.name}: only flat payloads (scalars, ids, times) are emitted from SQL")
    if any(isinstance(kind, shapes.DateTimeType) for kind in kinds):
        value = _QUOTED.format(_TIME.format(column))
    elif any(isinstance(kind, shapes.UUIDType) for kind in kinds):
        value = _QUOTED.format(column)
    else:
        value = f"to_json({column})::text"
    return f"COALESCE({value}, 'null')"


def _quoted(name: str) -> str:
    return f'"{name}"'  # a field named like a keyword (`by`) is still a column


def emitting(event: EventType[P], rows: str) -> str:
    """The INSERT announcing `event` once for each row of `rows` (a CTE of the caller's statement, its columns
    named after the payload's fields), with the body `emit` would write: `emit_many` for a statement that makes
    its changes and announces them at once. The caller's statement runs in its tenant transaction; call
    `emitted()` after it."""
    info = shapes.type_info(event.payload)
    assert isinstance(info, shapes.StructType)
    data = " || ',' || ".join(f"'\"{field.encode_name}\":' || {_json_text(field, f'e.{_quoted(field.name)}')}"
                              for field in info.fields)
    # Braces as chr(123)/chr(125): a brace in the text would be a placeholder to Piccolo's `raw`.
    body = (f"chr(123) || '\"type\":\"{event.name}\",\"timestamp\":\"' || t.now || '\",\"data\":' || chr(123) "
            f"|| {data} || chr(125) || chr(125)")
    # Names, the event's and the fields', are checked identifiers, and the tenant a parsed UUID: safe to inline.
    return (f"INSERT INTO webhook_outbox (tenant_id, event_type, body, created_at, updated_at) "  # noqa: S608
            f"SELECT '{current_tenant_id()}', '{event.name}', {body}, now(), now() "
            f"FROM {rows} e, (SELECT {_TIME.format('now()')} AS now) t")


def emitted() -> None:
    """After a statement with `emitting(...)` ran: wake the deliverer once the transaction commits."""
    jobs.wake_deliverer_after_commit()
