"""Sessions: refresh, logout, switching tenant, and password reset."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from services.identity.controllers.deps import RuntimeDep
from services.identity.schemas import (
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    SwitchTenantRequest,
    TokenResponse,
)
from services.identity.service import password_reset, sessions
from tenants.auth import Authenticated


class SessionController(Controller):
    tags = ["sessions"]

    @post("/token/refresh", status_code=200, opt={"public": True},
          summary="Spend a refresh token for new tokens; reusing a spent one ends the whole session")
    async def refresh(self, runtime: RuntimeDep, data: JSONBody[RefreshRequest]) -> TokenResponse:
        return await sessions.refresh_session(runtime.settings, runtime.redis, data.refresh_token)

    @post("/logout", status_code=204, summary="End the current session (its refresh and access tokens)")
    async def logout(self, runtime: RuntimeDep, principal: Authenticated) -> None:
        await sessions.logout(runtime.settings, runtime.redis, principal)

    @post("/switch-tenant", status_code=200,
          summary="New tokens for another company the caller is an active member of")
    async def switch_tenant(self, runtime: RuntimeDep, principal: Authenticated,
                            data: JSONBody[SwitchTenantRequest]) -> TokenResponse:
        return await sessions.switch_tenant(runtime.settings, runtime.redis, principal, data.tenant_id)

    @post("/password-reset", status_code=202, opt={"public": True},
          summary="Mail a password reset link; answers 202 whether or not the email has an account")
    async def request_password_reset(self, runtime: RuntimeDep, data: JSONBody[PasswordResetRequest]) -> None:
        await password_reset.request_reset(runtime.settings, data.email)

    @post("/password-reset/confirm", status_code=204, opt={"public": True},
          summary="Set a new password with a mailed token; ends every session of the account")
    async def confirm_password_reset(self, runtime: RuntimeDep, data: JSONBody[PasswordResetConfirm]) -> None:
        await password_reset.confirm_reset(runtime.settings, runtime.redis, data.token, data.password)
