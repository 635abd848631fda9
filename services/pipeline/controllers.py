"""Pipeline's HTTP handlers."""

from __future__ import annotations

from litestar import Controller, get, post

from services.pipeline import service
from services.pipeline.schemas import StageCreate, StageOut
from tenants.auth import Principal


class StageController(Controller):
    path = "/stages"
    tags = ["stages"]

    @get(summary="The tenant's stages, in order")
    async def list_stages(self, tenant: Principal) -> list[StageOut]:
        return await service.list_stages()

    @post(summary="Add a stage at the end")
    async def create_stage(self, tenant: Principal, data: StageCreate) -> StageOut:
        return await service.create_stage(data)
