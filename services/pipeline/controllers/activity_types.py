"""Activity types' HTTP handlers. Changing them is pipeline configuration: the permission that sets stages."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.pipeline.schemas import ActivityTypeCreate, ActivityTypeOut, ActivityTypeUpdate
from services.pipeline.service import activity_types as service
from tenants.access import requires

READ = [requires("activities:read")]
CONFIGURE = [requires("stages:write")]


class ActivityTypeController(Controller):
    path = "/activity-types"
    tags = ["activities"]

    @get(guards=READ, summary="The tenant's activity types in order (seeded on first use); archived ones on request")
    async def list_activity_types(self, include_archived: FromQuery[bool] = False) -> list[ActivityTypeOut]:
        return await service.list_activity_types(include_archived)

    @post(guards=CONFIGURE, summary="Add an activity type, with its delay and chaining (trigger or suggest)")
    async def create_activity_type(self, data: JSONBody[ActivityTypeCreate]) -> ActivityTypeOut:
        return await service.create_activity_type(data)

    @get("/{type_id:uuid}", guards=READ, summary="One activity type")
    async def get_activity_type(self, type_id: FromPath[uuid.UUID]) -> ActivityTypeOut:
        return await service.get_activity_type(type_id)

    @patch("/{type_id:uuid}", guards=CONFIGURE, summary="Change an activity type (loops in the chain are allowed)")
    async def update_activity_type(self, type_id: FromPath[uuid.UUID],
                                   data: JSONBody[ActivityTypeUpdate]) -> ActivityTypeOut:
        return await service.update_activity_type(type_id, data)

    @delete("/{type_id:uuid}", guards=CONFIGURE, summary="Archive an activity type; its activities keep it")
    async def archive_activity_type(self, type_id: FromPath[uuid.UUID]) -> None:
        await service.archive_activity_type(type_id)
