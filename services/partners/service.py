"""Partners' rules: territories made of provinces (two-digit codes of the General Statistics Office)."""

from __future__ import annotations

import msgspec

from services.partners.schemas import TerritoryCreate, TerritoryOut
from services.partners.tables import Territory
from tenants import audit
from tenants.context import current_tenant_id

_OUT_COLUMNS = [getattr(Territory, name) for name in TerritoryOut.__struct_fields__]


async def list_territories() -> list[TerritoryOut]:
    rows = await Territory.select(*_OUT_COLUMNS).where(Territory.tenant_id == current_tenant_id()).order_by(
        Territory.name)
    return msgspec.convert(rows, list[TerritoryOut])


async def create_territory(data: TerritoryCreate) -> TerritoryOut:
    territory = Territory(tenant_id=current_tenant_id(), name=data.name.strip(),
                          province_codes=sorted(set(data.province_codes)))
    await territory.save()
    created = TerritoryOut(id=territory.id, name=territory.name, province_codes=territory.province_codes)
    await audit.record("territory.create", "territory", territory.id, after=created)
    return created
