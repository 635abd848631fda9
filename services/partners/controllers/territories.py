"""Territories: regions of provinces and districts, their coverage, and proposals from an address."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from infra.vn import PROVINCES
from services.partners.schemas import (
    Coverage,
    Proposal,
    ProposalRequest,
    TerritoryCreate,
    TerritoryOut,
    TerritoryUpdate,
)
from services.partners.service import territories as service
from tenants.access import requires

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]


class TerritoryController(Controller):
    path = "/territories"
    tags = ["territories"]

    @get(guards=READ, summary="The tenant's territories")
    async def list_territories(self) -> list[TerritoryOut]:
        return await service.list_territories()

    @post(guards=WRITE, summary="Add a territory of whole provinces and of districts within others")
    async def create_territory(self, data: JSONBody[TerritoryCreate]) -> TerritoryOut:
        return await service.create_territory(data)

    @get("/provinces", guards=READ, summary="The provinces a territory is made of: GSO code -> name")
    async def provinces(self) -> dict[str, str]:
        return PROVINCES

    @get("/coverage", guards=READ, summary="Places claimed by several territories, and provinces nobody covers")
    async def coverage(self) -> Coverage:
        return await service.coverage()

    @post("/proposal", guards=READ, status_code=200,
          summary="For an address: the territories covering it, an owner and the dealers there")
    async def propose(self, data: JSONBody[ProposalRequest]) -> Proposal:
        return await service.propose(data)

    @get("/{territory_id:uuid}", guards=READ, summary="One territory")
    async def get_territory(self, territory_id: FromPath[uuid.UUID]) -> TerritoryOut:
        return await service.get_territory(territory_id)

    @patch("/{territory_id:uuid}", guards=WRITE, summary="Rename a territory or change what it covers")
    async def update_territory(self, territory_id: FromPath[uuid.UUID],
                               data: JSONBody[TerritoryUpdate]) -> TerritoryOut:
        return await service.update_territory(territory_id, data)

    @delete("/{territory_id:uuid}", guards=WRITE, summary="Remove a territory and its assignments")
    async def delete_territory(self, territory_id: FromPath[uuid.UUID]) -> None:
        await service.delete_territory(territory_id)
