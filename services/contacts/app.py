"""The contacts service: customers over their whole life."""

from pathlib import Path

from litestar import Litestar
from litestar.types import ControllerRouterHandler

from infra.settings import Settings
from infra.web import create_service_app
from services.contacts.controllers import CustomerController
from services.contacts.controllers_attributes import AttributeController, PersonController, lifecycle_history
from tenants.auth import TokenResolver


def create_app(settings: Settings | None = None, token_resolver: TokenResolver | None = None) -> Litestar:
    handlers: list[ControllerRouterHandler] = [CustomerController, AttributeController, PersonController,
                                               lifecycle_history]
    return create_service_app("contacts", handlers, title="CRM contacts API", settings=settings,
                              token_resolver=token_resolver, ui_dir=Path(__file__).parent / "ui")
