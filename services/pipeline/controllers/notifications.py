"""The caller's in-app notifications (activity reminders)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery

from services.pipeline.schemas import NotificationOut
from services.pipeline.service import notifications
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("activities:read")]


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]

    @get(guards=READ, summary="The caller's notifications, newest first; `unread=true` for the unread ones")
    async def list_notifications(self, access: CallerAccess, unread: FromQuery[bool] = False, limit: Limit = 50,
                                 cursor: Cursor = None) -> Page[NotificationOut]:
        return await notifications.list_notifications(access.user_id, unread, limit, cursor)

    @post("/{notification_id:uuid}/read", guards=READ, status_code=200, summary="Mark one notification read")
    async def mark_read(self, access: CallerAccess, notification_id: FromPath[uuid.UUID]) -> NotificationOut:
        return await notifications.mark_read(access.user_id, notification_id)
