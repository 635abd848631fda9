"""Partners' HTTP handlers."""

from __future__ import annotations

from litestar import Controller, get, post

from services.partners import service
from services.partners.schemas import TerritoryCreate, TerritoryOut
from tenants.auth import Principal


class TerritoryController(Controller):
    path = "/territories"
    tags = ["territories"]

    @get(summary="The tenant's territories")
    async def list_territories(self, tenant: Principal) -> list[TerritoryOut]:
        return await service.list_territories()

    @post(summary="Add a territory")
    async def create_territory(self, tenant: Principal, data: TerritoryCreate) -> TerritoryOut:
        return await service.create_territory(data)
