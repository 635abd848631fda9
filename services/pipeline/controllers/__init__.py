"""Pipeline's HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.pipeline.controllers.stages import StageController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    StageController,
]
