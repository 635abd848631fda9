"""Pipeline's HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.pipeline.controllers.activities import ActivityController
from services.pipeline.controllers.activity_types import ActivityTypeController
from services.pipeline.controllers.calendar import CalendarController
from services.pipeline.controllers.notifications import NotificationController
from services.pipeline.controllers.stages import StageController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    StageController,
    ActivityTypeController, ActivityController, CalendarController, NotificationController,
]
