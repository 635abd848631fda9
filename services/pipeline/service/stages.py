"""Pipeline's rules: stages in order, per sales team or shared by all teams (`team_id` None).

A tenant with no stage at all gets the default shared ones on first use (`ensure_default_stages`): a new
company's board works from its first opportunity. Stages can be deleted, so no seed key remembers them: a
tenant that removed every stage gets the defaults again, as a board without stages cannot hold anything.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid
from services.identity.tables import SalesTeam
from services.pipeline.schemas import StageCreate, StageOrder, StageOut, StageUpdate
from services.pipeline.tables import Opportunity, Stage
from tenants import audit
from tenants.context import current_tenant_id

DEFAULT_STAGES = [
    StageCreate(name_vi="Mới", name_en="New", probability=10),
    StageCreate(name_vi="Đủ điều kiện", name_en="Qualified", probability=30),
    StageCreate(name_vi="Báo giá", name_en="Proposition", probability=60),
    StageCreate(name_vi="Thành công", name_en="Won", probability=100, is_won=True, is_folded=True),
]
# A concurrent first use waits on this lock, then its next statement (a new snapshot) finds the defaults.
_SEED_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('pipeline.stages:' || {}::uuid::text, 0))"
_SEED_DEFAULTS = """
INSERT INTO stage (id, tenant_id, name_vi, name_en, sequence, probability, is_won, is_folded, created_at, updated_at)
SELECT uuidv7(), {}, s.name_vi, s.name_en, s.n - 1, s.probability, s.is_won, s.is_folded, now(), now()
FROM unnest({}::text[], {}::text[], {}::int[], {}::bool[], {}::bool[])
    WITH ORDINALITY AS s(name_vi, name_en, probability, is_won, is_folded, n)
WHERE NOT EXISTS (SELECT 1 FROM stage WHERE tenant_id = {})
RETURNING id
"""
STAGE_NOT_FOUND = NotFoundError("giai đoạn", "Stage")

_OUT_COLUMNS = [getattr(Stage, name) for name in StageOut.__struct_fields__]
# Sets every stage's sequence from its place in the list, in one statement.
_REORDER = """
UPDATE stage s SET sequence = o.n - 1, updated_at = now()
FROM unnest({}::uuid[]) WITH ORDINALITY AS o(id, n)
WHERE s.tenant_id = {} AND s.id = o.id
"""


class StageRef(msgspec.Struct, frozen=True, kw_only=True):
    id: uuid.UUID
    probability: int
    is_won: bool


def _mine() -> Any:
    return Stage.tenant_id == current_tenant_id()


def _usable_by(team_id: uuid.UUID | None) -> Any:
    """The stages a team's opportunities can be in: the shared ones and the team's own."""
    shared = Stage.team_id.is_null()
    return shared if team_id is None else shared | (Stage.team_id == team_id)


async def ensure_default_stages() -> None:
    tenant_id = current_tenant_id()
    if await Stage.exists().where(Stage.tenant_id == tenant_id):
        return
    await Stage.raw(_SEED_LOCK, tenant_id)
    seeded = await Stage.raw(
        _SEED_DEFAULTS, tenant_id, [s.name_vi for s in DEFAULT_STAGES], [s.name_en for s in DEFAULT_STAGES],
        [s.probability for s in DEFAULT_STAGES], [s.is_won for s in DEFAULT_STAGES],
        [s.is_folded for s in DEFAULT_STAGES], tenant_id)
    if seeded:
        await audit.record("stage.seed", "stage", after={"names": [s.name_vi for s in DEFAULT_STAGES]},
                           actor=audit.SYSTEM)


async def list_stages(team_id: uuid.UUID | None = None) -> list[StageOut]:
    """All the tenant's stages, or those a team uses when `team_id` is given, in order."""
    await ensure_default_stages()
    query = Stage.select(*_OUT_COLUMNS).where(_mine())
    if team_id is not None:
        query = query.where(_usable_by(team_id))
    rows = await query.order_by(Stage.sequence).order_by(Stage.id)
    return msgspec.convert(rows, list[StageOut])


async def get_stage(stage_id: uuid.UUID) -> StageOut:
    row = await Stage.select(*_OUT_COLUMNS).where(_mine() & (Stage.id == stage_id)).first()
    if row is None:
        raise STAGE_NOT_FOUND
    return msgspec.convert(row, StageOut)


