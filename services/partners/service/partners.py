"""Partner profiles on contacts' customers: dealers and collaborators, their status, tier and hierarchy.

Visibility: a partner belongs to its owner (its creator unless given), with the owner's team and branch stamped on
it as on a customer, and list and get read only the partners the caller sees (`tenants.access.visible_to`); one
the caller does not see answers 404, and so does what hangs off it (tree, agreements, targets, results).

Hierarchy: dealer -> sub-dealer -> collaborator. Only a dealer has children; a move that would make a partner
its own ancestor is refused. Status: applied -> active | ended; active <-> suspended; -> ended is final.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from asyncpg.exceptions import UniqueViolationError

from infra.problems import NotFoundError, ProblemError, invalid, not_ours
from services.contacts.service.customers import ownership_of, visible_customer_ids
from services.contacts.service.fields import attribute_rules, attribute_values
from services.partners.events import PARTNER_CREATED, PARTNER_STATUS_CHANGED, PartnerData, PartnerStatusChanged
from services.partners.schemas import PartnerCreate, PartnerOut, PartnerUpdate, TreeNode
from services.partners.service.refs import customer_names
from services.partners.tables import Partner, PartnerPolicy, Territory
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of
from webhooks.outbox import emit

PARTNER_ENTITY = "partner"  # partner attributes: contacts' attribute engine, entity "partner"
PARTNER_NOT_FOUND = NotFoundError("đối tác", "Partner")
ALREADY_PARTNER = ProblemError(409, "conflict", "Khách hàng này đã có hồ sơ đối tác.",
                               "This customer already has a partner profile.",
                               errors=[("customer_id", "taken", "Đã là đối tác", "Already a partner")])
TRANSITIONS: dict[str, frozenset[str]] = {
    "applied": frozenset({"active", "ended"}),
    "active": frozenset({"suspended", "ended"}),
    "suspended": frozenset({"active", "ended"}),
    "ended": frozenset(),
}
_COLUMNS = [getattr(Partner, name) for name in PartnerOut.__struct_fields__ if name != "customer_name"]


def _ours() -> Any:
    return Partner.tenant_id == current_tenant_id()


async def _outs(rows: list[dict[str, Any]]) -> list[PartnerOut]:
    names = await customer_names(row["customer_id"] for row in rows)
    return [msgspec.convert({**row, "customer_name": names.get(row["customer_id"], "")}, PartnerOut)
            for row in rows]


async def fetch_partner(partner_id: uuid.UUID, *visibility: Any) -> PartnerOut:
    """The tenant's partner (narrowed by `visibility` conditions when given); 404 when there is none."""
    row = await Partner.select(*_COLUMNS).where(_ours() & (Partner.id == partner_id), *visibility).output(
        load_json=True).first()
    if row is None:
        raise PARTNER_NOT_FOUND
    return (await _outs([row]))[0]


async def get_partner(access: Access, partner_id: uuid.UUID) -> PartnerOut:
    """The partner if the caller sees it; 404 otherwise, as for another tenant's."""
    return await fetch_partner(partner_id, *visible_to(access, Partner))


async def require_partner_ref(partner_id: uuid.UUID | None, field: str) -> None:
    """For another service's body naming a partner (a referral): 422 naming `field` unless it is this tenant's."""
    if partner_id is not None and not await Partner.exists().where(_ours() & (Partner.id == partner_id)):
        raise invalid([not_ours(field, "đối tác", "partner")])


async def all_partners(access: Access, kind: str | None = None) -> list[PartnerOut]:
    """Every partner of `kind` (all when None) the caller sees, by customer name: one query, for reports."""
    query = Partner.select(*_COLUMNS).where(_ours(), *visible_to(access, Partner))
    if kind:
        query = query.where(Partner.kind == kind)
    return sorted(await _outs(await query.output(load_json=True)), key=lambda partner: partner.customer_name)


async def list_partners(access: Access, limit: int, cursor: str | None, kind: str | None = None,
                        status: str | None = None, parent_id: uuid.UUID | None = None,
                        territory_id: uuid.UUID | None = None) -> Page[PartnerOut]:
    query = Partner.select(*_COLUMNS).where(_ours(), *visible_to(access, Partner))
    if kind:
        query = query.where(Partner.kind == kind)
    if status:
        query = query.where(Partner.status == status)
    if parent_id:
        query = query.where(Partner.parent_id == parent_id)
    if territory_id:
        query = query.where(Partner.territory_ids.any(territory_id))
    if after := decode_cursor(cursor):
        query = query.where(Partner.id > after)
    rows = await query.order_by(Partner.id).limit(limit + 1).output(load_json=True)
    items = await _outs(rows)
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _check_refs(territory_ids: list[uuid.UUID] | None, policy_id: uuid.UUID | None) -> None:
    errors = []
    if territory_ids:
        known = {row["id"] for row in await Territory.select(Territory.id).where(
            (Territory.tenant_id == current_tenant_id()) & Territory.id.is_in(territory_ids))}
        errors += [not_ours(f"territory_ids[{n}]", "khu vực", "territory")
                   for n, t in enumerate(territory_ids) if t not in known]
    if policy_id and not await PartnerPolicy.exists().where(
            (PartnerPolicy.tenant_id == current_tenant_id()) & (PartnerPolicy.id == policy_id)):
        errors.append(not_ours("policy_id", "chính sách", "policy"))
    if errors:
        raise invalid(errors)


