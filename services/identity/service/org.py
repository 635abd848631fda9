"""The org structure: branches (chi nhánh), salesperson profiles and sales teams; and where a salesperson
sits in it (`placement_of`), which other services stamp on the records a salesperson owns.

Ids in a body that are not this tenant's (a member, a branch, a territory) are 422 naming the field, the same
answer as an id that does not exist, so no tenant learns another's ids.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

import msgspec
from asyncpg.exceptions import RestrictViolationError, UniqueViolationError
from piccolo.query.methods.select import Select
from piccolo.table import Table

from infra.problems import NotFoundError, ProblemError, invalid, not_ours
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
from services.identity.tables import Branch, Membership, Salesperson, SalesTeam, SalesTeamMember
from services.partners.tables import Territory
from tenants import audit
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of

T = TypeVar("T")
FieldErrors = list[tuple[str, str, str, str]]

BRANCH_NOT_FOUND = NotFoundError("chi nhánh", "Branch")
SALESPERSON_NOT_FOUND = NotFoundError("hồ sơ nhân viên kinh doanh", "Salesperson")
TEAM_NOT_FOUND = NotFoundError("nhóm bán hàng", "Sales team")
BRANCH_CODE_TAKEN = ProblemError(409, "conflict", "Mã chi nhánh đã tồn tại.", "This branch code is taken.",
                                 errors=[("code", "taken", "Mã đã được dùng", "Code already in use")])
BRANCH_IN_USE = ProblemError(409, "conflict", "Chi nhánh còn nhân viên; hãy chuyển họ sang chi nhánh khác trước.",
                             "The branch still has salespeople; move them first.")
EMPLOYEE_CODE_TAKEN = ProblemError(409, "conflict", "Mã nhân viên đã tồn tại.", "This employee code is taken.",
                                   errors=[("employee_code", "taken", "Mã đã được dùng", "Code already in use")])
PROFILE_EXISTS = ProblemError(409, "conflict", "Thành viên này đã có hồ sơ nhân viên kinh doanh.",
                              "This member already has a salesperson profile.",
                              errors=[("user_id", "taken", "Đã có hồ sơ", "Already has a profile")])
MEMBER_IN_ANOTHER_TEAM = ProblemError(409, "conflict", "Một thành viên chỉ thuộc một nhóm bán hàng.",
                                      "A member belongs to one sales team only.",
                                      errors=[("member_ids", "in_another_team", "Đã thuộc nhóm khác",
                                               "Already in another team")])




def _required_text(value: str, field: str) -> str:
    if not (text := value.strip()):
        raise invalid([(field, "required", "Không được để trống", "Must not be blank")])
    return text


async def _check_members(ids: Sequence[uuid.UUID | None], field: str, indexed: bool = False) -> FieldErrors:
    """Errors for ids that are not active members of the tenant (`field[n]` when `indexed`)."""
    wanted = [user_id for user_id in ids if user_id is not None]
    if not wanted:
        return []
    rows = await Membership.select(Membership.user_id).where(
        (Membership.tenant_id == current_tenant_id()) & Membership.user_id.is_in(wanted)
        & Membership.is_active.eq(True))
    members = {row["user_id"] for row in rows}
    return [not_ours(f"{field}[{n}]" if indexed else field, "thành viên", "member")
            for n, user_id in enumerate(ids) if user_id is not None and user_id not in members]


async def _check_branch(branch_id: uuid.UUID | None) -> FieldErrors:
    if branch_id is None or await Branch.exists().where(
            (Branch.tenant_id == current_tenant_id()) & (Branch.id == branch_id)):
        return []
    return [not_ours("branch_id", "chi nhánh", "branch")]


async def _check_territories(ids: list[uuid.UUID]) -> FieldErrors:
    if not ids:
        return []
    rows = await Territory.select(Territory.id).where(
        (Territory.tenant_id == current_tenant_id()) & Territory.id.is_in(ids))
    known = {row["id"] for row in rows}
    return [not_ours(f"territory_ids[{n}]", "khu vực", "territory") for n, t in enumerate(ids) if t not in known]


async def _page(query: Select[Any], table: type[Table], out: type[T], limit: int,
                cursor: str | None) -> Page[T]:
    """One keyset page of `query` (rows in id order, so creation order), converted to `out`."""
    if after := decode_cursor(cursor):
        query = query.where(table._meta.primary_key > after)
    rows = await query.order_by(table._meta.primary_key).limit(limit + 1)
    items = [msgspec.convert(row, out) for row in rows]
    return page_of(items, limit, rows[limit - 1]["id"] if len(rows) > limit else None)


def _changes(data: msgspec.Struct, table: type[Table], skip: Sequence[str] = ()) -> dict[Any, Any]:
    """The fields the body sets, as column → value."""
    return {table._meta.get_column_by_name(name): value for name in data.__struct_fields__
            if name not in skip and not isinstance(value := getattr(data, name), msgspec.UnsetType)}


# -- branches ----------------------------------------------------------------------------------------------

_BRANCH_COLUMNS = [getattr(Branch, name) for name in BranchOut.__struct_fields__]


def _this_branch(branch_id: uuid.UUID) -> Any:
    return (Branch.tenant_id == current_tenant_id()) & (Branch.id == branch_id)


async def list_branches(limit: int, cursor: str | None) -> Page[BranchOut]:
    query = Branch.select(*_BRANCH_COLUMNS).where(Branch.tenant_id == current_tenant_id())
    return await _page(query, Branch, BranchOut, limit, cursor)


async def get_branch(branch_id: uuid.UUID) -> BranchOut:
    row = await Branch.select(*_BRANCH_COLUMNS).where(_this_branch(branch_id)).first()
    if row is None:
        raise BRANCH_NOT_FOUND
    return msgspec.convert(row, BranchOut)


async def create_branch(data: BranchCreate) -> BranchOut:
    branch = Branch(tenant_id=current_tenant_id(), code=data.code, name=_required_text(data.name, "name"),
                    address=data.address.strip())
    try:
        await branch.save()
    except UniqueViolationError:
        raise BRANCH_CODE_TAKEN from None
    created = await get_branch(branch.id)
    await audit.record("branch.create", "branch", branch.id, after=created)
    return created


async def update_branch(branch_id: uuid.UUID, data: BranchUpdate) -> BranchOut:
    before = await get_branch(branch_id)
    changes = _changes(data, Branch)
    if not isinstance(data.name, msgspec.UnsetType):
        changes[Branch.name] = _required_text(data.name, "name")
    if not isinstance(data.address, msgspec.UnsetType):
        changes[Branch.address] = data.address.strip()
    if changes:
        try:
            await Branch.update(changes).where(_this_branch(branch_id))
        except UniqueViolationError:
            raise BRANCH_CODE_TAKEN from None
    after = await get_branch(branch_id)
    await audit.record("branch.update", "branch", branch_id, before=before, after=after)
    return after


async def delete_branch(branch_id: uuid.UUID) -> None:
    try:
        deleted = await Branch.delete().where(_this_branch(branch_id)).returning(*_BRANCH_COLUMNS)
    except RestrictViolationError:
        raise BRANCH_IN_USE from None
    if not deleted:
        raise BRANCH_NOT_FOUND
    await audit.record("branch.delete", "branch", branch_id, before=deleted[0])


# -- salespeople -------------------------------------------------------------------------------------------

_SALESPERSON_COLUMNS = [getattr(Salesperson, name) for name in SalespersonOut.__struct_fields__]


def _this_salesperson(salesperson_id: uuid.UUID) -> Any:
    return (Salesperson.tenant_id == current_tenant_id()) & (Salesperson.id == salesperson_id)


def _profile_taken(exc: UniqueViolationError) -> ProblemError:
    return EMPLOYEE_CODE_TAKEN if "employee_code" in (exc.constraint_name or "") else PROFILE_EXISTS


async def _check_profile(user_id: uuid.UUID, data: SalespersonCreate | SalespersonUpdate) -> None:
    errors: FieldErrors = []
    if isinstance(data, SalespersonCreate):
        errors += await _check_members([data.user_id], "user_id")
    if not isinstance(data.branch_id, msgspec.UnsetType):
        errors += await _check_branch(data.branch_id)
    if isinstance(data.manager_id, uuid.UUID):
        if data.manager_id == user_id:
            errors.append(("manager_id", "self", "Không thể tự quản lý chính mình", "Cannot manage oneself"))
        else:
            errors += await _check_members([data.manager_id], "manager_id")
    if not isinstance(data.territory_ids, msgspec.UnsetType):
        errors += await _check_territories(data.territory_ids)
    if errors:
        raise invalid(errors)


async def list_salespeople(limit: int, cursor: str | None,
                           branch_id: uuid.UUID | None) -> Page[SalespersonOut]:
    query = Salesperson.select(*_SALESPERSON_COLUMNS).where(Salesperson.tenant_id == current_tenant_id())
    if branch_id:
        query = query.where(Salesperson.branch_id == branch_id)
    return await _page(query, Salesperson, SalespersonOut, limit, cursor)


async def get_salesperson(salesperson_id: uuid.UUID) -> SalespersonOut:
    row = await Salesperson.select(*_SALESPERSON_COLUMNS).where(_this_salesperson(salesperson_id)).first()
    if row is None:
        raise SALESPERSON_NOT_FOUND
    return msgspec.convert(row, SalespersonOut)


async def create_salesperson(data: SalespersonCreate) -> SalespersonOut:
    await _check_profile(data.user_id, data)
    profile = Salesperson(tenant_id=current_tenant_id(), user_id=data.user_id, employee_code=data.employee_code,
                          branch_id=data.branch_id, manager_id=data.manager_id,
                          territory_ids=list(dict.fromkeys(data.territory_ids)),
                          monthly_target_vnd=data.monthly_target_vnd)
    try:
        await profile.save()
    except UniqueViolationError as exc:
        raise _profile_taken(exc) from None
    created = await get_salesperson(profile.id)
    await audit.record("salesperson.create", "salesperson", profile.id, after=created)
    return created


async def update_salesperson(salesperson_id: uuid.UUID, data: SalespersonUpdate) -> SalespersonOut:
    current = await get_salesperson(salesperson_id)
    await _check_profile(current.user_id, data)
    changes = _changes(data, Salesperson)
    if not isinstance(data.territory_ids, msgspec.UnsetType):
        changes[Salesperson.territory_ids] = list(dict.fromkeys(data.territory_ids))
    if changes:
        try:
            await Salesperson.update(changes).where(_this_salesperson(salesperson_id))
        except UniqueViolationError as exc:
            raise _profile_taken(exc) from None
    after = await get_salesperson(salesperson_id)
    await audit.record("salesperson.update", "salesperson", salesperson_id, before=current, after=after)
    return after


async def delete_salesperson(salesperson_id: uuid.UUID) -> None:
    deleted = await Salesperson.delete().where(_this_salesperson(salesperson_id)).returning(*_SALESPERSON_COLUMNS)
    if not deleted:
        raise SALESPERSON_NOT_FOUND
    await audit.record("salesperson.delete", "salesperson", salesperson_id, before=deleted[0])


# -- sales teams -------------------------------------------------------------------------------------------

_TEAM_COLUMNS = [getattr(SalesTeam, name) for name in SalesTeamOut.__struct_fields__ if name != "member_ids"]


def _this_team(team_id: uuid.UUID) -> Any:
    return (SalesTeam.tenant_id == current_tenant_id()) & (SalesTeam.id == team_id)


async def _with_members(rows: list[dict[str, Any]]) -> list[SalesTeamOut]:
    """Teams with their member ids: one query for the members of every team on the page."""
    members: dict[uuid.UUID, list[uuid.UUID]] = {row["id"]: [] for row in rows}
    if members:
        for member in await SalesTeamMember.select(SalesTeamMember.team_id, SalesTeamMember.user_id).where(
                (SalesTeamMember.tenant_id == current_tenant_id()) & SalesTeamMember.team_id.is_in(list(members))
        ).order_by(SalesTeamMember.created_at):
            members[member["team_id"]].append(member["user_id"])
    return [msgspec.convert({**row, "member_ids": members[row["id"]]}, SalesTeamOut) for row in rows]


async def _check_team(leader_id: uuid.UUID | msgspec.UnsetType | None,
                      member_ids: list[uuid.UUID] | msgspec.UnsetType) -> None:
    errors: FieldErrors = []
    if not isinstance(leader_id, msgspec.UnsetType):
        errors += await _check_members([leader_id], "leader_id")
    if not isinstance(member_ids, msgspec.UnsetType):
        errors += await _check_members(member_ids, "member_ids", indexed=True)
    if errors:
        raise invalid(errors)


async def _set_members(team_id: uuid.UUID, member_ids: list[uuid.UUID]) -> None:
    """Replace the team's members, set-based; a member of another team is 409, the team is left unchanged."""
    tenant_id = current_tenant_id()
    wanted = list(dict.fromkeys(member_ids))
    await SalesTeamMember.delete().where(
        (SalesTeamMember.tenant_id == tenant_id) & (SalesTeamMember.team_id == team_id))
    if not wanted:
        return
    try:
        await SalesTeamMember.insert(*[SalesTeamMember(tenant_id=tenant_id, team_id=team_id, user_id=user_id)
                                       for user_id in wanted])
    except UniqueViolationError:
        raise MEMBER_IN_ANOTHER_TEAM from None


