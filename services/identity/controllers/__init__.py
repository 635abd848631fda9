"""Identity's HTTP handlers, one module per area."""

from services.identity.controllers.api_keys import ApiKeyController
from services.identity.controllers.audit import AuditLogController
from services.identity.controllers.auth import AuthController
from services.identity.controllers.billing import BillingController, StripeWebhookController, SupportBillingController
from services.identity.controllers.invitations import InvitationController
from services.identity.controllers.jobs import JobConsoleController
from services.identity.controllers.members import MemberController
from services.identity.controllers.org import BranchController, SalespersonController, SalesTeamController
from services.identity.controllers.roles import MemberRoleController, MyAccessController, RoleController
from services.identity.controllers.sessions import SessionController
from services.identity.controllers.support import SupportController
from services.identity.controllers.support_jobs import SupportJobsController
from services.identity.controllers.tenant_lifecycle import TenantLifecycleController
from services.identity.controllers.tenant_settings import TenantSettingsController

ROUTE_HANDLERS = [AuthController, SessionController, InvitationController, MemberController, ApiKeyController,
                  RoleController, MemberRoleController, MyAccessController, BranchController,
                  SalespersonController, SalesTeamController, AuditLogController, SupportController,
                  TenantLifecycleController, TenantSettingsController, BillingController, StripeWebhookController,
                  SupportBillingController, JobConsoleController, SupportJobsController]
