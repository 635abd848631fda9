"""HTTP handlers for the duplicate rules, the nightly scan's pairs, and merging customers (and undoing it)."""

from __future__ import annotations

import uuid
from typing import Literal

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.contacts.controllers.customers import READ, WRITE
from services.contacts.schemas import (
    DuplicatePairOut,
    DuplicateRuleOut,
    DuplicateRulesUpdate,
    MergeCreate,
    MergeOut,
)
from services.contacts.service import duplicates, merge
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

MANAGE = [requires("attributes:manage")]


class DuplicateRuleController(Controller):
    path = "/duplicate-rules"
    tags = ["duplicates"]

    @get(guards=READ, summary="The tenant's duplicate match rules (tax code, phone, email, name + province)")
    async def list_rules(self) -> list[DuplicateRuleOut]:
        return await duplicates.list_rules()

    @put(guards=MANAGE, summary="Enable or disable duplicate match rules (those not listed keep their setting)")
    async def update_rules(self, data: JSONBody[DuplicateRulesUpdate]) -> list[DuplicateRuleOut]:
        return await duplicates.update_rules(data)


class DuplicateController(Controller):
    path = "/duplicates"
    tags = ["duplicates"]

    @get(guards=READ, summary="Likely duplicate pairs found by the nightly scan, for review (keyset pages)")
    async def list_pairs(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                         status: FromQuery[Literal["open", "dismissed"]] = "open") -> Page[DuplicatePairOut]:
        return await duplicates.list_pairs(access, status, limit, cursor)

    @post("/{pair_id:uuid}/dismiss", guards=WRITE, status_code=200,
          summary="Not duplicates: the pair stays dismissed in later scans")
    async def dismiss(self, access: CallerAccess, pair_id: FromPath[uuid.UUID]) -> DuplicatePairOut:
        return await duplicates.dismiss_pair(access, pair_id)


class MergeController(Controller):
    path = "/"
    tags = ["duplicates"]

    @post("/customers/{customer_id:uuid}/merge", guards=WRITE,
          summary="Merge `loser_id` into this customer: everything of the loser moves here; undoable")
    async def merge(self, access: CallerAccess, customer_id: FromPath[uuid.UUID],
                    data: JSONBody[MergeCreate]) -> MergeOut:
        return await merge.merge_customers(access, customer_id, data.loser_id)

    @get("/customers/{customer_id:uuid}/merges", guards=READ, summary="The merges into this customer, newest first")
    async def merges_into(self, access: CallerAccess, customer_id: FromPath[uuid.UUID]) -> list[MergeOut]:
        return await merge.merges_into(access, customer_id)

    @get("/merges/{merge_id:uuid}", guards=READ, summary="One merge: what it moved, table by table")
    async def get_merge(self, access: CallerAccess, merge_id: FromPath[uuid.UUID]) -> MergeOut:
        return await merge.get_merge(access, merge_id)

    @post("/merges/{merge_id:uuid}/undo", guards=WRITE, status_code=200,
          summary="Undo a merge: the loser comes back with exactly the rows the merge moved")
    async def undo(self, access: CallerAccess, merge_id: FromPath[uuid.UUID]) -> MergeOut:
        return await merge.undo_merge(access, merge_id)
