"""Pipeline's HTTP handlers."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from services.pipeline.schemas import StageCreate, StageOut
from services.pipeline.service import stages as service
from tenants.access import requires
from tenants.auth import TenantScope


class StageController(Controller):
    path = "/stages"
    tags = ["stages"]

    @get(guards=[requires("stages:read")], summary="The tenant's stages, in order")
    async def list_stages(self, tenant: TenantScope) -> list[StageOut]:
        return await service.list_stages()

    @post(guards=[requires("stages:write")], summary="Add a stage at the end")
    async def create_stage(self, tenant: TenantScope, data: JSONBody[StageCreate]) -> StageOut:
        return await service.create_stage(data)
