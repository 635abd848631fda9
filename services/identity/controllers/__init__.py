"""Identity's HTTP handlers, one module per area."""

from services.identity.controllers.auth import AuthController
from services.identity.controllers.org import BranchController, SalespersonController, SalesTeamController
from services.identity.controllers.roles import MemberRoleController, MyAccessController, RoleController

ROUTE_HANDLERS = [AuthController, RoleController, MemberRoleController, MyAccessController, BranchController,
                  SalespersonController, SalesTeamController]
