"""API keys of the caller's tenant: create (the key is shown in that response only), list, revoke."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from services.identity.controllers.deps import RuntimeDep
from services.identity.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from services.identity.service import api_keys as service
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page


class ApiKeyController(Controller):
    guards = [requires("api_keys:manage")]
    path = "/api-keys"
    tags = ["api keys"]

    @post(status_code=201, opt={"shows_secret_once": True},
          summary="Create an API key (owner or admin); the key is in this response only",
          description="`Idempotency-Key` is not honoured here: the response holds a secret that is never stored.")
    async def create_api_key(self, tenant: TenantScope, data: JSONBody[ApiKeyCreate]) -> ApiKeyCreated:
        return await service.create_api_key(tenant, data)

    @get(summary="The tenant's API keys, revoked ones included (never their secrets)")
    async def list_api_keys(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None) -> Page[ApiKeyOut]:
        return await service.list_api_keys(tenant, limit, cursor)

    @delete("/{key_id:uuid}", summary="Revoke an API key; it stops working on its next request")
    async def revoke_api_key(self, tenant: TenantScope, runtime: RuntimeDep, key_id: FromPath[uuid.UUID]) -> None:
        await service.revoke_api_key(runtime.redis, key_id)
