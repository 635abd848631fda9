"""Webhooks' HTTP handlers."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page
from webhooks import replay, rotation, service
from webhooks.schemas import (
    DeliveryDetail,
    DeliveryFilters,
    DeliveryOut,
    DeliveryStatus,
    EndpointCreate,
    EndpointCreated,
    EndpointOut,
    EndpointUpdate,
    EventTypeOut,
    RecoverRequest,
    RecoverResult,
    SecretRotated,
    TestSendRequest,
)

MANAGE = [requires("webhooks:manage")]


@get("/event-types", opt={"public": True}, sync_to_thread=False,
     summary="The event catalogue: every event type with a description (vi/en) and the JSON Schema of its data",
     description='Every message is the envelope `{"type", "timestamp", "data"}`, signed per Standard Webhooks.')
def list_event_types() -> list[EventTypeOut]:
    return service.event_types()


class EndpointController(Controller):
    path = "/endpoints"
    tags = ["webhook endpoints"]
    guards = MANAGE

    @post(status_code=201, opt={"shows_secret_once": True},
          summary="Add an endpoint; its signing secret (`whsec_...`) is in this response only",
          description="`Idempotency-Key` is not honoured here: the response holds a secret that is never replayed.")
    async def create_endpoint(self, tenant: TenantScope, data: JSONBody[EndpointCreate]) -> EndpointCreated:
        return await service.create_endpoint(data)

    @get(summary="The tenant's endpoints (never their secrets)")
    async def list_endpoints(self, tenant: TenantScope, limit: Limit = 50,
                             cursor: Cursor = None) -> Page[EndpointOut]:
        return await service.list_endpoints(limit, cursor)

    @get("/{endpoint_id:uuid}", summary="One endpoint")
    async def get_endpoint(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID]) -> EndpointOut:
        return await service.get_endpoint(endpoint_id)

    @patch("/{endpoint_id:uuid}", summary="Change an endpoint's URL, description, event types or enabled flag")
    async def update_endpoint(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID],
                              data: JSONBody[EndpointUpdate]) -> EndpointOut:
        return await service.update_endpoint(endpoint_id, data)

    @delete("/{endpoint_id:uuid}", summary="Delete an endpoint with its delivery log")
    async def delete_endpoint(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID]) -> None:
        await service.delete_endpoint(endpoint_id)

    @get("/{endpoint_id:uuid}/deliveries",
         summary="The endpoint's deliveries, newest first; filter by status, event type, created [since, until)")
    async def list_deliveries(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID], limit: Limit = 50,
                              cursor: Cursor = None, status: FromQuery[DeliveryStatus | None] = None,
                              event_type: Annotated[str | None, QueryParameter(max_length=100)] = None,
                              since: FromQuery[datetime.datetime | None] = None,
                              until: FromQuery[datetime.datetime | None] = None) -> Page[DeliveryOut]:
        filters = DeliveryFilters(status=status, event_type=event_type, since=since, until=until)
        return await service.list_deliveries(endpoint_id, filters, limit, cursor)

    @post("/{endpoint_id:uuid}/recover", status_code=202,
          summary="Queue again every failed delivery of the endpoint created in [since, until)")
    async def recover(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID],
                      data: JSONBody[RecoverRequest]) -> RecoverResult:
        return await replay.recover(endpoint_id, data)

    @post("/{endpoint_id:uuid}/rotate-secret", status_code=200, opt={"shows_secret_once": True},
          summary="A new signing secret, in this response only; the previous one also signs for 24 hours")
    async def rotate_secret(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID]) -> SecretRotated:
        return await rotation.rotate_secret(endpoint_id)

    @post("/{endpoint_id:uuid}/test", status_code=202,
          summary="Send a sample event of a catalogue type to this endpoint only")
    async def send_test(self, tenant: TenantScope, endpoint_id: FromPath[uuid.UUID],
                        data: JSONBody[TestSendRequest]) -> DeliveryOut:
        return await replay.send_test(endpoint_id, data)


class DeliveryController(Controller):
    path = "/deliveries"
    tags = ["webhook deliveries"]
    guards = MANAGE

    @get("/{delivery_id:uuid}", summary="One delivery with every attempt (time, status, duration, response)")
    async def get_delivery(self, tenant: TenantScope, delivery_id: FromPath[uuid.UUID]) -> DeliveryDetail:
        return await service.get_delivery(delivery_id)

    @post("/{delivery_id:uuid}/resend", status_code=202,
          summary="Send the delivery again, same `webhook-id`, with a fresh retry schedule")
    async def resend(self, tenant: TenantScope, delivery_id: FromPath[uuid.UUID]) -> DeliveryDetail:
        return await replay.resend(delivery_id)
