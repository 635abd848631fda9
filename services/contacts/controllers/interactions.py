"""HTTP handlers for a customer's interactions and timeline."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from services.contacts.schemas import InteractionCreate, InteractionOut, TimelineEntry
from services.contacts.service import interactions, timeline
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("customers:read")]
WRITE = [requires("customers:write")]


class InteractionController(Controller):
    path = "/customers/{customer_id:uuid}"
    tags = ["interactions"]

    @post("/interactions", guards=WRITE,
          summary="Log a call, meeting, care action, email, note or consulting entry with the customer",
          description="Moves the customer's `last_contacted_at` forward, and brings a customer at "
                      "\"Đừng quên\" back to the status it had before.")
    async def create_interaction(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                                 data: JSONBody[InteractionCreate]) -> InteractionOut:
        return await interactions.create_interaction(access, customer_id, data)

    @get("/interactions", guards=READ, summary="The customer's interactions, the latest logged first")
    async def list_interactions(self, access: CallerAccess, customer_id: FromPath[uuid.UUID], limit: Limit = 50,
                                cursor: Cursor = None) -> Page[InteractionOut]:
        return await interactions.list_interactions(access, customer_id, limit, cursor)

    @get("/interactions/{interaction_id:uuid}", guards=READ, summary="One interaction")
    async def get_interaction(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                              interaction_id: FromPath[uuid.UUID]) -> InteractionOut:
        return await interactions.get_interaction(access, customer_id, interaction_id)

    @get("/timeline", guards=READ,
         summary="Everything that happened with the customer, newest first: interactions, status and lifecycle "
                 "changes, documents")
    async def customer_timeline(self, access: CallerAccess, customer_id: FromPath[uuid.UUID], limit: Limit = 50,
                                cursor: Cursor = None) -> Page[TimelineEntry]:
        return await timeline.customer_timeline(access, customer_id, limit, cursor)
