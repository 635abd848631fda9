"""From outbox to receiver: the dispatcher fans new events out into delivery rows; the deliverer claims due
deliveries in a short transaction, POSTs them signed per Standard Webhooks with no transaction open, and records
the outcomes in a second short transaction: logged attempt by attempt, retried on a schedule with jitter.

Delivery rows in PostgreSQL are the source of truth; rq jobs only say "look now". Claiming a delivery leases it
(`next_attempt_at` moves past the longest a send can take), so another worker leaves it alone, and if the
worker dies the lease runs out and the reaper queues it again: delivered at least once, never lost.
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import functools
import random
import ssl
import time
import uuid
from collections.abc import Sequence

import httpx
import msgspec

from infra.problems import ProblemError
from infra.settings import Settings
from tenants.context import current_tenant_id
from webhooks.destination import Destination, resolve_destination
from webhooks.disabling import disable_failing_endpoints
from webhooks.signing import message_id, signed_headers
from webhooks.tables import OutboxEvent, WebhookAttempt

# After the first attempt fails: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then the delivery has failed.
RETRY_SCHEDULE = tuple(datetime.timedelta(seconds=seconds)
                       for seconds in (5, 300, 1800, 7200, 18_000, 36_000, 36_000))
JITTER = 0.1  # each wait is lengthened by up to 10 %, so retries of a burst do not come back as one burst
RETRY_AFTER_CAP = datetime.timedelta(hours=1)  # the longest a receiver's `Retry-After` holds a delivery back
RETRY_AFTER_STATUSES = (429, 503)
EXCERPT_CHARS = 1000
DISPATCH_BATCH = 1000
CLAIM_BATCH = 100  # deliveries claimed, sent concurrently and recorded together
CONNECTIONS_PER_ENDPOINT = 50  # so a batch to one endpoint takes at most two rounds of sends (see `lease`)
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
SELECT (SELECT count(*) FROM marked) AS claimed, (SELECT count(*) FROM inserted) AS deliveries
"""

# Due deliveries of enabled endpoints; on an ordered endpoint only the one whose every earlier event is done
# (an earlier pending one, in flight or waiting for its retry, holds the later ones back).
_CLAIM_SQL = """
WITH due AS (
    SELECT d.id FROM webhook_delivery d
    JOIN webhook_endpoint e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id AND e.enabled
    WHERE d.tenant_id = {} AND d.status = 'pending' AND d.next_attempt_at <= now()
      AND (NOT e.ordered OR NOT EXISTS (
          SELECT 1 FROM webhook_delivery p
          WHERE p.tenant_id = d.tenant_id AND p.endpoint_id = d.endpoint_id AND p.status = 'pending'
            AND p.event_id < d.event_id))
    ORDER BY d.next_attempt_at, d.event_id LIMIT {} FOR UPDATE OF d SKIP LOCKED
), claimed AS (
    UPDATE webhook_delivery d SET next_attempt_at = now() + make_interval(secs => {}) FROM due
    WHERE d.tenant_id = {} AND d.id = due.id
    RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count
)
SELECT c.id, c.event_id, c.endpoint_id, c.attempt_count, e.url, e.rate_limit, e.rate_limit_period, o.body,
       array_remove(ARRAY[e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END],
                    NULL) AS secrets
FROM claimed c
JOIN webhook_endpoint e ON e.tenant_id = {} AND e.id = c.endpoint_id
JOIN webhook_outbox o ON o.tenant_id = {} AND o.id = c.event_id
ORDER BY c.event_id
"""

# Deliveries of endpoints disabled since they were queued are not sent.
_CANCEL_SQL = """
UPDATE webhook_delivery d SET status = 'cancelled', next_attempt_at = NULL, updated_at = now()
FROM webhook_endpoint e
WHERE d.tenant_id = {} AND e.tenant_id = {} AND e.id = d.endpoint_id AND NOT e.enabled
  AND d.status = 'pending' AND d.next_attempt_at <= now()
"""

# Only a delivery still as it was claimed is moved on (a lease that ran out may have let another worker in).
_RECORD_SQL = """
UPDATE webhook_delivery d SET status = v.status, attempt_count = v.attempts, next_attempt_at = v.next_attempt_at,
    delivered_at = v.delivered_at, updated_at = now()
FROM unnest({}::uuid[], {}::text[], {}::int[], {}::timestamptz[], {}::timestamptz[], {}::int[])
    AS v(id, status, attempts, next_attempt_at, delivered_at, claimed_attempts)
WHERE d.tenant_id = {} AND d.id = v.id AND d.status = 'pending' AND d.attempt_count = v.claimed_attempts
"""

