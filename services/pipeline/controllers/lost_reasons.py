"""Pipeline's HTTP handlers: lost reasons."""

from __future__ import annotations

import uuid

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.pipeline.schemas import LostReasonCreate, LostReasonOut, LostReasonUpdate
from services.pipeline.service import lost_reasons as service
from tenants.access import requires
from tenants.auth import TenantScope

# Configuring the sales process is the stages permission; any salesperson reads the list to mark a loss.
WRITE = [requires("stages:write")]


class LostReasonController(Controller):
    path = "/lost-reasons"
    tags = ["lost reasons"]

    @get(guards=[requires("opportunities:read")], summary="The tenant's lost reasons (`active=true`: those offered)")
    async def list_lost_reasons(self, tenant: TenantScope,
                                active: FromQuery[bool] = False) -> list[LostReasonOut]:
        return await service.list_lost_reasons(active_only=active)

    @post(guards=WRITE, summary="Add a lost reason")
    async def create_lost_reason(self, tenant: TenantScope, data: JSONBody[LostReasonCreate]) -> LostReasonOut:
        return await service.create_lost_reason(data)

    @patch("/{reason_id:uuid}", guards=WRITE, summary="Rename or (de)activate a lost reason")
    async def update_lost_reason(self, tenant: TenantScope, reason_id: FromPath[uuid.UUID],
                                 data: JSONBody[LostReasonUpdate]) -> LostReasonOut:
        return await service.update_lost_reason(reason_id, data)
