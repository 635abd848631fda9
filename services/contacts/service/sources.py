"""Customer sources: where customers come from. A customer has one (`source_id`)."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.text import fold
from services.contacts.schemas import SourceOut, SourceWrite
from services.contacts.service.lookups import name_must_be_free, require_reference
from services.contacts.tables import Customer, CustomerSource
from tenants import audit
from tenants.context import current_tenant_id

SOURCE_NOT_FOUND = NotFoundError("nguồn khách hàng", "Customer source")
_COLUMNS = [getattr(CustomerSource, name) for name in SourceOut.__struct_fields__]


def _out(row: dict[str, Any]) -> SourceOut:
    return msgspec.convert(row, SourceOut, strict=False)


def _mine() -> Any:
    return CustomerSource.tenant_id == current_tenant_id()


async def list_sources() -> list[SourceOut]:
    rows = await CustomerSource.select(*_COLUMNS).where(_mine()).order_by(CustomerSource.name_folded)
    return [_out(row) for row in rows]


async def get_source(source_id: uuid.UUID) -> SourceOut:
    row = await CustomerSource.select(*_COLUMNS).where(_mine() & (CustomerSource.id == source_id)).first()
    if row is None:
        raise SOURCE_NOT_FOUND
    return _out(row)


async def create_source(data: SourceWrite) -> SourceOut:
    source = CustomerSource(tenant_id=current_tenant_id(), name=data.name.strip(), name_folded=fold(data.name))
    async with name_must_be_free("nguồn", "source"):
        await source.save()
    created = await get_source(source.id)
    await audit.record("customer_source.create", "customer_source", source.id, after=created)
    return created


async def update_source(source_id: uuid.UUID, data: SourceWrite) -> SourceOut:
    before = await get_source(source_id)
    async with name_must_be_free("nguồn", "source"):
        await CustomerSource.update({CustomerSource.name: data.name.strip(),
                                     CustomerSource.name_folded: fold(data.name)}).where(
            _mine() & (CustomerSource.id == source_id))
    after = await get_source(source_id)
    await audit.record("customer_source.update", "customer_source", source_id, before=before, after=after)
    return after


async def delete_source(source_id: uuid.UUID) -> None:
    before = await get_source(source_id)
    in_use = await Customer.count().where((Customer.tenant_id == current_tenant_id())
                                          & (Customer.source_id == source_id))
    if in_use:
        raise ProblemError(409, "conflict", f"Nguồn đang được {in_use} khách hàng sử dụng.",
                           f"The source is used by {in_use} customers.")
    await CustomerSource.delete().where(_mine() & (CustomerSource.id == source_id))
    await audit.record("customer_source.delete", "customer_source", source_id, before=before)


async def require_source(source_id: uuid.UUID) -> None:
    await require_reference(CustomerSource, source_id, "source_id", "nguồn khách hàng", "Customer source")