# An endpoint's health: a success clears `failing_since`, a failure starts it if it is not running yet.
_HEALTH_SQL = """
UPDATE webhook_endpoint e SET failing_since = CASE WHEN v.succeeded THEN NULL ELSE v.failed_at END,
    updated_at = now()
FROM unnest({}::uuid[], {}::bool[], {}::timestamptz[]) AS v(id, succeeded, failed_at)
WHERE e.tenant_id = {} AND e.id = v.id
  AND ((v.succeeded AND e.failing_since IS NOT NULL) OR (NOT v.succeeded AND e.failing_since IS NULL))
"""


async def dispatch_new_events() -> int:
    """One delivery per new event and enabled endpoint that wants its type; how many deliveries."""
    tenant_id = current_tenant_id()
    deliveries = 0
    while True:
        rows = await OutboxEvent.raw(_DISPATCH_SQL, tenant_id, DISPATCH_BATCH, tenant_id, tenant_id)
        deliveries += int(rows[0]["deliveries"])
        if rows[0]["claimed"] < DISPATCH_BATCH:
            return deliveries


class Due(msgspec.Struct, frozen=True, kw_only=True):
    """A claimed delivery and what sending it needs."""

    id: uuid.UUID
    event_id: uuid.UUID
    endpoint_id: uuid.UUID
    attempt_count: int
    url: str
    rate_limit: int | None
    rate_limit_period: str
    secrets: list[str]  # the current secret, then the previous one while it is still honoured
    body: str


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    attempted_at: datetime.datetime
    status_code: int | None = None
    duration_ms: int = 0
    response_excerpt: str = ""
    error: str | None = None
    retry_after: datetime.timedelta | None = None  # what a 429 or 503 asked for

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def lease(settings: Settings) -> datetime.timedelta:
    """How long a claim holds a delivery: a batch's two rounds of sends (waiting for a connection, then the
    send, each bounded by the timeout), with room to record."""
    return datetime.timedelta(seconds=2 * settings.webhooks_timeout_seconds + 10)


async def claim_due(settings: Settings, limit: int = CLAIM_BATCH) -> list[Due]:
    """Lease up to `limit` due deliveries of the tenant; run it in a transaction of its own. "Due" is by the
    transaction's clock, so deliveries dispatched earlier in the same transaction are due."""
    tenant_id = current_tenant_id()
    await OutboxEvent.raw(_CANCEL_SQL, tenant_id, tenant_id)
    rows = await OutboxEvent.raw(_CLAIM_SQL, tenant_id, limit, lease(settings).total_seconds(), tenant_id,
                                 tenant_id, tenant_id)
    return msgspec.convert(rows, list[Due])


