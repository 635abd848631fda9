"""Activities' HTTP handlers."""

from __future__ import annotations

import uuid

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.pipeline.schemas import (
    ActivityCompletion,
    ActivityCreate,
    ActivityDone,
    ActivityOut,
    ActivityStatus,
    ActivityUpdate,
    RecordType,
)
from services.pipeline.service import activities, completion
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("activities:read")]
WRITE = [requires("activities:write")]


class ActivityController(Controller):
    path = "/activities"
    tags = ["activities"]

    @get(guards=READ, summary="Activities the caller sees, oldest first; by record, assignee or status")
    async def list_activities(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                              record_type: FromQuery[RecordType | None] = None,
                              record_id: FromQuery[uuid.UUID | None] = None,
                              assignee_id: FromQuery[uuid.UUID | None] = None,
                              status: FromQuery[ActivityStatus | None] = None) -> Page[ActivityOut]:
        return await activities.list_activities(access, limit, cursor, record_type, record_id, assignee_id, status)

    @post(guards=WRITE, summary="Schedule an activity on a customer, opportunity, quotation or contract")
    async def create_activity(self, access: CallerAccess, data: JSONBody[ActivityCreate]) -> ActivityOut:
        return await activities.create_activity(access, data)

    @get("/{activity_id:uuid}", guards=READ, summary="One activity, with its state as of now")
    async def get_activity(self, access: CallerAccess, activity_id: FromPath[uuid.UUID]) -> ActivityOut:
        return await activities.get_activity(access, activity_id)

    @patch("/{activity_id:uuid}", guards=WRITE, summary="Change an open activity; a new due date reschedules it")
    async def update_activity(self, access: CallerAccess, activity_id: FromPath[uuid.UUID],
                              data: JSONBody[ActivityUpdate]) -> ActivityOut:
        return await activities.update_activity(access, activity_id, data)

    @post("/{activity_id:uuid}/done", guards=WRITE, status_code=200,
          summary="Mark done with feedback; its type may create the next activity (trigger) or propose it (suggest)")
    async def complete_activity(self, access: CallerAccess, activity_id: FromPath[uuid.UUID],
                                data: JSONBody[ActivityDone]) -> ActivityCompletion:
        return await completion.complete_activity(access, activity_id, data)

    @post("/{activity_id:uuid}/cancel", guards=WRITE, status_code=200, summary="Cancel an open activity")
    async def cancel_activity(self, access: CallerAccess, activity_id: FromPath[uuid.UUID]) -> ActivityOut:
        return await activities.cancel_activity(access, activity_id)
