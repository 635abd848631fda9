"""Customer groups: a tree per tenant (Phân loại khách hàng theo nhóm); a customer can be in many groups.

A group's code comes from its name folded to ASCII ("Khách hàng Hà Nội" → KHACH-HANG-HA-NOI), with a numeric
suffix when taken. Creating and moving groups take a per-tenant transaction lock, so two concurrent moves
cannot together make a cycle that neither would make alone, and two groups cannot take the same code.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.text import fold, slugify
from services.contacts.schemas import CustomerIds, GroupCreate, GroupNode, GroupOut, GroupUpdate, Linked
from services.contacts.service.customers import get_customer, visible_customer_ids
from services.contacts.service.lookups import require_reference
from services.contacts.tables import CustomerGroup, CustomerGroupMember
from tenants import audit
from tenants.access import Access
from tenants.context import current_tenant_id

GROUP_NOT_FOUND = NotFoundError("nhóm khách hàng", "Customer group")
FALLBACK_CODE = "NHOM"  # for a name with no letter or digit at all
_COLUMNS = [getattr(CustomerGroup, name) for name in GroupOut.__struct_fields__]
_TREE = """
WITH RECURSIVE tree AS (
    SELECT id, code, name, parent_id, created_at, updated_at, 0 AS depth, ARRAY[name_folded::text, id::text] AS path
    FROM customer_group WHERE tenant_id = {} AND parent_id IS NULL
    UNION ALL
    SELECT g.id, g.code, g.name, g.parent_id, g.created_at, g.updated_at, t.depth + 1,
           t.path || ARRAY[g.name_folded::text, g.id::text]
    FROM customer_group g JOIN tree t ON g.parent_id = t.id WHERE g.tenant_id = {}
)
SELECT id, code, name, parent_id, created_at, updated_at, depth FROM tree ORDER BY path
"""
# Walks up from the proposed parent; UNION (not ALL) stops on a repeat, whatever the data.
_IS_ANCESTOR_OR_SELF = """
WITH RECURSIVE up AS (
    SELECT id, parent_id FROM customer_group WHERE tenant_id = {} AND id = {}
    UNION
    SELECT g.id, g.parent_id FROM customer_group g JOIN up ON g.id = up.parent_id WHERE g.tenant_id = {}
)
SELECT EXISTS (SELECT 1 FROM up WHERE id = {}) AS found
"""


def _mine() -> Any:
    return CustomerGroup.tenant_id == current_tenant_id()


def code_base(name: str) -> str:
    return slugify(name, max_length=56).upper() or FALLBACK_CODE


async def _lock_tree() -> None:
    await CustomerGroup.raw("SELECT pg_advisory_xact_lock(hashtextextended('customer_group:' || {}::uuid::text, 0))",
                            current_tenant_id())


async def _free_code(base: str) -> str:
    """`base`, or `base-N` with N one above the highest suffix taken."""
    rows = await CustomerGroup.raw(
        "SELECT code FROM customer_group WHERE tenant_id = {} AND (code = {} OR code ~ {})",
        current_tenant_id(), base, f"^{base}-[0-9]+$")
    taken = {row["code"] for row in rows}
    if base not in taken:
        return base
    suffixes = [int(code.rsplit("-", 1)[1]) for code in taken if code != base]
    return f"{base}-{max(suffixes, default=1) + 1}"


async def list_groups() -> list[GroupNode]:
    tenant_id = current_tenant_id()
    rows = await CustomerGroup.raw(_TREE, tenant_id, tenant_id)
    return [msgspec.convert(row, GroupNode, strict=False) for row in rows]


async def get_group(group_id: uuid.UUID) -> GroupOut:
    row = await CustomerGroup.select(*_COLUMNS).where(_mine() & (CustomerGroup.id == group_id)).first()
    if row is None:
        raise GROUP_NOT_FOUND
    return msgspec.convert(row, GroupOut, strict=False)


async def _require_parent(parent_id: uuid.UUID) -> None:
    await require_reference(CustomerGroup, parent_id, "parent_id", "nhóm cha", "Parent group")


async def create_group(data: GroupCreate) -> GroupOut:
    if data.parent_id is not None:
        await _require_parent(data.parent_id)
    await _lock_tree()
    group = CustomerGroup(tenant_id=current_tenant_id(), name=data.name.strip(), name_folded=fold(data.name),
                          code=await _free_code(code_base(data.name)), parent_id=data.parent_id)
    await group.save()
    created = await get_group(group.id)
    await audit.record("customer_group.create", "customer_group", group.id, after=created)
    return created


async def _refuse_cycle(group_id: uuid.UUID, parent_id: uuid.UUID) -> None:
    tenant_id = current_tenant_id()
    rows = await CustomerGroup.raw(_IS_ANCESTOR_OR_SELF, tenant_id, parent_id, tenant_id, group_id)
    if rows[0]["found"]:
        raise ProblemError(409, "conflict", "Không thể chuyển nhóm vào chính nó hoặc một nhóm con của nó.",
                           "A group cannot move under itself or one of its own subgroups.",
                           errors=[("parent_id", "cycle", "Nhóm cha tạo thành vòng lặp",
                                    "This parent would make a cycle")])


async def update_group(group_id: uuid.UUID, data: GroupUpdate) -> GroupOut:
    before = await get_group(group_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, msgspec.UnsetType):
        changes |= {CustomerGroup.name: data.name.strip(), CustomerGroup.name_folded: fold(data.name)}
    if not isinstance(data.parent_id, msgspec.UnsetType):
        if data.parent_id is not None:
            await _require_parent(data.parent_id)
            await _lock_tree()
            await _refuse_cycle(group_id, data.parent_id)
        changes[CustomerGroup.parent_id] = data.parent_id
    if not changes:
        return before
    await CustomerGroup.update(changes).where(_mine() & (CustomerGroup.id == group_id))
    after = await get_group(group_id)
    await audit.record("customer_group.update", "customer_group", group_id, before=before, after=after)
    return after


async def delete_group(group_id: uuid.UUID) -> None:
    """Its customers leave it (the links cascade); a group with subgroups is refused, so none is orphaned."""
    before = await get_group(group_id)
    children = await CustomerGroup.count().where(_mine() & (CustomerGroup.parent_id == group_id))
    if children:
        raise ProblemError(409, "conflict", f"Nhóm còn {children} nhóm con; hãy chuyển hoặc xoá chúng trước.",
                           f"The group has {children} subgroups; move or delete them first.")
    await CustomerGroup.delete().where(_mine() & (CustomerGroup.id == group_id))
    await audit.record("customer_group.delete", "customer_group", group_id, before=before)


async def assign_customers(access: Access, group_id: uuid.UUID, data: CustomerIds) -> Linked:
    await get_group(group_id)
    wanted = set(data.customer_ids)
    if missing := wanted - await visible_customer_ids(access, wanted):
        raise ProblemError(422, "validation_error", "Có khách hàng không tồn tại.", "Some customers do not exist.",
                           errors=[("customer_ids", "not_found", f"Không tìm thấy {len(missing)} khách hàng",
                                    f"{len(missing)} customers not found")])
    added = await CustomerGroupMember.raw(
        "INSERT INTO customer_group_member (tenant_id, group_id, customer_id) SELECT {}, {}, unnest({}::uuid[]) "
        "ON CONFLICT (tenant_id, group_id, customer_id) DO NOTHING RETURNING customer_id",
        current_tenant_id(), group_id, sorted(wanted))
    await audit.record("customer_group.assign", "customer_group", group_id,
                       after={"customer_ids": sorted(str(row["customer_id"]) for row in added)})
    return Linked(added=len(added))


async def unassign_customer(access: Access, group_id: uuid.UUID, customer_id: uuid.UUID) -> None:
    await get_group(group_id)
    await get_customer(access, customer_id)
    removed = await CustomerGroupMember.delete().where(
        (CustomerGroupMember.tenant_id == current_tenant_id()) & (CustomerGroupMember.group_id == group_id)
        & (CustomerGroupMember.customer_id == customer_id)).returning(CustomerGroupMember.id)
    if not removed:
        raise NotFoundError("khách hàng trong nhóm", "Customer in this group")
    await audit.record("customer_group.unassign", "customer_group", group_id,
                       before={"customer_ids": [str(customer_id)]})


async def groups_of_customer(access: Access, customer_id: uuid.UUID) -> list[GroupOut]:
    await get_customer(access, customer_id)
    rows = await CustomerGroup.raw(
        "SELECT g.id, g.code, g.name, g.parent_id, g.created_at, g.updated_at FROM customer_group g "
        "JOIN customer_group_member m ON m.group_id = g.id AND m.tenant_id = g.tenant_id "
        "WHERE g.tenant_id = {} AND m.customer_id = {} ORDER BY g.name_folded", current_tenant_id(), customer_id)
    return [msgspec.convert(row, GroupOut, strict=False) for row in rows]
