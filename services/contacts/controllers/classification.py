"""Classification's HTTP handlers: groups (a tree), sources, relationship statuses, tags, and a customer's
groups, tags and status history."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from services.contacts.controllers.customers import READ, WRITE
from services.contacts.schemas import (
    CustomerIds,
    GroupCreate,
    GroupNode,
    GroupOut,
    GroupUpdate,
    Linked,
    SourceOut,
    SourceWrite,
    StatusChangeOut,
    StatusCreate,
    StatusOut,
    StatusUpdate,
    TagCreate,
    TagIds,
    TagOut,
    TagUpdate,
)
from services.contacts.service import customers, groups, sources, statuses, tags
from tenants.access import CallerAccess
from tenants.pagination import Cursor, Limit, Page


class GroupController(Controller):
    path = "/groups"
    tags = ["classification"]

    @get(guards=READ, summary="The group tree, depth first, siblings by name; `depth` 0 is the top")
    async def list_groups(self) -> list[GroupNode]:
        return await groups.list_groups()

    @post(guards=WRITE, summary="Create a group; its code comes from the name (KHACH-HANG-HA-NOI, then -2)")
    async def create_group(self, data: JSONBody[GroupCreate]) -> GroupOut:
        return await groups.create_group(data)

    @get("/{group_id:uuid}", guards=READ, summary="One group")
    async def get_group(self, group_id: FromPath[uuid.UUID]) -> GroupOut:
        return await groups.get_group(group_id)

    @patch("/{group_id:uuid}", guards=WRITE, summary="Rename or move a group (never under itself: 409)")
    async def update_group(self, group_id: FromPath[uuid.UUID], data: JSONBody[GroupUpdate]) -> GroupOut:
        return await groups.update_group(group_id, data)

    @delete("/{group_id:uuid}", guards=WRITE, summary="Delete a group without subgroups; its customers leave it")
    async def delete_group(self, group_id: FromPath[uuid.UUID]) -> None:
        await groups.delete_group(group_id)

    @post("/{group_id:uuid}/customers", guards=WRITE, status_code=200, summary="Put customers in the group")
    async def assign_customers(self, access: CallerAccess, group_id: FromPath[uuid.UUID],
                               data: JSONBody[CustomerIds]) -> Linked:
        return await groups.assign_customers(access, group_id, data)

    @delete("/{group_id:uuid}/customers/{customer_id:uuid}", guards=WRITE, summary="Take a customer out")
    async def unassign_customer(self, access: CallerAccess, group_id: FromPath[uuid.UUID],
                                customer_id: FromPath[uuid.UUID]) -> None:
        await groups.unassign_customer(access, group_id, customer_id)


class SourceController(Controller):
    path = "/sources"
    tags = ["classification"]

    @get(guards=READ, summary="Customer sources, by name")
    async def list_sources(self) -> list[SourceOut]:
        return await sources.list_sources()

    @post(guards=WRITE, summary="Create a source (names are unique, diacritics ignored)")
    async def create_source(self, data: JSONBody[SourceWrite]) -> SourceOut:
        return await sources.create_source(data)

    @get("/{source_id:uuid}", guards=READ, summary="One source")
    async def get_source(self, source_id: FromPath[uuid.UUID]) -> SourceOut:
        return await sources.get_source(source_id)

    @patch("/{source_id:uuid}", guards=WRITE, summary="Rename a source")
    async def update_source(self, source_id: FromPath[uuid.UUID], data: JSONBody[SourceWrite]) -> SourceOut:
        return await sources.update_source(source_id, data)

    @delete("/{source_id:uuid}", guards=WRITE, summary="Delete a source no customer uses")
    async def delete_source(self, source_id: FromPath[uuid.UUID]) -> None:
        await sources.delete_source(source_id)


class RelationshipStatusController(Controller):
    path = "/relationship-statuses"
    tags = ["classification"]

    @get(guards=READ, summary="The tenant's relationship statuses in order (seeded on first use)")
    async def list_statuses(self) -> list[StatusOut]:
        return await statuses.list_statuses()

    @post(guards=WRITE, summary="Add a status")
    async def create_status(self, data: JSONBody[StatusCreate]) -> StatusOut:
        return await statuses.create_status(data)

    @get("/{status_id:uuid}", guards=READ, summary="One status")
    async def get_status(self, status_id: FromPath[uuid.UUID]) -> StatusOut:
        return await statuses.get_status(status_id)

    @patch("/{status_id:uuid}", guards=WRITE, summary="Rename or reorder a status")
    async def update_status(self, status_id: FromPath[uuid.UUID], data: JSONBody[StatusUpdate]) -> StatusOut:
        return await statuses.update_status(status_id, data)

    @delete("/{status_id:uuid}", guards=WRITE, summary="Delete a status no customer has; system ones never")
    async def delete_status(self, status_id: FromPath[uuid.UUID]) -> None:
        await statuses.delete_status(status_id)


class TagController(Controller):
    path = "/tags"
    tags = ["classification"]

    @get(guards=READ, summary="Tags, by name")
    async def list_tags(self) -> list[TagOut]:
        return await tags.list_tags()

    @post(guards=WRITE, summary="Create a tag (names are unique, diacritics ignored)")
    async def create_tag(self, data: JSONBody[TagCreate]) -> TagOut:
        return await tags.create_tag(data)

    @get("/{tag_id:uuid}", guards=READ, summary="One tag")
    async def get_tag(self, tag_id: FromPath[uuid.UUID]) -> TagOut:
        return await tags.get_tag(tag_id)

    @patch("/{tag_id:uuid}", guards=WRITE, summary="Rename or recolour a tag")
    async def update_tag(self, tag_id: FromPath[uuid.UUID], data: JSONBody[TagUpdate]) -> TagOut:
        return await tags.update_tag(tag_id, data)

    @delete("/{tag_id:uuid}", guards=WRITE, summary="Delete a tag; every customer loses it")
    async def delete_tag(self, tag_id: FromPath[uuid.UUID]) -> None:
        await tags.delete_tag(tag_id)


class CustomerClassificationController(Controller):
    path = "/customers/{customer_id:uuid}"
    tags = ["classification"]

    @get("/groups", guards=READ, summary="The groups a customer is in")
    async def customer_groups(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> list[GroupOut]:
        return await groups.groups_of_customer(access, customer_id)

    @get("/tags", guards=READ, summary="A customer's tags")
    async def customer_tags(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> list[TagOut]:
        return await tags.tags_of_customer(access, customer_id)

    @post("/tags", guards=WRITE, status_code=200, summary="Give a customer some tags")
    async def tag_customer(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                           data: JSONBody[TagIds]) -> Linked:
        return await tags.tag_customer(access, customer_id, data.tag_ids)

    @delete("/tags/{tag_id:uuid}", guards=WRITE, summary="Take a tag off a customer")
    async def untag_customer(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                             tag_id: FromPath[uuid.UUID]) -> None:
        await tags.untag_customer(access, customer_id, tag_id)

    @get("/status-history", guards=READ, summary="A customer's relationship status changes, newest first")
    async def status_history(self, access: CallerAccess, customer_id: FromPath[uuid.UUID], limit: Limit = 50,
                             cursor: Cursor = None) -> Page[StatusChangeOut]:
        return await customers.status_history(access, customer_id, limit, cursor)
