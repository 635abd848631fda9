"""Pipeline's HTTP handlers: stages."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.pipeline.schemas import StageCreate, StageOrder, StageOut, StageUpdate
from services.pipeline.service import stages as service
from services.pipeline.service.stage_removal import delete_stage
from tenants.access import requires
from tenants.auth import TenantScope

WRITE = [requires("stages:write")]


class StageController(Controller):
    path = "/stages"
    tags = ["stages"]

    @get(guards=[requires("stages:read")], summary="The tenant's stages in order, or those a team uses (`team_id`: "
                                                   "the shared ones and its own)")
    async def list_stages(self, tenant: TenantScope, team_id: FromQuery[uuid.UUID | None] = None) -> list[StageOut]:
        return await service.list_stages(team_id)

    @post(guards=WRITE, summary="Add a stage at the end")
    async def create_stage(self, tenant: TenantScope, data: JSONBody[StageCreate]) -> StageOut:
        return await service.create_stage(data)

    @put("/order", guards=WRITE, summary="Set the whole order of a team's board (or of all stages) in one call")
    async def reorder_stages(self, tenant: TenantScope, data: JSONBody[StageOrder]) -> list[StageOut]:
        return await service.reorder_stages(data)

    @get("/{stage_id:uuid}", guards=[requires("stages:read")], summary="One stage")
    async def get_stage(self, tenant: TenantScope, stage_id: FromPath[uuid.UUID]) -> StageOut:
        return await service.get_stage(stage_id)

    @patch("/{stage_id:uuid}", guards=WRITE, summary="Change a stage; a new probability carries over to the "
                                                     "opportunities that follow it")
    async def update_stage(self, tenant: TenantScope, stage_id: FromPath[uuid.UUID],
                           data: JSONBody[StageUpdate]) -> StageOut:
        return await service.update_stage(stage_id, data)

    @delete("/{stage_id:uuid}", guards=WRITE, summary="Delete a stage; one holding opportunities needs `move_to`")
    async def delete_stage(self, tenant: TenantScope, stage_id: FromPath[uuid.UUID],
                           move_to: FromQuery[uuid.UUID | None] = None) -> None:
        await delete_stage(stage_id, move_to)
