"""Discount targets with tiered rebates, and their progress."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.partners.schemas import TargetCreate, TargetProgress
from services.partners.service import targets as service
from tenants.access import CallerAccess, requires

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]


class TargetController(Controller):
    path = "/targets"
    tags = ["targets"]

    @get(guards=READ, summary="Targets with their progress, for one partner or all")
    async def list_targets(self, access: CallerAccess,
                           partner_id: FromQuery[uuid.UUID | None] = None) -> list[TargetProgress]:
        return await service.list_targets(access, partner_id)

    @post(guards=WRITE, summary="Set a partner's target for a month, quarter or year")
    async def create_target(self, access: CallerAccess, data: JSONBody[TargetCreate]) -> TargetProgress:
        return await service.create_target(access, data)

    @get("/{target_id:uuid}", guards=READ, summary="A target's progress today (or its result once closed)")
    async def progress(self, access: CallerAccess, target_id: FromPath[uuid.UUID]) -> TargetProgress:
        return await service.progress(target_id, access)
