"""The org structure: branches, salesperson profiles, sales teams. Everyone reads; `org:manage` writes."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from services.identity.schemas import (
    BranchCreate,
    BranchOut,
    BranchUpdate,
    SalespersonCreate,
    SalespersonOut,
    SalespersonUpdate,
    SalesTeamCreate,
    SalesTeamOut,
    SalesTeamUpdate,
)
from services.identity.service import org as service
from tenants.access import requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("org:read")]
MANAGE = [requires("org:manage")]


class BranchController(Controller):
    path = "/branches"
    tags = ["org"]

    @get(guards=READ, summary="Branches (chi nhánh), in creation order")
    async def list_branches(self, limit: Limit = 50, cursor: Cursor = None) -> Page[BranchOut]:
        return await service.list_branches(limit, cursor)

    @post(guards=MANAGE, summary="Open a branch; its code is unique in the company")
    async def create_branch(self, data: JSONBody[BranchCreate]) -> BranchOut:
        return await service.create_branch(data)

    @get("/{branch_id:uuid}", guards=READ, summary="One branch")
    async def get_branch(self, branch_id: FromPath[uuid.UUID]) -> BranchOut:
        return await service.get_branch(branch_id)

    @patch("/{branch_id:uuid}", guards=MANAGE, summary="Change a branch")
    async def update_branch(self, branch_id: FromPath[uuid.UUID], data: JSONBody[BranchUpdate]) -> BranchOut:
        return await service.update_branch(branch_id, data)

    @delete("/{branch_id:uuid}", guards=MANAGE, summary="Close a branch that has no salespeople left")
    async def delete_branch(self, branch_id: FromPath[uuid.UUID]) -> None:
        await service.delete_branch(branch_id)


class SalespersonController(Controller):
    path = "/salespeople"
    tags = ["org"]

    @get(guards=READ, summary="Salesperson profiles, optionally of one branch")
    async def list_salespeople(self, limit: Limit = 50, cursor: Cursor = None,
                               branch_id: FromQuery[uuid.UUID | None] = None) -> Page[SalespersonOut]:
        return await service.list_salespeople(limit, cursor, branch_id)

    @post(guards=MANAGE, summary="Give a member a salesperson profile")
    async def create_salesperson(self, data: JSONBody[SalespersonCreate]) -> SalespersonOut:
        return await service.create_salesperson(data)

    @get("/{salesperson_id:uuid}", guards=READ, summary="One salesperson profile")
    async def get_salesperson(self, salesperson_id: FromPath[uuid.UUID]) -> SalespersonOut:
        return await service.get_salesperson(salesperson_id)

    @patch("/{salesperson_id:uuid}", guards=MANAGE, summary="Change a salesperson profile")
    async def update_salesperson(self, salesperson_id: FromPath[uuid.UUID],
                                 data: JSONBody[SalespersonUpdate]) -> SalespersonOut:
        return await service.update_salesperson(salesperson_id, data)

    @delete("/{salesperson_id:uuid}", guards=MANAGE, summary="Remove a salesperson profile")
    async def delete_salesperson(self, salesperson_id: FromPath[uuid.UUID]) -> None:
        await service.delete_salesperson(salesperson_id)


class SalesTeamController(Controller):
    path = "/sales-teams"
    tags = ["org"]

    @get(guards=READ, summary="Sales teams with their members")
    async def list_teams(self, limit: Limit = 50, cursor: Cursor = None) -> Page[SalesTeamOut]:
        return await service.list_teams(limit, cursor)

    @post(guards=MANAGE, summary="Form a sales team; a member belongs to one team only")
    async def create_team(self, data: JSONBody[SalesTeamCreate]) -> SalesTeamOut:
        return await service.create_team(data)

    @get("/{team_id:uuid}", guards=READ, summary="One sales team")
    async def get_team(self, team_id: FromPath[uuid.UUID]) -> SalesTeamOut:
        return await service.get_team(team_id)

    @patch("/{team_id:uuid}", guards=MANAGE, summary="Change a team; `member_ids` replaces the members")
    async def update_team(self, team_id: FromPath[uuid.UUID], data: JSONBody[SalesTeamUpdate]) -> SalesTeamOut:
        return await service.update_team(team_id, data)

    @delete("/{team_id:uuid}", guards=MANAGE, summary="Disband a team")
    async def delete_team(self, team_id: FromPath[uuid.UUID]) -> None:
        await service.delete_team(team_id)
