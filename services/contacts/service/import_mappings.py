"""Column mappings a tenant saves by name, and the one its latest import used.

An import given `mapping_id` takes the saved mapping, match_on and on_duplicate (a mapping given beside it is
refused: one source of truth per import). The mapping last used is not kept apart: it is the one the tenant's
latest import recorded (`customer_import.mapping`, `.mapping_id`), so the upload page can offer it again.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid, not_ours
from infra.text import fold
from services.contacts.schemas import ImportMappingCreate, ImportMappingOut, ImportOptions, LastImportMapping
from services.contacts.service.lookups import name_must_be_free
from services.contacts.tables import CustomerImport, ImportMapping
from tenants import audit
from tenants.context import current_tenant_id

MAPPING_NOT_FOUND = NotFoundError("mẫu ghép cột", "Import mapping")
_COLUMNS = [getattr(ImportMapping, name) for name in ImportMappingOut.__struct_fields__]


def _mine() -> Any:
    return ImportMapping.tenant_id == current_tenant_id()


async def list_mappings() -> list[ImportMappingOut]:
    rows = await ImportMapping.select(*_COLUMNS).where(_mine()).order_by(ImportMapping.name_folded).output(
        load_json=True)
    return msgspec.convert(rows, list[ImportMappingOut], strict=False)


async def get_mapping(mapping_id: uuid.UUID) -> ImportMappingOut:
    row = await ImportMapping.select(*_COLUMNS).where(_mine() & (ImportMapping.id == mapping_id)).output(
        load_json=True).first()
    if row is None:
        raise MAPPING_NOT_FOUND
    return msgspec.convert(row, ImportMappingOut, strict=False)


async def create_mapping(data: ImportMappingCreate) -> ImportMappingOut:
    mapping = ImportMapping(tenant_id=current_tenant_id(), name=data.name.strip(), name_folded=fold(data.name),
                            mapping=msgspec.json.encode(data.mapping).decode(), match_on=data.match_on,
                            on_duplicate=data.on_duplicate)
    async with name_must_be_free("mẫu ghép cột", "mapping"):
        await mapping.save()
    created = await get_mapping(mapping.id)
    await audit.record("import_mapping.create", "import_mapping", created.id, after=created)
    return created


async def delete_mapping(mapping_id: uuid.UUID) -> None:
    """Imports that used it keep their own copy of the mapping."""
    before = await get_mapping(mapping_id)
    await ImportMapping.delete().where(_mine() & (ImportMapping.id == mapping_id))
    await audit.record("import_mapping.delete", "import_mapping", mapping_id, before=before)


async def last_mapping() -> LastImportMapping:
    """What the tenant's latest import used; 404 before the first import."""
    row = await CustomerImport.select(
        CustomerImport.id.as_alias("import_id"), CustomerImport.mapping_id, CustomerImport.mapping,
        CustomerImport.match_on, CustomerImport.on_duplicate, CustomerImport.created_at.as_alias("used_at"),
    ).where(CustomerImport.tenant_id == current_tenant_id()).order_by(CustomerImport.id, ascending=False).output(
        load_json=True).first()
    if row is None:
        raise NotFoundError("lần nhập nào", "Any import")
    return msgspec.convert(row, LastImportMapping, strict=False)


async def with_saved_mapping(options: ImportOptions) -> ImportOptions:
    """`options` with the saved mapping's columns and duplicate policy when it names one (422 if not ours)."""
    if options.mapping_id is None:
        return options
    if options.mapping:
        raise invalid([("options.mapping", "not_allowed", "Không gửi kèm mapping khi dùng mapping_id",
                        "Give either mapping or mapping_id, not both")])
    row = await ImportMapping.select(ImportMapping.mapping, ImportMapping.match_on, ImportMapping.on_duplicate).where(
        _mine() & (ImportMapping.id == options.mapping_id)).output(load_json=True).first()
    if row is None:
        raise invalid([not_ours("options.mapping_id", "mẫu ghép cột", "import mapping")])
    return msgspec.structs.replace(options, mapping=row["mapping"], match_on=row["match_on"],
                                   on_duplicate=row["on_duplicate"])
