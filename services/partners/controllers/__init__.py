"""Partners' HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.partners.controllers.agreements import AgreementController, PartnerAgreementController, ResultsController
from services.partners.controllers.attributes import PartnerAttributeController
from services.partners.controllers.credit import CreditController, LedgerController
from services.partners.controllers.partners import AccountController, PartnerController
from services.partners.controllers.policies import PolicyController
from services.partners.controllers.targets import TargetController
from services.partners.controllers.territories import TerritoryController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    TerritoryController, PartnerController, AccountController, PolicyController, LedgerController,
    CreditController, TargetController, PartnerAttributeController, PartnerAgreementController, AgreementController,
    ResultsController,
]
