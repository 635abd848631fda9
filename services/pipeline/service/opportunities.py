"""Leads and opportunities: one table with a `kind`, as Odoo does.

An opportunity's probability follows its stage until someone sets it by hand (`probability_manual`); entering a
won stage sets it to 100 and the state to won. Every stage move writes a `stage_move` row with the seconds spent
in the previous stage, in the same statement that moves it (`move_opportunities`, set-based, also used when a
stage is deleted). Reads and writes are limited by the caller's visibility (`tenants.access.visible_to`).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError, invalid
from services.contacts.schemas import CustomerCreate
from services.contacts.service.customers import create_customer, visible_customer_ids
from services.contacts.tables import ContactPerson
from services.identity.service.org import placement_of
from services.partners.service.partners import require_partner_ref
from services.pipeline.events import (
    LEAD_QUALIFIED,
    OPPORTUNITY_CREATED,
    OPPORTUNITY_LOST,
    OPPORTUNITY_RESTORED,
    OPPORTUNITY_STAGE_CHANGED,
    OPPORTUNITY_WON,
    OpportunityData,
    OpportunityStageChanged,
)
from services.pipeline.schemas import (
    MarkLost,
    OpportunityCreate,
    OpportunityFilter,
    OpportunityOut,
    OpportunityUpdate,
    Qualify,
    StageMoveOut,
)
from services.pipeline.service.lost_reasons import require_active_reason
from services.pipeline.service.stages import StageRef, first_stage, require_stage, require_team, won_stage
from services.pipeline.tables import Opportunity
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

OPPORTUNITY_NOT_FOUND = NotFoundError("cơ hội", "Opportunity")
_COLUMNS = [getattr(Opportunity, name) for name in OpportunityOut.__struct_fields__]
Unset = msgspec.UnsetType

# Locks the opportunities first so `from` and the time spent are those of this move under concurrent moves;
# then moves them and writes one history row each. Probability: 100 in a won stage, else kept when set by hand,
# else the stage's. A won stage wins the opportunity (its 100 is no longer "by hand", so a restored one follows
# its stage again); leaving it reopens it.
_MOVE = """
WITH target AS (
    SELECT id, probability, is_won FROM stage WHERE tenant_id = {} AND id = {}
), previous AS (
    SELECT id, stage_id, date_last_stage_update FROM opportunity
    WHERE tenant_id = {} AND id = ANY({}::uuid[]) AND stage_id IS DISTINCT FROM {}
    FOR UPDATE
), moved AS (
    UPDATE opportunity o SET stage_id = t.id, date_last_stage_update = now(), updated_at = now(),
        probability = CASE WHEN t.is_won THEN 100 WHEN o.probability_manual THEN o.probability
                           ELSE t.probability END,
        probability_manual = o.probability_manual AND NOT t.is_won,
        state = CASE WHEN t.is_won THEN 'won' ELSE 'open' END,
        closed_at = CASE WHEN t.is_won THEN now() END
    FROM previous p, target t
    WHERE o.tenant_id = {} AND o.id = p.id
    RETURNING o.id, p.stage_id AS from_stage_id, t.id AS to_stage_id, t.is_won,
        floor(extract(epoch FROM now() - p.date_last_stage_update))::bigint AS seconds_in_previous
), history AS (
    INSERT INTO stage_move
        (tenant_id, opportunity_id, from_stage_id, to_stage_id, seconds_in_previous, actor_kind, actor_id)
    SELECT {}, id, from_stage_id, to_stage_id, seconds_in_previous, {}, {}::uuid FROM moved
)
SELECT id, from_stage_id, to_stage_id, is_won, seconds_in_previous FROM moved
"""
_HISTORY = """
SELECT id, from_stage_id, to_stage_id, seconds_in_previous, actor_kind, actor_id, created_at AS moved_at
FROM stage_move WHERE tenant_id = {} AND opportunity_id = {} ORDER BY id
"""


def _mine(opportunity_id: uuid.UUID) -> Any:
    return (Opportunity.tenant_id == current_tenant_id()) & (Opportunity.id == opportunity_id)


def event_data(opportunity: OpportunityOut) -> OpportunityData:
    fields = msgspec.structs.asdict(opportunity)
    return OpportunityData(**{name: fields[name] for name in OpportunityData.__struct_fields__})


async def _fetch(opportunity_id: uuid.UUID, *visibility: Any) -> OpportunityOut:
    row = await Opportunity.select(*_COLUMNS).where(_mine(opportunity_id), *visibility).first()
    if row is None:
        raise OPPORTUNITY_NOT_FOUND
    return msgspec.convert(row, OpportunityOut)


async def get_opportunity(access: Access, opportunity_id: uuid.UUID) -> OpportunityOut:
    return await _fetch(opportunity_id, *visible_to(access, Opportunity))


def _conflict(code: str, vi: str, en: str) -> ProblemError:
    return ProblemError(409, code, vi, en)


async def _placement(owner_id: uuid.UUID | None, team_id: uuid.UUID | None) -> tuple[uuid.UUID | None, ...]:
    """(owner, team, branch): the owner must be a member; the team is given or the owner's."""
    if owner_id is None:
        return None, team_id, None
    placement = await placement_of(owner_id)
    if placement is None:
        raise invalid([("owner_id", "not_found", "Không có thành viên này trong công ty",
                        "No such member in this company")])
    return owner_id, team_id or placement.team_id, placement.branch_id


