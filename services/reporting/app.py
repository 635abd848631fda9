"""The reporting service: the read side (indicators, charts, reports)."""

from pathlib import Path

from litestar import Litestar

from infra.settings import Settings
from infra.web import create_service_app
from services.reporting.controllers import ROUTE_HANDLERS
from tenants.auth import TokenResolver


def create_app(settings: Settings | None = None, token_resolver: TokenResolver | None = None) -> Litestar:
    return create_service_app("reporting", ROUTE_HANDLERS, title="CRM reporting API", settings=settings,
                              token_resolver=token_resolver, ui_dir=Path(__file__).parent / "ui")
