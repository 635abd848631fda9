"""Webhooks' tables: the outbox, the tenant's endpoints, one delivery per event and endpoint, and its attempts.

Ids between these tables are plain UUID columns (indexes in the raw migration start with `tenant_id`);
deleting an endpoint deletes its deliveries and attempts in the service layer.
"""

from piccolo.columns import UUID, Array, Boolean, Integer, Text, Timestamptz, Varchar

from tenants.tables import TenantTable


class OutboxEvent(TenantTable, tablename="webhook_outbox"):
    """An event, written in the transaction of the change it announces; the dispatcher stamps `dispatched_at`."""

    event_type = Varchar(length=100, null=False)
    body = Text(null=False)  # the exact envelope sent, so every attempt signs the same bytes
    dispatched_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(TenantTable, tablename="webhook_endpoint"):
    url = Varchar(length=2048, null=False)
    description = Varchar(length=500, null=False, default="")
    event_types = Array(Varchar(length=100), null=False, default=list)  # empty: every event type
    enabled = Boolean(null=False, default=True)
    # "gone" (the receiver answered 410) or "failing" (no success for days, `webhooks_disable_after_days`)
    disabled_reason = Varchar(length=32, null=True, default=None)
    # Stored as issued (`whsec_` + base64): the API shows it once, at creation, and never returns this column.
    secret = Varchar(length=100, null=False, secret=True)
    # After a rotation the old secret also signs until `previous_secret_expires_at` (24 hours).
    previous_secret = Varchar(length=100, null=True, default=None, secret=True)
    previous_secret_expires_at = Timestamptz(null=True, default=None)
    # Ordered: an event is sent only once every earlier event to this endpoint succeeded or was given up.
    ordered = Boolean(null=False, default=False)
    # At most `rate_limit` deliveries per `rate_limit_period` ("second" or "minute"); none: no limit.
    rate_limit = Integer(null=True, default=None)
    rate_limit_period = Varchar(length=8, null=False, default="second")
    # Since the first failed attempt with no success after it; none while the endpoint is healthy.
    failing_since = Timestamptz(null=True, default=None)


class WebhookDelivery(TenantTable, tablename="webhook_delivery"):
    """One event to one endpoint; the source of truth for its state (pending, succeeded, failed, cancelled)."""

    endpoint_id = UUID(null=False, default=None)
    event_id = UUID(null=False, default=None)
    event_type = Varchar(length=100, null=False)
    status = Varchar(length=16, null=False, default="pending")
    attempt_count = Integer(null=False, default=0)
    next_attempt_at = Timestamptz(null=True, default=None)
    delivered_at = Timestamptz(null=True, default=None)


class WebhookAttempt(TenantTable, tablename="webhook_attempt"):
    delivery_id = UUID(null=False, default=None)
    attempted_at = Timestamptz(null=False)
    status_code = Integer(null=True, default=None)  # none when no response came (timeout, refused address)
    duration_ms = Integer(null=False, default=0)
    response_excerpt = Varchar(length=1000, null=False, default="")
    error = Varchar(length=500, null=True, default=None)