async def _check_customer(access: Access, customer_id: uuid.UUID | None, contact_person_id: uuid.UUID | None) -> None:
    if customer_id is not None and not await visible_customer_ids(access, [customer_id]):
        raise invalid([("customer_id", "not_found", "Không có khách hàng này", "No such customer")])
    if contact_person_id is not None:
        await _check_contact_person(customer_id, contact_person_id)


async def _check_contact_person(customer_id: uuid.UUID | None, contact_person_id: uuid.UUID) -> None:
    person = customer_id is not None and await ContactPerson.exists().where(
        (ContactPerson.tenant_id == current_tenant_id()) & (ContactPerson.id == contact_person_id)
        & (ContactPerson.customer == customer_id))
    if not person:
        raise invalid([("contact_person_id", "not_found", "Người liên hệ không thuộc khách hàng này",
                        "The contact person is not one of this customer's")])


async def _stage_for(team_id: uuid.UUID | None, stage_id: uuid.UUID | None, field: str = "stage_id") -> StageRef:
    return await require_stage(stage_id, team_id, field) if stage_id else await first_stage(team_id, field)


async def create_opportunity(access: Access, data: OpportunityCreate) -> OpportunityOut:
    """A new lead (no stage until qualified) or opportunity (the given stage, else the team's first)."""
    await require_team(data.team_id)
    owner_id, team_id, branch_id = await _placement(data.owner_id or access.user_id, data.team_id)
    await _check_customer(access, data.customer_id, data.contact_person_id)
    await require_partner_ref(data.referred_by_partner_id, "referred_by_partner_id")
    stage = await _stage_for(team_id, data.stage_id) if data.kind == "opportunity" else None
    if stage and stage.is_won:
        raise invalid([("stage_id", "won_stage", "Không tạo cơ hội ở giai đoạn thắng; hãy đánh dấu thắng",
                        "Do not create in a won stage; mark it won instead")])
    opportunity = Opportunity(
        tenant_id=current_tenant_id(), kind=data.kind, name=data.name.strip(), customer_id=data.customer_id,
        contact_person_id=data.contact_person_id, owner_id=owner_id, team_id=team_id, branch_id=branch_id,
        stage_id=stage.id if stage else None, expected_revenue=data.expected_revenue, currency=data.currency,
        probability=data.probability if data.probability is not None else (stage.probability if stage else 0),
        probability_manual=data.probability is not None, expected_close_date=data.expected_close_date,
        priority=data.priority, tags=sorted(set(data.tags)), source=data.source, email=data.email,
        phone=data.phone, referred_by_partner_id=data.referred_by_partner_id)
    await opportunity.save()
    created = await _fetch(opportunity.id)
    await audit.record(f"{data.kind}.create", data.kind, created.id, after=created)
    await emit(OPPORTUNITY_CREATED, event_data(created))
    return created


async def update_opportunity(access: Access, opportunity_id: uuid.UUID, data: OpportunityUpdate) -> OpportunityOut:
    before = await get_opportunity(access, opportunity_id)
    changes: dict[Any, Any] = {
        getattr(Opportunity, name): value for name in (
            "name", "expected_revenue", "currency", "expected_close_date", "priority", "source")
        if not isinstance(value := getattr(data, name), Unset)}
    if not isinstance(data.contact_person_id, Unset):
        if data.contact_person_id is not None:
            await _check_contact_person(before.customer_id, data.contact_person_id)
        changes[Opportunity.contact_person_id] = data.contact_person_id
    if not isinstance(data.referred_by_partner_id, Unset):
        await require_partner_ref(data.referred_by_partner_id, "referred_by_partner_id")
        changes[Opportunity.referred_by_partner_id] = data.referred_by_partner_id
    if not isinstance(data.tags, Unset):
        changes[Opportunity.tags] = sorted(set(data.tags))
    if not isinstance(data.probability, Unset) and not isinstance(data.follow_stage, Unset) and data.follow_stage:
        raise invalid([("follow_stage", "conflict", "Chỉ gửi `probability` hoặc `follow_stage`",
                        "Send `probability` or `follow_stage`, not both")])
    if not isinstance(data.probability, Unset):
        if before.state == "won":
            raise _conflict("opportunity_won", "Cơ hội đã thắng giữ xác suất 100%.", "A won opportunity stays at 100%.")
        changes |= {Opportunity.probability: data.probability, Opportunity.probability_manual: True}
    elif data.follow_stage is True and before.state == "open":
        stage = await require_stage(before.stage_id, before.team_id, "follow_stage") if before.stage_id else None
        changes |= {Opportunity.probability: stage.probability if stage else 0, Opportunity.probability_manual: False}
    if changes:
        await Opportunity.update(changes).where(_mine(opportunity_id))
    after = await _fetch(opportunity_id)
    await audit.record(f"{before.kind}.update", before.kind, opportunity_id, before=before, after=after)
    return after


