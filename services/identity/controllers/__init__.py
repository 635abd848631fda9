"""Identity's HTTP handlers, one module per area."""

from services.identity.controllers.api_keys import ApiKeyController
from services.identity.controllers.auth import AuthController

ROUTE_HANDLERS = [AuthController, ApiKeyController]
