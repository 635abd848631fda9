"""Webhooks' rules: the published catalogue, the tenant's endpoints (where events go), and their deliveries.

Every function but `event_types` runs inside the caller's tenant transaction and filters by tenant (the first
wall; row-level security is the second); another tenant's endpoint or delivery answers 404.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import uuid
from typing import Any
from urllib.parse import urlsplit

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.settings import Settings, get_settings
from tenants import audit, quotas
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.events import catalogue
from webhooks.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointUpdate,
    EventTypeOut,
)
from webhooks.signing import message_id, new_secret
from webhooks.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

ENDPOINT_NOT_FOUND = NotFoundError("điểm nhận webhook", "Webhook endpoint")
DELIVERY_NOT_FOUND = NotFoundError("lượt gửi webhook", "Webhook delivery")
_ENDPOINT_COLUMNS = [getattr(WebhookEndpoint, name) for name in EndpointOut.__struct_fields__]
_DELIVERY_COLUMNS = [getattr(WebhookDelivery, name) for name in DeliveryOut.__struct_fields__
                     if name != "message_id"]


def event_types() -> list[EventTypeOut]:
    return [EventTypeOut(type=event.name, description_vi=event.description_vi,
                         description_en=event.description_en, schema=msgspec.json.schema(event.payload))
            for event in sorted(catalogue().values(), key=lambda event: event.name)]


class UrlRefused(ProblemError):
    """The endpoint URL is not one events may be sent to; the field at fault is `url`."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(422, "validation_error", vi, en, errors=[("url", code, vi, en)])