async def move_opportunities(opportunity_ids: list[uuid.UUID], stage_id: uuid.UUID) -> list[uuid.UUID]:
    """Move the opportunities to the stage, set-based, with one history row and one event each (and
    `opportunity.won` for those entering a won stage); the ids that moved."""
    tenant_id = current_tenant_id()
    actor = audit.current_actor()
    moves = await Opportunity.raw(_MOVE, tenant_id, stage_id, tenant_id, opportunity_ids, stage_id, tenant_id,
                                  tenant_id, actor.kind, actor.id)
    for move in moves:
        after = event_data(await _fetch(move["id"]))
        await emit(OPPORTUNITY_STAGE_CHANGED, OpportunityStageChanged(
            opportunity=after, from_stage_id=move["from_stage_id"], to_stage_id=move["to_stage_id"],
            seconds_in_previous=move["seconds_in_previous"]))
        if move["is_won"]:
            await emit(OPPORTUNITY_WON, after)
    return [move["id"] for move in moves]


def _require_open(opportunity: OpportunityOut) -> None:
    if opportunity.kind == "lead":
        raise _conflict("lead_not_qualified", "Hãy chuyển khách tiềm năng thành cơ hội trước.",
                        "Qualify the lead into an opportunity first.")
    if opportunity.state == "lost":
        raise _conflict("opportunity_lost", "Cơ hội đã mất; hãy mở lại trước.",
                        "The opportunity is lost; restore it first.")


async def move_stage(access: Access, opportunity_id: uuid.UUID, stage_id: uuid.UUID) -> OpportunityOut:
    before = await get_opportunity(access, opportunity_id)
    _require_open(before)
    await require_stage(stage_id, before.team_id, "stage_id")
    await move_opportunities([opportunity_id], stage_id)
    after = await _fetch(opportunity_id)
    await audit.record("opportunity.move", "opportunity", opportunity_id, before=before, after=after)
    return after


async def mark_won(opportunity_id: uuid.UUID) -> None:
    """Win the opportunity (quotations call this when one is accepted, after their own checks): into the team's
    first won stage when it has one, probability 100. Nothing happens when it is won already."""
    before = await _fetch(opportunity_id)
    if before.state == "won":
        return
    _require_open(before)
    stage = await won_stage(before.team_id)
    if stage is not None:
        await move_opportunities([opportunity_id], stage.id)
    else:
        await Opportunity.raw(
            "UPDATE opportunity SET state = 'won', probability = 100, probability_manual = false, closed_at = now(), "
            "updated_at = now() "
            "WHERE tenant_id = {} AND id = {}", current_tenant_id(), opportunity_id)
        await emit(OPPORTUNITY_WON, event_data(await _fetch(opportunity_id)))
    await audit.record("opportunity.won", "opportunity", opportunity_id, before=before,
                       after=await _fetch(opportunity_id))


async def win(access: Access, opportunity_id: uuid.UUID) -> OpportunityOut:
    await get_opportunity(access, opportunity_id)  # 404 unless the caller sees it
    await mark_won(opportunity_id)
    return await _fetch(opportunity_id)


async def mark_lost(access: Access, opportunity_id: uuid.UUID, data: MarkLost) -> OpportunityOut:
    before = await get_opportunity(access, opportunity_id)
    _require_open(before)
    if before.state == "won":
        raise _conflict("opportunity_won", "Cơ hội đã thắng; hãy mở lại trước.",
                        "The opportunity is won; restore it first.")
    await require_active_reason(data.lost_reason_id)
    await Opportunity.raw(
        "UPDATE opportunity SET state = 'lost', lost_reason_id = {}, lost_note = {}, closed_at = now(), "
        "updated_at = now() WHERE tenant_id = {} AND id = {}",
        data.lost_reason_id, data.note, current_tenant_id(), opportunity_id)
    after = await _fetch(opportunity_id)
    await audit.record("opportunity.lost", "opportunity", opportunity_id, before=before, after=after)
    await emit(OPPORTUNITY_LOST, event_data(after))
    return after


