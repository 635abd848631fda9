"""Reporting's HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.reporting.controllers.indicators import IndicatorController
from services.reporting.controllers.reports import ReportController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    IndicatorController,
    ReportController,
]
