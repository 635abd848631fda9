"""Identity's HTTP handlers, one module per area."""

from services.identity.controllers.audit import AuditLogController
from services.identity.controllers.auth import AuthController
from services.identity.controllers.support import SupportController
from services.identity.controllers.tenant_lifecycle import TenantLifecycleController

ROUTE_HANDLERS = [AuthController, AuditLogController, SupportController, TenantLifecycleController]
