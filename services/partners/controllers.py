"""Partners' HTTP handlers."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from services.partners import service
from services.partners.schemas import TerritoryCreate, TerritoryOut
from tenants.access import requires
from tenants.auth import TenantScope


class TerritoryController(Controller):
    path = "/territories"
    tags = ["territories"]

    @get(guards=[requires("partners:read")], summary="The tenant's territories")
    async def list_territories(self, tenant: TenantScope) -> list[TerritoryOut]:
        return await service.list_territories()

    @post(guards=[requires("partners:write")], summary="Add a territory")
    async def create_territory(self, tenant: TenantScope, data: JSONBody[TerritoryCreate]) -> TerritoryOut:
        return await service.create_territory(data)
