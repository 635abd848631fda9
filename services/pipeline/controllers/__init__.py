"""Pipeline's HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.pipeline.controllers.activities import ActivityController
from services.pipeline.controllers.activity_types import ActivityTypeController
from services.pipeline.controllers.calendar import CalendarController
from services.pipeline.controllers.contracts import ContractController
from services.pipeline.controllers.lost_reasons import LostReasonController
from services.pipeline.controllers.notifications import NotificationController
from services.pipeline.controllers.opportunities import OpportunityController
from services.pipeline.controllers.products import PricePolicyController, ProductController
from services.pipeline.controllers.quotations import QuotationController
from services.pipeline.controllers.stages import StageController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    StageController,
    ActivityTypeController, ActivityController, CalendarController, NotificationController,
    LostReasonController,
    OpportunityController,
    ProductController,
    PricePolicyController,
    QuotationController,
    ContractController,
]