async def restore(access: Access, opportunity_id: uuid.UUID) -> OpportunityOut:
    """Reopen a lost or won opportunity in its stage (a won one goes back to the team's first stage); its
    probability follows the stage again unless set by hand."""
    before = await get_opportunity(access, opportunity_id)
    if before.state == "open":
        raise _conflict("opportunity_open", "Cơ hội đang mở.", "The opportunity is open.")
    if before.state == "won":
        first = await first_stage(before.team_id, "stage_id")
        await move_opportunities([opportunity_id], first.id)
    else:
        await Opportunity.raw(
            "UPDATE opportunity o SET state = 'open', lost_reason_id = NULL, lost_note = NULL, closed_at = NULL, "
            "updated_at = now(), probability = CASE WHEN o.probability_manual THEN o.probability "
            "ELSE COALESCE(s.probability, 0) END "
            "FROM opportunity p LEFT JOIN stage s ON s.tenant_id = p.tenant_id AND s.id = p.stage_id "
            "WHERE p.tenant_id = {} AND p.id = {} AND o.tenant_id = p.tenant_id AND o.id = p.id",
            current_tenant_id(), opportunity_id)
    after = await _fetch(opportunity_id)
    await audit.record("opportunity.restore", "opportunity", opportunity_id, before=before, after=after)
    await emit(OPPORTUNITY_RESTORED, event_data(after))
    return after


async def qualify(access: Access, opportunity_id: uuid.UUID, data: Qualify) -> OpportunityOut:
    """The lead becomes an opportunity of an existing customer or of one created through contacts (whose
    rules and checks apply), in the given stage or the team's first."""
    before = await get_opportunity(access, opportunity_id)
    if before.kind != "lead":
        raise _conflict("not_a_lead", "Đây đã là cơ hội.", "This is already an opportunity.")
    if data.customer_id is not None and data.new_customer_name is not None:
        raise invalid([("new_customer_name", "conflict", "Chỉ gửi `customer_id` hoặc `new_customer_name`",
                        "Send `customer_id` or `new_customer_name`, not both")])
    stage = await _stage_for(before.team_id, data.stage_id)
    customer_id = data.customer_id
    if customer_id is not None:
        await _check_customer(access, customer_id, None)
    else:
        customer = await create_customer(CustomerCreate(
            kind=data.new_customer_kind, name=data.new_customer_name or before.name, email=before.email,
            phone=before.phone, owner_id=before.owner_id, lifecycle_stage="lead",
            confirm_duplicate=data.confirm_duplicate), access.user_id, access)
        customer_id = customer.id
    await Opportunity.raw(
        "UPDATE opportunity SET kind = 'opportunity', customer_id = {}, stage_id = {}, "
        "date_last_stage_update = now(), updated_at = now(), "
        "probability = CASE WHEN probability_manual THEN probability ELSE {} END "
        "WHERE tenant_id = {} AND id = {}",
        customer_id, stage.id, stage.probability, current_tenant_id(), opportunity_id)
    after = await _fetch(opportunity_id)
    await audit.record("lead.qualify", "opportunity", opportunity_id, before=before, after=after)
    await emit(LEAD_QUALIFIED, event_data(after))
    return after


async def stage_history(access: Access, opportunity_id: uuid.UUID) -> list[StageMoveOut]:
    await get_opportunity(access, opportunity_id)
    rows = await Opportunity.raw(_HISTORY, current_tenant_id(), opportunity_id)
    return msgspec.convert(rows, list[StageMoveOut])


async def list_opportunities(access: Access, limit: int, cursor: str | None,
                             where: OpportunityFilter) -> Page[OpportunityOut]:
    query = Opportunity.select(*_COLUMNS).where(Opportunity.tenant_id == current_tenant_id(),
                                                *visible_to(access, Opportunity))
    if after := decode_cursor(cursor):
        query = query.where(Opportunity.id > after)
    for name in ("team_id", "owner_id", "kind", "state", "stage_id", "customer_id"):
        if (value := getattr(where, name)) is not None:
            query = query.where(getattr(Opportunity, name) == value)
    if where.tag is not None:
        query = query.where(Opportunity.tags.any(where.tag))
    if where.close_from is not None:
        query = query.where(Opportunity.expected_close_date >= where.close_from)
    if where.close_to is not None:
        query = query.where(Opportunity.expected_close_date <= where.close_to)
    rows = msgspec.convert(await query.order_by(Opportunity.id).limit(limit + 1), list[OpportunityOut])
    return page_of(rows, limit, rows[limit - 1].id if len(rows) > limit else None)
