"""The records an activity can be about, by `record_type`, and the check that one exists for the caller.

Customers live in contacts; opportunities, quotations and contracts in pipeline. Each carries an owner, team
and branch, so the caller must see the record to plan an activity on it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import cast

from infra.problems import ProblemError
from services.contacts.tables import Customer
from services.pipeline.tables import Contract, Opportunity, Quotation
from tenants.access import Access, OwnedTable, visible_to
from tenants.context import current_tenant_id
from tenants.tables import TenantTable


@dataclass(frozen=True)
class RecordTable:
    table: type[TenantTable]
    owned: bool  # rows have an owner, team and branch: the caller must see the record (data visibility)


RECORD_TABLES: dict[str, RecordTable] = {
    "customer": RecordTable(Customer, owned=True),
    "opportunity": RecordTable(Opportunity, owned=True),
    "quotation": RecordTable(Quotation, owned=True),
    "contract": RecordTable(Contract, owned=True),
}


async def require_record(access: Access, record_type: str, record_id: uuid.UUID) -> None:
    """422 naming the field unless the record exists in the tenant and the caller sees it."""
    kind = RECORD_TABLES.get(record_type)
    if kind is None:
        raise ProblemError(422, "validation_error", "Chưa hỗ trợ hoạt động cho loại bản ghi này.",
                           "Activities are not available for this kind of record yet.",
                           errors=[("record_type", "not_available", "Loại bản ghi chưa được hỗ trợ",
                                    "Record type not available yet")])
    table = kind.table
    visibility = visible_to(access, cast("OwnedTable", table)) if kind.owned else []
    if not await table.exists().where(table.tenant_id == current_tenant_id(), table.id == record_id, *visibility):
        raise ProblemError(422, "validation_error", "Không tìm thấy bản ghi.", "Record not found.",
                           errors=[("record_id", "not_found", "Không có bản ghi này", "No such record")])
