"""Replay and recovery: resend one delivery, re-queue an endpoint's failed deliveries in a time window, and
send a sample event of a chosen type to an endpoint.

A delivery row is unique per event and endpoint, so replaying puts the same row back to `pending` with a fresh
retry schedule (`attempt_count` restarts at 0; the attempt log keeps every earlier attempt). The `webhook-id` is
the event's, so the receiver sees the same id again and can dedupe on it.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import msgspec
import msgspec.inspect as mi

from infra.problems import ProblemError
from tenants import audit
from tenants.context import current_tenant_id
from webhooks import jobs
from webhooks.events import EventType, P, catalogue
from webhooks.outbox import envelope
from webhooks.schemas import DeliveryDetail, DeliveryOut, RecoverRequest, RecoverResult, TestSendRequest
from webhooks.service import DELIVERY_NOT_FOUND, get_delivery, get_endpoint
from webhooks.tables import OutboxEvent, WebhookDelivery


def _requeued() -> dict[Any, Any]:
    """Back to `pending`, due now, with a fresh retry schedule."""
    return {WebhookDelivery.status: "pending", WebhookDelivery.attempt_count: 0, WebhookDelivery.delivered_at: None,
            WebhookDelivery.next_attempt_at: datetime.datetime.now(tz=datetime.UTC)}


class EndpointDisabled(ProblemError):
    def __init__(self) -> None:
        super().__init__(409, "endpoint_disabled", "Điểm nhận webhook đang tắt; hãy bật lại trước khi gửi.",
                         "The webhook endpoint is disabled; enable it before sending.")


async def _enabled_endpoint(endpoint_id: uuid.UUID) -> None:
    if not (await get_endpoint(endpoint_id)).enabled:
        raise EndpointDisabled


async def resend(delivery_id: uuid.UUID) -> DeliveryDetail:
    """Queue one delivery again, whatever its outcome was; 409 while it is still on its way."""
    tenant_id = current_tenant_id()
    row = await WebhookDelivery.select(WebhookDelivery.endpoint_id, WebhookDelivery.status).where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.id == delivery_id)).first()
    if row is None:
        raise DELIVERY_NOT_FOUND
    if row["status"] == "pending":
        raise ProblemError(409, "delivery_pending", "Lượt gửi này vẫn đang được gửi.",
                           "This delivery is still pending.")
    await _enabled_endpoint(row["endpoint_id"])
    await WebhookDelivery.update(_requeued()).where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.id == delivery_id))
    jobs.wake_deliverer_after_commit()
    await audit.record("webhook_delivery.resend", "webhook_delivery", delivery_id)
    return await get_delivery(delivery_id)


async def recover(endpoint_id: uuid.UUID, window: RecoverRequest) -> RecoverResult:
    """Queue again every failed delivery of the endpoint created in [since, until), in one statement."""
    if window.until is not None and window.until <= window.since:
        vi, en = "`until` phải sau `since`", "`until` must be after `since`"
        raise ProblemError(422, "validation_error", vi, en, errors=[("until", "before_since", vi, en)])
    await _enabled_endpoint(endpoint_id)
    tenant_id = current_tenant_id()
    query = WebhookDelivery.update(_requeued()).where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id)
        & (WebhookDelivery.status == "failed") & (WebhookDelivery.created_at >= window.since))
    if window.until is not None:
        query = query.where(WebhookDelivery.created_at < window.until)
    requeued = await query.returning(WebhookDelivery.id)
    if requeued:
        jobs.wake_deliverer_after_commit()
    await audit.record("webhook_endpoint.recover", "webhook_endpoint", endpoint_id,
                       after={"since": window.since, "until": window.until, "queued": len(requeued)})
    return RecoverResult(queued=len(requeued))


async def send_test(endpoint_id: uuid.UUID, request: TestSendRequest) -> DeliveryOut:
    """A sample event of the chosen type, to this endpoint only (no other endpoint sees it)."""
    event = catalogue().get(request.event_type)
    if event is None:
        raise ProblemError(422, "validation_error", "Có loại sự kiện không tồn tại.", "Unknown event type.",
                           errors=[("event_type", "unknown_event_type", f"Không có loại sự kiện `{request.event_type}`",
                                    f"No event type `{request.event_type}`")])
    await _enabled_endpoint(endpoint_id)
    tenant_id = current_tenant_id()
    now = datetime.datetime.now(tz=datetime.UTC)
    outbox = OutboxEvent(tenant_id=tenant_id, event_type=event.name, created_at=now, dispatched_at=now,
                         body=envelope(event, sample_payload(event), now).decode())
    await OutboxEvent.insert(outbox)
    delivery = WebhookDelivery(tenant_id=tenant_id, endpoint_id=endpoint_id, event_id=outbox.id,
                               event_type=event.name, next_attempt_at=now)
    await WebhookDelivery.insert(delivery)
    jobs.wake_deliverer_after_commit()
    await audit.record("webhook_endpoint.test", "webhook_endpoint", endpoint_id, after={"event_type": event.name})
    return await get_delivery(delivery.id)


SAMPLE_TIME = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.UTC)
SAMPLE_UUID = uuid.UUID("01940000-0000-7000-8000-000000000001")


def sample_payload(event: EventType[P]) -> P:
    """The event's payload Struct filled with fixed sample values (a field's declared JSON Schema example first),
    so the receiver sees every field in its real shape."""
    return msgspec.convert(_sample(mi.type_info(event.payload)), event.payload)


def _sample(info: mi.Type) -> Any:
    match info:
        case mi.Metadata(extra_json_schema={"examples": [example, *_]}):
            return example
        case mi.Metadata():
            return _sample(info.type)
        case mi.StructType():
            return {field.encode_name: _sample(field.type) for field in info.fields}
        case mi.UnionType():
            return _sample(next(t for t in info.types if not isinstance(t, mi.NoneType)))
        case mi.LiteralType():
            return info.values[0]
        case mi.EnumType():
            return next(iter(info.cls)).value
        case mi.ListType() | mi.SetType() | mi.FrozenSetType() | mi.VarTupleType():
            return [_sample(info.item_type)]
        case mi.UUIDType():
            return str(SAMPLE_UUID)
        case mi.DateTimeType():
            return SAMPLE_TIME.isoformat()
        case mi.DateType():
            return SAMPLE_TIME.date().isoformat()
        case mi.BoolType():
            return True
        case mi.IntType() | mi.FloatType() | mi.DecimalType():
            return 0
        case mi.DictType():
            return {}
    return "sample"