async def check_destination(url: str, settings: Settings) -> None:
    """Refuse URLs events must not go to: not http(s), plain http in production, and (unless the deployment
    allows them) hosts that resolve to a private, loopback, link-local or otherwise non-public address. Checked
    when an endpoint is saved and again before every delivery, since DNS can change in between."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UrlRefused("invalid_url", "Địa chỉ URL không hợp lệ", "Not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UrlRefused("invalid_url", "Địa chỉ URL phải bắt đầu bằng https:// và có tên máy chủ",
                         "The URL must start with https:// and name a host")
    if parts.scheme != "https" and settings.env == "production":
        raise UrlRefused("https_required", "Địa chỉ URL phải dùng https", "The URL must use https")
    if settings.webhooks_allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UrlRefused("unresolvable_host", "Không phân giải được tên máy chủ", "The host does not resolve") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            raise UrlRefused("private_address",
                             "Địa chỉ URL trỏ tới mạng nội bộ (private, loopback hoặc link-local)",
                             "The URL points at a private, loopback or link-local address")


async def _known_event_types(names: list[str]) -> list[str]:
    known = catalogue()
    errors = [(f"event_types[{index}]", "unknown_event_type", f"Không có loại sự kiện `{name}`",
               f"No event type `{name}`") for index, name in enumerate(names) if name not in known]
    if errors:
        raise ProblemError(422, "validation_error", "Có loại sự kiện không tồn tại.", "Unknown event type.",
                           errors=errors)
    return sorted(set(names))


def _endpoint_out(row: dict[str, Any]) -> EndpointOut:
    return msgspec.convert(row, EndpointOut, strict=False)


async def _fetch_endpoint(endpoint_id: uuid.UUID) -> EndpointOut:
    row = await WebhookEndpoint.select(*_ENDPOINT_COLUMNS).where(
        (WebhookEndpoint.tenant_id == current_tenant_id()) & (WebhookEndpoint.id == endpoint_id)).first()
    if row is None:
        raise ENDPOINT_NOT_FOUND
    return _endpoint_out(row)


async def create_endpoint(data: EndpointCreate) -> EndpointCreated:
    await check_destination(data.url, get_settings())
    await quotas.consume("webhook_endpoints")
    endpoint = WebhookEndpoint(tenant_id=current_tenant_id(), url=data.url, description=data.description.strip(),
                               event_types=await _known_event_types(data.event_types), enabled=data.enabled,
                               secret=new_secret())
    await endpoint.save()
    created = await _fetch_endpoint(endpoint.id)
    await audit.record("webhook_endpoint.create", "webhook_endpoint", created.id, after=created)
    return EndpointCreated(**msgspec.structs.asdict(created), secret=endpoint.secret)


async def list_endpoints(limit: int, cursor: str | None) -> Page[EndpointOut]:
    query = WebhookEndpoint.select(*_ENDPOINT_COLUMNS).where(WebhookEndpoint.tenant_id == current_tenant_id())
    if after := decode_cursor(cursor):
        query = query.where(WebhookEndpoint.id > after)
    items = [_endpoint_out(row) for row in await query.order_by(WebhookEndpoint.id).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def get_endpoint(endpoint_id: uuid.UUID) -> EndpointOut:
    return await _fetch_endpoint(endpoint_id)


async def update_endpoint(endpoint_id: uuid.UUID, data: EndpointUpdate) -> EndpointOut:
    before = await _fetch_endpoint(endpoint_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.url, msgspec.UnsetType):
        await check_destination(data.url, get_settings())
        changes[WebhookEndpoint.url] = data.url
    if not isinstance(data.description, msgspec.UnsetType):
        changes[WebhookEndpoint.description] = data.description.strip()
    if not isinstance(data.event_types, msgspec.UnsetType):
        changes[WebhookEndpoint.event_types] = await _known_event_types(data.event_types)
    if not isinstance(data.enabled, msgspec.UnsetType):
        changes[WebhookEndpoint.enabled] = data.enabled
        changes[WebhookEndpoint.disabled_reason] = None  # enabled again, or disabled by hand
    if not changes:
        return before
    await WebhookEndpoint.update(changes).where(
        (WebhookEndpoint.tenant_id == current_tenant_id()) & (WebhookEndpoint.id == endpoint_id))
    after = await _fetch_endpoint(endpoint_id)
    await audit.record("webhook_endpoint.update", "webhook_endpoint", endpoint_id, before=before, after=after)
    return after


async def delete_endpoint(endpoint_id: uuid.UUID) -> None:
    """The endpoint with its deliveries and their attempts."""
    before = await _fetch_endpoint(endpoint_id)
    tenant_id = current_tenant_id()
    await WebhookAttempt.raw(
        "DELETE FROM webhook_attempt a USING webhook_delivery d WHERE a.tenant_id = {} AND d.tenant_id = {} "
        "AND d.endpoint_id = {} AND a.delivery_id = d.id", tenant_id, tenant_id, endpoint_id)
    await WebhookDelivery.delete().where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.endpoint_id == endpoint_id))
    await WebhookEndpoint.delete().where((WebhookEndpoint.tenant_id == tenant_id) & (WebhookEndpoint.id == endpoint_id))
    await quotas.release("webhook_endpoints")
    await audit.record("webhook_endpoint.delete", "webhook_endpoint", endpoint_id, before=before)


def _delivery_out(row: dict[str, Any]) -> DeliveryOut:
    return msgspec.convert({**row, "message_id": message_id(row["event_id"])}, DeliveryOut, strict=False)


async def list_deliveries(endpoint_id: uuid.UUID, limit: int, cursor: str | None) -> Page[DeliveryOut]:
    """The endpoint's deliveries, newest first."""
    await _fetch_endpoint(endpoint_id)  # 404 for another tenant's endpoint, not an empty page
    query = WebhookDelivery.select(*_DELIVERY_COLUMNS).where(
        (WebhookDelivery.tenant_id == current_tenant_id()) & (WebhookDelivery.endpoint_id == endpoint_id))
    if before := decode_cursor(cursor):
        query = query.where(WebhookDelivery.id < before)
    items = [_delivery_out(row) for row in await query.order_by(WebhookDelivery.id, ascending=False).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def get_delivery(delivery_id: uuid.UUID) -> DeliveryDetail:
    """One delivery with every attempt, oldest first."""
    tenant_id = current_tenant_id()
    row = await WebhookDelivery.select(*_DELIVERY_COLUMNS).where(
        (WebhookDelivery.tenant_id == tenant_id) & (WebhookDelivery.id == delivery_id)).first()
    if row is None:
        raise DELIVERY_NOT_FOUND
    attempts = await WebhookAttempt.select(*[getattr(WebhookAttempt, name) for name in AttemptOut.__struct_fields__]
                                           ).where((WebhookAttempt.tenant_id == tenant_id)
                                                   & (WebhookAttempt.delivery_id == delivery_id)
                                                   ).order_by(WebhookAttempt.attempted_at)
    delivery = _delivery_out(row)
    return DeliveryDetail(**msgspec.structs.asdict(delivery),
                          attempts=msgspec.convert(attempts, list[AttemptOut], strict=False))
