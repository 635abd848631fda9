"""Identity's HTTP handlers: parse, call the service layer, shape the response."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from services.identity.schemas import LoginRequest, MeResponse, SignupRequest, TokenResponse
from services.identity.service import auth as service
from tenants.auth import Authenticated


class AuthController(Controller):
    tags = ["auth"]

    @post("/signup", status_code=201, opt={"public": True},
          summary="Create a company (tenant) and its owner; returns a token")
    async def signup(self, request: Request[Any, Any, Any], data: JSONBody[SignupRequest]) -> TokenResponse:
        return await service.signup(request.app.state.settings, data)

    @post("/login", status_code=200, opt={"public": True},
          summary="Log in with email and password; returns a token for one tenant")
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginRequest]) -> TokenResponse:
        return await service.login(request.app.state.settings, request.app.state.runtime.redis, data)

    @get("/me", summary="The caller, the current tenant and every tenant the caller belongs to")
    async def me(self, principal: Authenticated) -> MeResponse:
        return await service.me(principal)