def retry_after(response: httpx.Response, now: datetime.datetime) -> datetime.timedelta | None:
    """The wait a 429 or 503 asks for (seconds or an HTTP date), capped; None when it asks none."""
    value = response.headers.get("retry-after", "").strip()
    if response.status_code not in RETRY_AFTER_STATUSES or not value:
        return None
    if value.isdigit():
        wait = datetime.timedelta(seconds=int(value))
    else:
        try:
            wait = email.utils.parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return max(datetime.timedelta(0), min(wait, RETRY_AFTER_CAP))


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: building one (loading the trust store) per send costs more than the send."""
    return ssl.create_default_context()


async def send_all(dues: Sequence[Due], settings: Settings) -> list[Outcome]:
    """Every claimed delivery POSTed at once; each endpoint's host resolved and checked once, its sends sharing
    connections to that checked address. The outcomes, in the order of `dues`."""
    by_url: dict[str, list[Due]] = {}
    for due in dues:
        by_url.setdefault(due.url, []).append(due)
    outcomes: dict[uuid.UUID, Outcome] = {}

    async def send_to(url: str, group: list[Due]) -> None:
        try:
            destination = await resolve_destination(url, settings)
        except ProblemError as exc:
            refused = Outcome(attempted_at=datetime.datetime.now(tz=datetime.UTC),
                              error=f"destination refused: {exc.detail_en}")
            outcomes.update((due.id, refused) for due in group)
            return
        # No redirects (a 3xx could point anywhere) and no proxy from the environment.
        async with httpx.AsyncClient(timeout=settings.webhooks_timeout_seconds, follow_redirects=False,
                                     trust_env=False, verify=_tls(),
                                     limits=httpx.Limits(max_connections=CONNECTIONS_PER_ENDPOINT)) as http:
            for due, outcome in zip(group, await asyncio.gather(*(send(http, destination, due) for due in group)),
                                    strict=True):
                outcomes[due.id] = outcome

    await asyncio.gather(*(send_to(url, group) for url, group in by_url.items()))
    return [outcomes[due.id] for due in dues]


async def send(http: httpx.AsyncClient, destination: Destination, due: Due) -> Outcome:
    """One signed POST to the checked address, named for the URL's host; its outcome, whatever happened."""
    attempted_at = datetime.datetime.now(tz=datetime.UTC)
    body = due.body.encode()
    headers = {**signed_headers(due.secrets, message_id(due.event_id), int(attempted_at.timestamp()), body),
               "content-type": "application/json", "user-agent": "CRM-Webhooks/1", "host": destination.host_header}
    started = time.monotonic()
    try:
        response = await http.post(destination.url, content=body, headers=headers,
                                   extensions={"sni_hostname": destination.host})
    except httpx.HTTPError as exc:
        return Outcome(attempted_at=attempted_at, duration_ms=_since(started),
                       error=f"{type(exc).__name__}: {exc}"[:500])
    return Outcome(attempted_at=attempted_at, status_code=response.status_code, duration_ms=_since(started),
                   response_excerpt=response.text[:EXCERPT_CHARS], retry_after=retry_after(response, attempted_at))


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def next_attempt(attempts: int, outcome: Outcome, settings: Settings) -> datetime.datetime | None:
    """When to try again after `attempts` attempts, the last one `outcome`; None when it is over."""
    if outcome.succeeded or outcome.status_code == GONE or attempts > len(RETRY_SCHEDULE):
        return None
    if outcome.retry_after is not None:
        wait = outcome.retry_after
    else:
        wait = RETRY_SCHEDULE[attempts - 1] * (1 + random.uniform(0, JITTER))  # noqa: S311 - jitter, not a secret
    return outcome.attempted_at + wait * settings.webhooks_retry_scale


async def record(sent: Sequence[tuple[Due, Outcome]], postponed: dict[uuid.UUID, tuple[Due, datetime.datetime]],
                 settings: Settings) -> list[datetime.datetime]:
    """Log the attempts and move each delivery on (succeeded, retried later, failed; a 410 disables its endpoint),
    put the postponed ones back untouched but for their time; run it in a transaction of its own. When the
    deliveries still pending are due next."""
    tenant_id = current_tenant_id()
    if sent:
        await WebhookAttempt.insert(*(WebhookAttempt(
            tenant_id=tenant_id, delivery_id=due.id, attempted_at=outcome.attempted_at,
            status_code=outcome.status_code, duration_ms=outcome.duration_ms,
            response_excerpt=outcome.response_excerpt, error=outcome.error) for due, outcome in sent))
    ids, statuses, attempts, next_at, delivered_at, claimed = [], [], [], [], [], []
    for due, outcome in sent:
        retry_at = next_attempt(due.attempt_count + 1, outcome, settings)
        ids.append(due.id)
        statuses.append("succeeded" if outcome.succeeded else "pending" if retry_at else "failed")
        attempts.append(due.attempt_count + 1)
        next_at.append(retry_at)
        delivered_at.append(outcome.attempted_at if outcome.succeeded else None)
        claimed.append(due.attempt_count)
    for due, resume_at in postponed.values():
        ids.append(due.id)
        statuses.append("pending")
        attempts.append(due.attempt_count)
        next_at.append(resume_at)
        delivered_at.append(None)
        claimed.append(due.attempt_count)
    await OutboxEvent.raw(_RECORD_SQL, ids, statuses, attempts, next_at, delivered_at, claimed, tenant_id)
    await _record_health(sent, settings)
    return [when for when in next_at if when is not None]


async def _record_health(sent: Sequence[tuple[Due, Outcome]], settings: Settings) -> None:
    """Track each endpoint's run of failures; disable the gone ones and those failing for too long."""
    health: dict[uuid.UUID, tuple[bool, datetime.datetime]] = {}
    for due, outcome in sent:
        succeeded, failed_at = health.get(due.endpoint_id, (False, outcome.attempted_at))
        health[due.endpoint_id] = (succeeded or outcome.succeeded, min(failed_at, outcome.attempted_at))
    if not health:
        return
    await OutboxEvent.raw(_HEALTH_SQL, list(health), [ok for ok, _ in health.values()],
                          [at for _, at in health.values()], current_tenant_id())
    gone = list({due.endpoint_id for due, outcome in sent if outcome.status_code == GONE})
    failing_before = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(
        days=settings.webhooks_disable_after_days)
    await disable_failing_endpoints(gone, failing_before)
