"""The tenant's audit log, for its owners and admins."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from services.identity.schemas import AuditEntryOut
from services.identity.service import audit as service
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page

Name = Annotated[str | None, QueryParameter(max_length=100)]


class AuditLogController(Controller):
    guards = [requires("audit:read")]
    path = "/audit-log"
    tags = ["audit"]

    @get(summary="The tenant's audit log, newest first; filter by actor, action, object and time")
    async def list_entries(self, tenant: TenantScope, limit: Limit = 50, cursor: Cursor = None,
                           actor_id: FromQuery[uuid.UUID | None] = None, actor_kind: Name = None,
                           action: Name = None, object_type: Name = None, object_id: Name = None,
                           since: FromQuery[datetime.datetime | None] = None,
                           until: FromQuery[datetime.datetime | None] = None) -> Page[AuditEntryOut]:
        filters = service.AuditFilters(actor_id=actor_id, actor_kind=actor_kind, action=action,
                                       object_type=object_type, object_id=object_id, since=since, until=until)
        return await service.list_entries(tenant, filters, limit, cursor)
