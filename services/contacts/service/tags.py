"""Tags: free labels; a customer has many, and `GET /customers?tag=` finds them by name."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.text import fold
from services.contacts.schemas import Linked, TagCreate, TagOut, TagUpdate
from services.contacts.service.customers import get_customer
from services.contacts.service.lookups import name_must_be_free
from services.contacts.tables import CustomerTag, Tag
from tenants import audit
from tenants.access import Access
from tenants.context import current_tenant_id

TAG_NOT_FOUND = NotFoundError("thẻ", "Tag")
_COLUMNS = [getattr(Tag, name) for name in TagOut.__struct_fields__]


def _out(row: dict[str, Any]) -> TagOut:
    return msgspec.convert(row, TagOut, strict=False)


def _mine() -> Any:
    return Tag.tenant_id == current_tenant_id()


async def list_tags() -> list[TagOut]:
    return [_out(row) for row in await Tag.select(*_COLUMNS).where(_mine()).order_by(Tag.name_folded)]


async def get_tag(tag_id: uuid.UUID) -> TagOut:
    row = await Tag.select(*_COLUMNS).where(_mine() & (Tag.id == tag_id)).first()
    if row is None:
        raise TAG_NOT_FOUND
    return _out(row)


async def create_tag(data: TagCreate) -> TagOut:
    tag = Tag(tenant_id=current_tenant_id(), name=data.name.strip(), name_folded=fold(data.name), color=data.color)
    async with name_must_be_free("thẻ", "tag"):
        await tag.save()
    created = await get_tag(tag.id)
    await audit.record("tag.create", "tag", tag.id, after=created)
    return created


async def update_tag(tag_id: uuid.UUID, data: TagUpdate) -> TagOut:
    before = await get_tag(tag_id)
    changes: dict[Any, Any] = {}
    if not isinstance(data.name, msgspec.UnsetType):
        changes |= {Tag.name: data.name.strip(), Tag.name_folded: fold(data.name)}
    if not isinstance(data.color, msgspec.UnsetType):
        changes[Tag.color] = data.color
    if not changes:
        return before
    async with name_must_be_free("thẻ", "tag"):
        await Tag.update(changes).where(_mine() & (Tag.id == tag_id))
    after = await get_tag(tag_id)
    await audit.record("tag.update", "tag", tag_id, before=before, after=after)
    return after


async def delete_tag(tag_id: uuid.UUID) -> None:
    """The tag leaves every customer that had it (the links cascade)."""
    before = await get_tag(tag_id)
    await Tag.delete().where(_mine() & (Tag.id == tag_id))
    await audit.record("tag.delete", "tag", tag_id, before=before)


async def tags_of_customer(access: Access, customer_id: uuid.UUID) -> list[TagOut]:
    await get_customer(access, customer_id)
    rows = await Tag.raw(
        "SELECT t.id, t.name, t.color FROM tag t "
        "JOIN customer_tag ct ON ct.tag_id = t.id AND ct.tenant_id = t.tenant_id "
        "WHERE t.tenant_id = {} AND ct.customer_id = {} ORDER BY t.name_folded", current_tenant_id(), customer_id)
    return [_out(row) for row in rows]


async def tag_customer(access: Access, customer_id: uuid.UUID, tag_ids: list[uuid.UUID]) -> Linked:
    await get_customer(access, customer_id)
    wanted = set(tag_ids)
    found = {row["id"] for row in await Tag.select(Tag.id).where(_mine() & Tag.id.is_in(list(wanted)))}
    if missing := wanted - found:
        raise ProblemError(422, "validation_error", "Có thẻ không tồn tại.", "Some tags do not exist.",
                           errors=[("tag_ids", "not_found", f"Không tìm thấy {len(missing)} thẻ",
                                    f"{len(missing)} tags not found")])
    added = await CustomerTag.raw(
        "INSERT INTO customer_tag (tenant_id, tag_id, customer_id) SELECT {}, unnest({}::uuid[]), {} "
        "ON CONFLICT (tenant_id, tag_id, customer_id) DO NOTHING RETURNING tag_id",
        current_tenant_id(), sorted(wanted), customer_id)
    await audit.record("customer.tag", "customer", customer_id,
                       after={"tag_ids": sorted(str(row["tag_id"]) for row in added)})
    return Linked(added=len(added))


async def untag_customer(access: Access, customer_id: uuid.UUID, tag_id: uuid.UUID) -> None:
    await get_customer(access, customer_id)
    removed = await CustomerTag.delete().where(
        (CustomerTag.tenant_id == current_tenant_id()) & (CustomerTag.customer_id == customer_id)
        & (CustomerTag.tag_id == tag_id)).returning(CustomerTag.id)
    if not removed:
        raise TAG_NOT_FOUND
    await audit.record("customer.untag", "customer", customer_id, before={"tag_ids": [str(tag_id)]})
