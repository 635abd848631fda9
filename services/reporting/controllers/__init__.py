"""Reporting's HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.reporting.controllers.indicators import IndicatorController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    IndicatorController,
]
