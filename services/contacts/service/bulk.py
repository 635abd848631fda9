"""Bulk actions on customers: on a selection (`ids`) or on every customer the list's filters find (`filter`).

The customers are the caller's: the list's conditions (tenant, data visibility, filters) choose them, and a
selection naming a customer the caller does not see is refused whole (422 on `ids`, another tenant's id looks
missing), so nothing is half done. Each action is one set-based statement, in the request's transaction, with
its history rows, events and one audit entry:

- assign_owner: owner, team and branch (as `ownership_of` places the owner); `customer.updated` per customer;
- add_group / remove_group, add_tag / remove_tag: the links (no event: the customer's fields do not change);
- set_status: through `statuses.change_status` (history rows, `customer.status_changed` per customer).
"""

from __future__ import annotations

import uuid

import msgspec

from infra.problems import invalid
from services.contacts.events import CUSTOMER_UPDATED
from services.contacts.schemas import BulkFilter, BulkOut, BulkRequest, CustomerFilter
from services.contacts.service import statuses
from services.contacts.service.customers import filter_conditions, ownership_of
from services.contacts.service.imports import event_data
from services.contacts.service.lookups import require_reference
from services.contacts.tables import Customer, CustomerGroup, Tag
from tenants import audit
from tenants.access import Access
from tenants.context import current_tenant_id
from webhooks.outbox import emit_many

# The parameter each action needs, besides the customers.
_NEEDS = {"assign_owner": "owner_id", "add_group": "group_id", "remove_group": "group_id", "add_tag": "tag_id",
          "remove_tag": "tag_id", "set_status": "relationship_status_id"}
_ASSIGN_OWNER = """
UPDATE customer SET owner_id = {}, team_id = {}, branch_id = {}, updated_at = now()
WHERE tenant_id = {} AND id = ANY({}::uuid[])
  AND (owner_id, team_id, branch_id) IS DISTINCT FROM ({}::uuid, {}::uuid, {}::uuid)
RETURNING id
"""
_ADD_LINKS = """
INSERT INTO {table} (tenant_id, {column}, customer_id) SELECT {{}}, {{}}, unnest({{}}::uuid[])
ON CONFLICT (tenant_id, {column}, customer_id) DO NOTHING RETURNING customer_id
"""
_REMOVE_LINKS = """
DELETE FROM {table} WHERE tenant_id = {{}} AND {column} = {{}} AND customer_id = ANY({{}}::uuid[])
RETURNING customer_id
"""
_LINKS = {"group": ("customer_group_member", "group_id"), "tag": ("customer_tag", "tag_id")}


def _check(data: BulkRequest) -> None:
    errors: list[tuple[str, str, str, str]] = []
    if (data.ids is None) == (data.filter is None):
        errors.append(("ids", "required", "Cần đúng một trong hai: ids hoặc filter",
                       "Give exactly one of ids and filter"))
    needed = _NEEDS[data.action]
    value = getattr(data, needed)
    if value is None and needed != "relationship_status_id":
        errors.append((needed, "required", "Thao tác này cần trường này", "This action needs this field"))
    if value is msgspec.UNSET:
        errors.append((needed, "required", "Thao tác này cần trường này (null để bỏ trống)",
                       "This action needs this field (null clears it)"))
    if errors:
        raise invalid(errors)


def _customer_filter(where: BulkFilter) -> CustomerFilter:
    return CustomerFilter(q=where.q, lifecycle_stage=where.lifecycle_stage, group_id=where.group_id, tag=where.tag,
                          source_id=where.source_id, relationship_status_id=where.relationship_status_id,
                          attributes=tuple((f"attr.{key}", value) for key, value in where.attributes.items()))


async def _selected(access: Access, data: BulkRequest) -> list[uuid.UUID]:
    """The customers the action applies to, all of them ones the caller sees."""
    if data.ids is not None:
        wanted = set(data.ids)
        conditions = await filter_conditions(access, CustomerFilter())
        found = {row["id"] for row in await Customer.select(Customer.id).where(
            *conditions, Customer.id.is_in(list(wanted)))}
        if missing := wanted - found:
            raise invalid([("ids", "not_found", f"Không tìm thấy {len(missing)} khách hàng",
                            f"{len(missing)} customers not found")])
        return sorted(found)
    assert data.filter is not None
    rows = await Customer.select(Customer.id).where(
        *await filter_conditions(access, _customer_filter(data.filter))).order_by(Customer.id)
    return [row["id"] for row in rows]


async def _links(kind: str, add: bool, target: uuid.UUID, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    table, column = _LINKS[kind]
    sql = (_ADD_LINKS if add else _REMOVE_LINKS).format(table=table, column=column)
    rows = await Customer.raw(sql, current_tenant_id(), target, ids)
    return [row["customer_id"] for row in rows]


async def run_bulk(access: Access, data: BulkRequest) -> BulkOut:
    _check(data)
    if data.action in ("add_group", "remove_group"):
        assert data.group_id is not None
        await require_reference(CustomerGroup, data.group_id, "group_id", "nhóm khách hàng", "Customer group")
    elif data.action in ("add_tag", "remove_tag"):
        assert data.tag_id is not None
        await require_reference(Tag, data.tag_id, "tag_id", "thẻ", "Tag")
    ownership = await ownership_of(data.owner_id) if data.action == "assign_owner" else None
    ids = await _selected(access, data)
    changed: list[uuid.UUID] = []
    if data.action == "assign_owner" and ownership is not None and ids:
        changed = [row["id"] for row in await Customer.raw(
            _ASSIGN_OWNER, ownership.owner_id, ownership.team_id, ownership.branch_id, current_tenant_id(), ids,
            ownership.owner_id, ownership.team_id, ownership.branch_id)]
        await emit_many(CUSTOMER_UPDATED, await event_data(changed))
    elif data.action in ("add_group", "remove_group") and data.group_id is not None and ids:
        changed = await _links("group", data.action == "add_group", data.group_id, ids)
    elif data.action in ("add_tag", "remove_tag") and data.tag_id is not None and ids:
        changed = await _links("tag", data.action == "add_tag", data.tag_id, ids)
    elif data.action == "set_status" and not isinstance(data.relationship_status_id, msgspec.UnsetType):
        # change_status checks the status (422 naming the field) even for an empty selection.
        changed = sorted(await statuses.change_status(ids, data.relationship_status_id))
    parameters = msgspec.to_builtins(data, builtin_types=None)
    await audit.record(f"customer.bulk.{data.action}", "customer", after={
        **{key: value for key, value in parameters.items() if key not in ("ids", "action")},
        "matched": len(ids), "changed": [str(id_) for id_ in changed]})
    return BulkOut(action=data.action, matched=len(ids), changed=len(changed))