async def require_stage(stage_id: uuid.UUID, team_id: uuid.UUID | None, field: str) -> StageRef:
    """The stage, when the team's opportunities can be in it; else 422 on `field`."""
    row = await Stage.select(Stage.id, Stage.probability, Stage.is_won).where(
        _mine() & (Stage.id == stage_id) & _usable_by(team_id)).first()
    if row is None:
        raise invalid([(field, "not_found", "Không có giai đoạn này cho nhóm bán hàng",
                        "No such stage for the sales team")])
    return msgspec.convert(row, StageRef)


async def first_stage(team_id: uuid.UUID | None, field: str) -> StageRef:
    """Where a team's new opportunities start: its first stage that is not a won one."""
    await ensure_default_stages()
    row = await Stage.select(Stage.id, Stage.probability, Stage.is_won).where(
        _mine() & _usable_by(team_id) & (Stage.is_won == False)).order_by(  # noqa: E712
        Stage.sequence).order_by(Stage.id).first()
    if row is None:
        raise invalid([(field, "no_stage", "Chưa có giai đoạn nào cho nhóm bán hàng này",
                        "The sales team has no stages yet")])
    return msgspec.convert(row, StageRef)


async def won_stage(team_id: uuid.UUID | None) -> StageRef | None:
    row = await Stage.select(Stage.id, Stage.probability, Stage.is_won).where(
        _mine() & _usable_by(team_id) & (Stage.is_won == True)).order_by(  # noqa: E712
        Stage.sequence).order_by(Stage.id).first()
    return msgspec.convert(row, StageRef) if row else None


async def require_team(team_id: uuid.UUID | None) -> None:
    if team_id is not None and not await SalesTeam.exists().where(
            (SalesTeam.tenant_id == current_tenant_id()) & (SalesTeam.id == team_id)):
        raise invalid([("team_id", "not_found", "Không có nhóm bán hàng này", "No such sales team")])


async def create_stage(data: StageCreate) -> StageOut:
    """A new stage goes last; a won stage always has probability 100."""
    await require_team(data.team_id)
    tenant_id = current_tenant_id()
    last = await Stage.select(Stage.sequence).where(Stage.tenant_id == tenant_id).order_by(
        Stage.sequence, ascending=False).first()
    stage = Stage(tenant_id=tenant_id, name_vi=data.name_vi.strip(), name_en=data.name_en.strip(),
                  sequence=(last["sequence"] + 1) if last else 0,
                  probability=100 if data.is_won else data.probability, is_won=data.is_won, team_id=data.team_id,
                  is_folded=data.is_folded, requirements=data.requirements, rotting_days=data.rotting_days)
    await stage.save()
    created = await get_stage(stage.id)
    await audit.record("stage.create", "stage", stage.id, after=created)
    return created


async def update_stage(stage_id: uuid.UUID, data: StageUpdate) -> StageOut:
    """A changed probability carries over to the open opportunities that follow the stage (set-based)."""
    before = await get_stage(stage_id)
    changes = {getattr(Stage, name): value.strip() if isinstance(value, str) and name.startswith("name") else value
               for name in StageUpdate.__struct_fields__
               if not isinstance(value := getattr(data, name), msgspec.UnsetType)}
    if changes.get(Stage.is_won, before.is_won):
        changes[Stage.probability] = 100
    if changes:
        await Stage.update(changes).where(_mine() & (Stage.id == stage_id))
    after = await get_stage(stage_id)
    if after.probability != before.probability:
        await Opportunity.update({Opportunity.probability: after.probability}).where(
            (Opportunity.tenant_id == current_tenant_id()) & (Opportunity.stage_id == stage_id)
            & (Opportunity.state == "open") & (Opportunity.probability_manual == False))  # noqa: E712
    await audit.record("stage.update", "stage", stage_id, before=before, after=after)
    return after


async def reorder_stages(data: StageOrder) -> list[StageOut]:
    """One call sets the whole order of a board: the stages a team uses (`team_id`), or all the tenant's; the
    list must name each of them once. Shared stages are shared: their new places show on every team's board."""
    before = await list_stages(data.team_id)
    if len(data.stage_ids) != len(set(data.stage_ids)) or set(data.stage_ids) != {s.id for s in before}:
        raise invalid([("stage_ids", "not_the_stages", "Danh sách phải gồm mỗi giai đoạn của bảng đúng một lần",
                        "The list must name each stage of the board exactly once")])
    await Stage.raw(_REORDER, data.stage_ids, current_tenant_id())
    after = await list_stages(data.team_id)
    await audit.record("stage.reorder", "stage", before={"order": [s.id for s in before]},
                       after={"order": data.stage_ids})
    return after
