"""The partners service: dealers and collaborators, territories, policies, the ERP ledger, credit, targets."""

from pathlib import Path

from litestar import Litestar

from infra.settings import Settings
from infra.web import create_service_app
from services.partners.controllers import ROUTE_HANDLERS
from tenants.auth import TokenResolver


def create_app(settings: Settings | None = None, token_resolver: TokenResolver | None = None) -> Litestar:
    return create_service_app("partners", ROUTE_HANDLERS, title="CRM partners API", settings=settings,
                              token_resolver=token_resolver, ui_dir=Path(__file__).parent / "ui")