async def list_teams(limit: int, cursor: str | None) -> Page[SalesTeamOut]:
    query = SalesTeam.select(*_TEAM_COLUMNS).where(SalesTeam.tenant_id == current_tenant_id())
    page = await _page(query, SalesTeam, dict, limit, cursor)
    return Page(items=await _with_members(page.items), next_cursor=page.next_cursor)


async def get_team(team_id: uuid.UUID) -> SalesTeamOut:
    row = await SalesTeam.select(*_TEAM_COLUMNS).where(_this_team(team_id)).first()
    if row is None:
        raise TEAM_NOT_FOUND
    return (await _with_members([row]))[0]


async def create_team(data: SalesTeamCreate) -> SalesTeamOut:
    name = _required_text(data.name, "name")
    await _check_team(data.leader_id, data.member_ids)
    team = SalesTeam(tenant_id=current_tenant_id(), name=name, leader_id=data.leader_id,
                     use_quotations=data.use_quotations, use_opportunities=data.use_opportunities,
                     use_warranty=data.use_warranty)
    await team.save()
    await _set_members(team.id, data.member_ids)
    created = await get_team(team.id)
    await audit.record("sales_team.create", "sales_team", team.id, after=created)
    return created


async def update_team(team_id: uuid.UUID, data: SalesTeamUpdate) -> SalesTeamOut:
    before = await get_team(team_id)
    await _check_team(data.leader_id, data.member_ids)
    changes = _changes(data, SalesTeam, skip=("member_ids",))
    if not isinstance(data.name, msgspec.UnsetType):
        changes[SalesTeam.name] = _required_text(data.name, "name")
    if changes:
        await SalesTeam.update(changes).where(_this_team(team_id))
    if not isinstance(data.member_ids, msgspec.UnsetType):
        await _set_members(team_id, data.member_ids)
    after = await get_team(team_id)
    await audit.record("sales_team.update", "sales_team", team_id, before=before, after=after)
    return after


