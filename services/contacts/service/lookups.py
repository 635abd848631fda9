"""Rules shared by the classification lists (groups, sources, statuses, tags): a row a body refers to must be
the tenant's own, and a name must be free."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg

from infra.problems import ProblemError
from tenants.context import current_tenant_id
from tenants.tables import TenantTable


async def require_reference(table: type[TenantTable], row_id: uuid.UUID, field: str, what_vi: str,
                            what_en: str) -> None:
    """422 naming `field` unless `row_id` is one of the tenant's rows: another tenant's id looks missing."""
    exists = await table.exists().where((table.tenant_id == current_tenant_id()) & (table.id == row_id))
    if not exists:
        raise ProblemError(422, "validation_error", f"Không tìm thấy {what_vi}.", f"{what_en} not found.",
                           errors=[(field, "not_found", f"Không có {what_vi} này", f"No such {what_en.lower()}")])


@contextlib.asynccontextmanager
async def name_must_be_free(what_vi: str, what_en: str) -> AsyncIterator[None]:
    """Turn the per-tenant unique index on a name into a 409 naming `name` (race-free, unlike a check first)."""
    try:
        yield
    except asyncpg.UniqueViolationError:
        raise ProblemError(409, "conflict", f"Đã có {what_vi} tên này.", f"A {what_en} with this name exists.",
                           errors=[("name", "taken", "Tên đã được dùng", "Name already in use")]) from None
