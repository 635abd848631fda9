"""Request and response bodies of the webhooks API."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

import msgspec

from webhooks.events import EVENT_NAME

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
Description = Annotated[str, msgspec.Meta(max_length=500)]
EventTypeName = Annotated[str, msgspec.Meta(max_length=100, pattern=EVENT_NAME)]
EventTypeFilter = Annotated[list[EventTypeName], msgspec.Meta(max_length=100)]
DeliveryStatus = Literal["pending", "succeeded", "failed", "cancelled"]
RateLimit = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
RatePeriod = Literal["second", "minute"]


class EndpointCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    url: Url
    description: Description = ""
    event_types: EventTypeFilter = msgspec.field(default_factory=list)  # empty: every event type
    enabled: bool = True
    ordered: bool = False  # an event only once every earlier one succeeded or was given up
    rate_limit: RateLimit | None = None  # at most this many deliveries per `rate_limit_period`
    rate_limit_period: RatePeriod = "second"


class EndpointUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    event_types: EventTypeFilter | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET
    ordered: bool | msgspec.UnsetType = msgspec.UNSET
    rate_limit: RateLimit | msgspec.UnsetType | None = msgspec.UNSET  # null: no limit
    rate_limit_period: RatePeriod | msgspec.UnsetType = msgspec.UNSET


class EndpointOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None  # "gone" (answered 410) or "failing" (no success for days); none by hand
    created_at: datetime.datetime
    updated_at: datetime.datetime
    ordered: bool
    rate_limit: int | None
    rate_limit_period: str
    failing_since: datetime.datetime | None  # since the first failure with no success after it


class EndpointCreated(EndpointOut, kw_only=True):
    secret: str  # `whsec_` + base64; in this response only


class DeliveryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    message_id: str  # the `webhook-id` header the receiver dedupes on
    event_type: str
    status: DeliveryStatus
    attempt_count: int  # attempts since it was last queued (a resend restarts the count; `attempts` lists all)
    next_attempt_at: datetime.datetime | None
    delivered_at: datetime.datetime | None
    created_at: datetime.datetime


class AttemptOut(msgspec.Struct, kw_only=True):
    attempted_at: datetime.datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str
    error: str | None


class DeliveryDetail(DeliveryOut, kw_only=True):
    attempts: list[AttemptOut]


class EventTypeOut(msgspec.Struct, kw_only=True):
    type: str
    description_vi: str
    description_en: str
    # JSON Schema of `data` in the envelope `{"type", "timestamp", "data"}`.
    schema: dict[str, Any]


class RecoverRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Queue again the endpoint's failed deliveries created in [since, until); no `until`: up to now."""

    since: datetime.datetime
    until: datetime.datetime | None = None


class RecoverResult(msgspec.Struct, kw_only=True):
    queued: int  # failed deliveries put back on their way


class TestSendRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    event_type: EventTypeName  # a type from the catalogue; its data is a fixed sample


class SecretRotated(EndpointOut, kw_only=True):
    secret: str  # the new `whsec_` secret; in this response only
    # Until then deliveries carry a signature with the previous secret too.
    previous_secret_expires_at: datetime.datetime


class DeliveryFilters(msgspec.Struct, kw_only=True):
    """The delivery log's filters; none set: every delivery."""

    status: DeliveryStatus | None = None
    event_type: str | None = None
    since: datetime.datetime | None = None  # created at or after
    until: datetime.datetime | None = None  # created before
