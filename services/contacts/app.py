"""The contacts service: customers over their whole life."""

from pathlib import Path

from litestar import Litestar

from infra.settings import Settings
from infra.web import create_service_app
from services.contacts.controllers import ROUTE_HANDLERS
from tenants.auth import TokenResolver


def create_app(settings: Settings | None = None, token_resolver: TokenResolver | None = None) -> Litestar:
    return create_service_app("contacts", ROUTE_HANDLERS, title="CRM contacts API", settings=settings,
                              token_resolver=token_resolver, ui_dir=Path(__file__).parent / "ui")