async def _check_parent(partner_id: uuid.UUID | None, kind: str, parent_id: uuid.UUID | None) -> None:
    if parent_id is None:
        return
    parent = await Partner.select(Partner.kind).where(_ours() & (Partner.id == parent_id)).first()
    if parent is None:
        raise invalid([not_ours("parent_id", "đối tác", "partner")])
    if parent["kind"] != "dealer":
        raise invalid([("parent_id", "not_a_dealer", "Chỉ đại lý mới có cấp dưới",
                        "Only a dealer can have partners under it")])
    if kind == "dealer" and partner_id is not None and await _is_descendant(parent_id, of=partner_id):
        raise invalid([("parent_id", "cycle", "Không thể đặt cấp trên là chính nó hoặc cấp dưới của nó",
                        "A partner cannot sit under itself or one of its own descendants")])


async def _is_descendant(candidate: uuid.UUID, of: uuid.UUID) -> bool:
    rows = await Partner.raw(
        "WITH RECURSIVE down AS (SELECT id FROM partner WHERE tenant_id = {} AND id = {} "
        "UNION SELECT p.id FROM partner p JOIN down ON p.parent_id = down.id WHERE p.tenant_id = {}) "
        "SELECT 1 AS hit FROM down WHERE id = {}", current_tenant_id(), of, current_tenant_id(), candidate)
    return bool(rows)


async def create_partner(access: Access, data: PartnerCreate) -> PartnerOut:
    """A partner profile on a customer the caller sees, owned by `data.owner_id` or else its creator (none when
    an API key creates it), in the owner's team and branch."""
    if not await visible_customer_ids(access, [data.customer_id]):
        raise invalid([not_ours("customer_id", "khách hàng", "customer")])
    ownership = await ownership_of(data.owner_id or access.user_id)
    await _check_refs(data.territory_ids, data.policy_id)
    await _check_parent(None, data.kind, data.parent_id)
    fields = msgspec.structs.asdict(data) | msgspec.structs.asdict(ownership)
    fields["attributes"] = attribute_values(await attribute_rules(PARTNER_ENTITY, lock=bool(data.attributes)),
                                            data.attributes)
    partner = Partner(tenant_id=current_tenant_id(), **fields)
    try:
        await partner.save()
    except UniqueViolationError:
        raise ALREADY_PARTNER from None
    created = await fetch_partner(partner.id)  # whoever it was given to, its creator gets it back once
    await audit.record("partner.create", "partner", partner.id, after=created)
    await emit(PARTNER_CREATED, PartnerData(id=created.id, customer_id=created.customer_id, kind=created.kind,
                                            tier=created.tier, status=created.status, parent_id=created.parent_id))
    return created


async def update_partner(access: Access, partner_id: uuid.UUID, data: PartnerUpdate) -> PartnerOut:
    before = await get_partner(access, partner_id)
    changes = {name: value for name, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET}
    if "status" in changes and changes["status"] != before.status and \
            changes["status"] not in TRANSITIONS[before.status]:
        raise ProblemError(409, "conflict",
                           f"Không thể chuyển đối tác từ '{before.status}' sang '{changes['status']}'.",
                           f"A partner cannot go from '{before.status}' to '{changes['status']}'.",
                           errors=[("status", "invalid_transition", "Chuyển trạng thái không hợp lệ",
                                    "Invalid status change")])
    await _check_refs(changes.get("territory_ids"), changes.get("policy_id"))
    if "parent_id" in changes:
        if changes["parent_id"] == partner_id:
            raise invalid([("parent_id", "cycle", "Không thể là cấp trên của chính nó", "Cannot be its own parent")])
        await _check_parent(partner_id, before.kind, changes["parent_id"])
    if "attributes" in changes:
        changes["attributes"] = attribute_values(await attribute_rules(PARTNER_ENTITY, lock=True),
                                                 changes["attributes"], before.attributes)
    columns = {getattr(Partner, name): value for name, value in changes.items()}
    if "owner_id" in changes:  # handed over: the partner moves to the new owner's team and branch
        ownership = msgspec.structs.asdict(await ownership_of(changes["owner_id"]))
        columns |= {getattr(Partner, name): value for name, value in ownership.items()}
    if columns:
        await Partner.update(columns).where(_ours() & (Partner.id == partner_id))
    after = await fetch_partner(partner_id)  # handed to someone else, it is shown to the caller this once
    await audit.record("partner.update", "partner", partner_id, before=before, after=after)
    if after.status != before.status:
        await emit(PARTNER_STATUS_CHANGED, PartnerStatusChanged(id=partner_id, customer_id=after.customer_id,
                                                                from_status=before.status, to_status=after.status))
    return after


async def partner_tree(access: Access, partner_id: uuid.UUID) -> list[TreeNode]:
    """The partner (one the caller sees) and everyone under it, depth first by creation."""
    await get_partner(access, partner_id)
    rows = await Partner.raw(
        "WITH RECURSIVE down AS (SELECT id, parent_id, customer_id, 0 AS depth, ARRAY[id] AS path FROM partner "
        "WHERE tenant_id = {} AND id = {} "
        "UNION ALL SELECT p.id, p.parent_id, p.customer_id, down.depth + 1, down.path || p.id FROM partner p "
        "JOIN down ON p.parent_id = down.id WHERE p.tenant_id = {} AND NOT p.id = ANY(down.path)) "
        "SELECT id, parent_id, customer_id, depth FROM down ORDER BY path",
        current_tenant_id(), partner_id, current_tenant_id())
    names = await customer_names(row["customer_id"] for row in rows)
    return [TreeNode(id=row["id"], parent_id=row["parent_id"] if row["depth"] else None, depth=row["depth"],
                     name=names.get(row["customer_id"], "")) for row in rows]
