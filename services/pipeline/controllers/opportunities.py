"""Pipeline's HTTP handlers: leads, opportunities and the board."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from services.pipeline.schemas import (
    Board,
    Currency,
    MarkLost,
    MoveStage,
    OpportunityCreate,
    OpportunityFilter,
    OpportunityKind,
    OpportunityOut,
    OpportunityState,
    OpportunityUpdate,
    Qualify,
    StageMoveOut,
)
from services.pipeline.service import opportunities as service
from services.pipeline.service.board import board
from tenants.access import CallerAccess, requires
from tenants.pagination import Cursor, Limit, Page

READ = [requires("opportunities:read")]
WRITE = [requires("opportunities:write")]
Tag = Annotated[str | None, QueryParameter(max_length=100)]
# `state` is a name Litestar reserves for the app state; the query parameter keeps it.
StateQuery = Annotated[OpportunityState | None, QueryParameter(query="state")]
PerColumn = Annotated[int, QueryParameter(ge=0, le=100, description="Cards per column (0-100)")]


class OpportunityController(Controller):
    path = "/opportunities"
    tags = ["opportunities"]

    @get(guards=READ, summary="List the leads and opportunities the caller sees (keyset pages)")
    async def list_opportunities(self, access: CallerAccess, limit: Limit = 50, cursor: Cursor = None,
                                 team_id: FromQuery[uuid.UUID | None] = None,
                                 owner_id: FromQuery[uuid.UUID | None] = None, tag: Tag = None,
                                 close_from: FromQuery[datetime.date | None] = None,
                                 close_to: FromQuery[datetime.date | None] = None,
                                 kind: FromQuery[OpportunityKind | None] = None,
                                 open_state: StateQuery = None,
                                 stage_id: FromQuery[uuid.UUID | None] = None,
                                 customer_id: FromQuery[uuid.UUID | None] = None) -> Page[OpportunityOut]:
        where = OpportunityFilter(team_id=team_id, owner_id=owner_id, tag=tag, close_from=close_from,
                                  close_to=close_to, kind=kind, state=open_state, stage_id=stage_id,
                                  customer_id=customer_id)
        return await service.list_opportunities(access, limit, cursor, where)

    @get("/board", guards=READ, summary="Open opportunities by stage: every stage of the team in order, with "
                                        "count, expected and weighted revenue and the first cards of each")
    async def get_board(self, access: CallerAccess, team_id: FromQuery[uuid.UUID | None] = None,
                        owner_id: FromQuery[uuid.UUID | None] = None, tag: Tag = None,
                        close_from: FromQuery[datetime.date | None] = None,
                        close_to: FromQuery[datetime.date | None] = None,
                        currency: Annotated[Currency, QueryParameter(pattern="^[A-Z]{3}$")] = "VND",
                        per_column: PerColumn = 20) -> Board:
        where = OpportunityFilter(team_id=team_id, owner_id=owner_id, tag=tag, close_from=close_from,
                                  close_to=close_to)
        return await board(access, where, currency, per_column)

    @post(guards=WRITE, summary="Create a lead or an opportunity, owned by the caller unless `owner_id` is given")
    async def create_opportunity(self, access: CallerAccess, data: JSONBody[OpportunityCreate]) -> OpportunityOut:
        return await service.create_opportunity(access, data)

    @get("/{opportunity_id:uuid}", guards=READ, summary="One lead or opportunity")
    async def get_opportunity(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID]) -> OpportunityOut:
        return await service.get_opportunity(access, opportunity_id)

    @patch("/{opportunity_id:uuid}", guards=WRITE, summary="Change some fields; `probability` set here stays as "
                                                           "set, `follow_stage: true` follows the stage again")
    async def update_opportunity(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID],
                                 data: JSONBody[OpportunityUpdate]) -> OpportunityOut:
        return await service.update_opportunity(access, opportunity_id, data)

    @post("/{opportunity_id:uuid}/stage", guards=WRITE, status_code=200,
          summary="Move to another stage (recorded with the time spent in the previous one)")
    async def move_stage(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID],
                         data: JSONBody[MoveStage]) -> OpportunityOut:
        return await service.move_stage(access, opportunity_id, data.stage_id)

    @get("/{opportunity_id:uuid}/stage-history", guards=READ, summary="Every stage move, oldest first")
    async def stage_history(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID]) -> list[StageMoveOut]:
        return await service.stage_history(access, opportunity_id)

    @post("/{opportunity_id:uuid}/won", guards=WRITE, status_code=200, summary="Mark won")
    async def mark_won(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID]) -> OpportunityOut:
        return await service.win(access, opportunity_id)

    @post("/{opportunity_id:uuid}/lost", guards=WRITE, status_code=200,
          summary="Mark lost, with an active lost reason of the tenant")
    async def mark_lost(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID],
                        data: JSONBody[MarkLost]) -> OpportunityOut:
        return await service.mark_lost(access, opportunity_id, data)

    @post("/{opportunity_id:uuid}/restore", guards=WRITE, status_code=200, summary="Reopen a lost or won one")
    async def restore(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID]) -> OpportunityOut:
        return await service.restore(access, opportunity_id)

    @post("/{opportunity_id:uuid}/qualify", guards=WRITE, status_code=200,
          summary="Qualify a lead into an opportunity of an existing customer or a new one")
    async def qualify(self, access: CallerAccess, opportunity_id: FromPath[uuid.UUID],
                      data: JSONBody[Qualify]) -> OpportunityOut:
        return await service.qualify(access, opportunity_id, data)
