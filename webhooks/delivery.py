"""From outbox to receiver: the dispatcher fans new events out into delivery rows, and each delivery is POSTed,
signed per Standard Webhooks, logged attempt by attempt and retried on a fixed schedule.

Delivery rows in PostgreSQL are the source of truth; rq jobs only say "look at this row now". A delivery is
claimed with `FOR UPDATE SKIP LOCKED` and held while it is attempted, so two workers never send it at once.
"""

from __future__ import annotations

import datetime
import time
import uuid
from typing import Any

import httpx
import msgspec

from infra.problems import ProblemError
from infra.settings import Settings
from tenants.context import current_tenant_id
from webhooks.service import check_destination
from webhooks.signing import message_id, signed_headers
from webhooks.tables import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

# After the first attempt fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then the delivery has failed.
RETRY_SCHEDULE = tuple(datetime.timedelta(seconds=seconds)
                       for seconds in (5, 300, 1800, 7200, 18_000, 36_000, 36_000))
TIMEOUT_SECONDS = 15.0
EXCERPT_CHARS = 1000
DISPATCH_BATCH = 1000
GONE = 410  # the receiver says the endpoint no longer exists: it is disabled

_DISPATCH_SQL = """
WITH claimed AS (
    SELECT id, event_type FROM webhook_outbox
    WHERE tenant_id = {} AND dispatched_at IS NULL
    ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED
), marked AS (
    UPDATE webhook_outbox o SET dispatched_at = now() FROM claimed c
    WHERE o.tenant_id = {} AND o.id = c.id RETURNING o.id
), inserted AS (
    INSERT INTO webhook_delivery (id, tenant_id, endpoint_id, event_id, event_type, status, attempt_count,
                                  next_attempt_at, created_at, updated_at)
    SELECT uuidv7(), e.tenant_id, e.id, c.id, c.event_type, 'pending', 0, now(), now(), now()
    FROM claimed c JOIN webhook_endpoint e ON e.tenant_id = {} AND e.enabled
        AND (cardinality(e.event_types) = 0 OR c.event_type = ANY(e.event_types))
    RETURNING id
)
SELECT (SELECT count(*) FROM marked) AS claimed, ARRAY(SELECT id FROM inserted) AS deliveries
"""


async def dispatch_new_events() -> list[uuid.UUID]:
    """One delivery per new event and enabled endpoint that wants its type; the new deliveries' ids."""
    tenant_id = current_tenant_id()
    deliveries: list[uuid.UUID] = []
    while True:
        rows = await OutboxEvent.raw(_DISPATCH_SQL, tenant_id, DISPATCH_BATCH, tenant_id, tenant_id)
        deliveries += rows[0]["deliveries"]
        if rows[0]["claimed"] < DISPATCH_BATCH:
            return deliveries


class Due(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed delivery and what sending it needs."""

    id: uuid.UUID
    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    attempt_count: int
    url: str
    secrets: list[str]  # the current secret, then the previous one while it is still honoured
    enabled: bool
    body: str


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    attempted_at: datetime.datetime
    status_code: int | None = None
    duration_ms: int = 0
    response_excerpt: str = ""
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Recorded(msgspec.Struct, frozen=True):
    status: str
    retry_in: datetime.timedelta | None = None


async def claim(delivery_id: uuid.UUID) -> Due | None:
    """The pending delivery, locked until the transaction ends; None when it is done or another worker has it.
    A delivery whose endpoint was disabled meanwhile is cancelled."""
    rows = await WebhookDelivery.raw(
        "SELECT d.id, d.event_id, d.endpoint_id, d.attempt_count, e.url, e.enabled, o.body, "
        "array_remove(ARRAY[e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END], "
        "NULL) AS secrets "
        "FROM webhook_delivery d "
        "JOIN webhook_endpoint e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id "
        "JOIN webhook_outbox o ON o.tenant_id = d.tenant_id AND o.id = d.event_id "
        "WHERE d.tenant_id = {} AND d.id = {} AND d.status = 'pending' FOR UPDATE OF d SKIP LOCKED",
        current_tenant_id(), delivery_id)
    if not rows:
        return None
    due = msgspec.convert(rows[0], Due)
    if not due.enabled:
        await _set_status(due.id, {WebhookDelivery.status: "cancelled", WebhookDelivery.next_attempt_at: None})
        return None
    return due


async def send(due: Due, settings: Settings) -> Outcome:
    """One signed POST; its outcome, whatever happened."""
    attempted_at = datetime.datetime.now(tz=datetime.UTC)
    try:
        await check_destination(due.url, settings)
    except ProblemError as exc:
        return Outcome(attempted_at=attempted_at, error=f"destination refused: {exc.detail_en}")
    body = due.body.encode()
    headers = {**signed_headers(due.secrets, message_id(due.event_id), int(attempted_at.timestamp()), body),
               "content-type": "application/json", "user-agent": "CRM-Webhooks/1"}
    started = time.monotonic()
    try:
        # No redirects (a 3xx could point anywhere) and no proxy from the environment.
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as http:
            response = await http.post(due.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(attempted_at=attempted_at, duration_ms=_since(started),
                       error=f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(attempted_at=attempted_at, status_code=response.status_code, duration_ms=_since(started),
                   response_excerpt=response.text[:EXCERPT_CHARS])


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


async def record(due: Due, outcome: Outcome, settings: Settings) -> Recorded:
    """Log the attempt and move the delivery on: succeeded, retried later, or failed (410 disables the endpoint)."""
    tenant_id = current_tenant_id()
    await WebhookAttempt.insert(WebhookAttempt(
        tenant_id=tenant_id, delivery_id=due.id, attempted_at=outcome.attempted_at, status_code=outcome.status_code,
        duration_ms=outcome.duration_ms, response_excerpt=outcome.response_excerpt, error=outcome.error))
    attempts = due.attempt_count + 1
    changes: dict[Any, Any] = {WebhookDelivery.attempt_count: attempts, WebhookDelivery.next_attempt_at: None}
    if outcome.succeeded:
        result = Recorded("succeeded")
        changes[WebhookDelivery.delivered_at] = outcome.attempted_at
    elif outcome.status_code == GONE:
        result = Recorded("failed")
        await WebhookEndpoint.update({WebhookEndpoint.enabled: False, WebhookEndpoint.disabled_reason: "gone"}).where(
            (WebhookEndpoint.tenant_id == tenant_id) & (WebhookEndpoint.id == due.endpoint_id))
    elif attempts <= len(RETRY_SCHEDULE):
        retry_in = RETRY_SCHEDULE[attempts - 1] * settings.webhooks_retry_scale
        result = Recorded("pending", retry_in)
        changes[WebhookDelivery.next_attempt_at] = outcome.attempted_at + retry_in
    else:
        result = Recorded("failed")
    changes[WebhookDelivery.status] = result.status
    await _set_status(due.id, changes)
    return result


async def _set_status(delivery_id: uuid.UUID, changes: dict[Any, Any]) -> None:
    await WebhookDelivery.update(changes).where(
        (WebhookDelivery.tenant_id == current_tenant_id()) & (WebhookDelivery.id == delivery_id))
