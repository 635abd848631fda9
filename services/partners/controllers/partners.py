"""Partner profiles, their hierarchy, and the customer parent/subsidiary tree."""

from __future__ import annotations

import datetime
import uuid

from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from services.partners.schemas import (
    AccountParentSet,
    PartnerCreate,
    PartnerKind,
    PartnerOut,
    PartnerStatus,
    PartnerUpdate,
    RollUp,
    TreeNode,
)
from services.partners.service import accounts
from services.partners.service import partners as service
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("partners:read")]
WRITE = [requires("partners:write")]


class PartnerController(Controller):
    path = "/partners"
    tags = ["partners"]

    @get(guards=READ, summary="Partners, filtered by kind, status, parent or territory")
    async def list_partners(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                            kind: FromQuery[PartnerKind | None] = None, status: FromQuery[PartnerStatus | None] = None,
                            parent_id: FromQuery[uuid.UUID | None] = None,
                            territory_id: FromQuery[uuid.UUID | None] = None) -> Page[PartnerOut]:
        return await service.list_partners(access, limit, cursor, kind, status, parent_id, territory_id)

    @post(guards=WRITE, summary="Make a customer a dealer or a collaborator")
    async def create_partner(self, access: CallerAccess, data: JSONBody[PartnerCreate]) -> PartnerOut:
        return await service.create_partner(access, data)

    @get("/{partner_id:uuid}", guards=READ, summary="One partner")
    async def get_partner(self, access: CallerAccess, partner_id: FromPath[uuid.UUID]) -> PartnerOut:
        return await service.get_partner(access, partner_id)

    @patch("/{partner_id:uuid}", guards=WRITE, summary="Change a partner's tier, status, parent or assignments")
    async def update_partner(self, access: CallerAccess, partner_id: FromPath[uuid.UUID],
                             data: JSONBody[PartnerUpdate]) -> PartnerOut:
        return await service.update_partner(access, partner_id, data)

    @get("/{partner_id:uuid}/tree", guards=READ, summary="The partner and everyone under it")
    async def partner_tree(self, access: CallerAccess, partner_id: FromPath[uuid.UUID]) -> list[TreeNode]:
        return await service.partner_tree(access, partner_id)


class AccountController(Controller):
    path = "/accounts"
    tags = ["accounts"]

    @put("/{customer_id:uuid}/parent", guards=WRITE, summary="Place a customer under a parent company (or none)")
    async def set_parent(self, customer_id: FromPath[uuid.UUID], data: JSONBody[AccountParentSet]) -> list[TreeNode]:
        return await accounts.set_parent(customer_id, data.parent_customer_id)

    @get("/{customer_id:uuid}/tree", guards=READ, summary="A customer and its subsidiaries")
    async def account_tree(self, customer_id: FromPath[uuid.UUID]) -> list[TreeNode]:
        return await accounts.account_tree(customer_id)

    @get("/{customer_id:uuid}/roll-up", guards=READ,
         summary="Revenue and debt of a customer, with its subsidiaries' when asked")
    async def roll_up(self, customer_id: FromPath[uuid.UUID], include_children: FromQuery[bool] = True,
                      date_from: FromQuery[datetime.date | None] = None,
                      date_to: FromQuery[datetime.date | None] = None) -> RollUp:
        return await accounts.roll_up(customer_id, include_children, date_from, date_to)
