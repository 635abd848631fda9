"""The webhooks service: the event catalogue, the tenant's endpoints and their delivery log."""

from pathlib import Path

from litestar import Litestar

from infra.settings import Settings
from infra.web import create_service_app
from tenants.auth import TokenResolver
from webhooks.controllers import DeliveryController, EndpointController, list_event_types
from webhooks.support import SupportWebhooksController


def create_app(settings: Settings | None = None, token_resolver: TokenResolver | None = None) -> Litestar:
    return create_service_app("webhooks", [list_event_types, EndpointController, DeliveryController,
                                           SupportWebhooksController],
                              title="CRM webhooks API", settings=settings, token_resolver=token_resolver,
                              ui_dir=Path(__file__).parent / "ui")