async def delete_team(team_id: uuid.UUID) -> None:
    before = await get_team(team_id)  # with its members, which the delete cascades away
    await SalesTeam.delete().where(_this_team(team_id))
    await audit.record("sales_team.delete", "sales_team", team_id, before=before)


# -- where a salesperson sits ------------------------------------------------------------------------------


class Placement(msgspec.Struct, frozen=True):
    team_id: uuid.UUID | None
    branch_id: uuid.UUID | None


async def placement_of(user_id: uuid.UUID) -> Placement | None:
    """The team (the one they are in, else one they lead) and branch of an active member; None if not one."""
    rows = await Membership.raw(
        "SELECT COALESCE("
        "  (SELECT team_id FROM sales_team_member WHERE tenant_id = m.tenant_id AND user_id = m.user_id),"
        "  (SELECT id FROM sales_team WHERE tenant_id = m.tenant_id AND leader_id = m.user_id ORDER BY id LIMIT 1)"
        ") AS team_id,"
        " (SELECT branch_id FROM salesperson WHERE tenant_id = m.tenant_id AND user_id = m.user_id) AS branch_id "
        "FROM membership m WHERE m.tenant_id = {} AND m.user_id = {} AND m.is_active",
        current_tenant_id(), user_id)
    return Placement(team_id=rows[0]["team_id"], branch_id=rows[0]["branch_id"]) if rows else None
