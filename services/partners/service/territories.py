"""Territories: regions made of whole provinces (GSO two-digit codes) and of districts within others.

Dealers (partners) and salespeople (identity's profiles) are assigned to territories; from an address, the
territory, an owner and the dealers covering it are proposed. Coverage shows overlaps and gaps.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid
from infra.text import fold
from infra.vn import PROVINCES
from services.identity.tables import Salesperson
from services.partners.schemas import (
    Coverage,
    DistrictRef,
    Overlap,
    Proposal,
    ProposalRequest,
    TerritoryCreate,
    TerritoryOut,
    TerritoryUpdate,
)
from services.partners.tables import Partner, Territory
from tenants import audit
from tenants.context import current_tenant_id

TERRITORY_NOT_FOUND = NotFoundError("khu vực", "Territory")


def _out(row: dict[str, Any]) -> TerritoryOut:
    districts = [{"province_code": d["province_code"], "district": d["district"]} for d in row["districts"]]
    return msgspec.convert({**row, "districts": districts}, TerritoryOut)


def _districts(refs: list[DistrictRef], province_codes: list[str]) -> list[dict[str, str]]:
    """Districts kept once each (by folded name), and only within provinces not covered whole."""
    unknown = [n for n, ref in enumerate(refs) if ref.province_code not in PROVINCES]
    if unknown:
        raise invalid([(f"districts[{n}].province_code", "invalid_choice", "Mã tỉnh không tồn tại",
                        "No such province code") for n in unknown])
    whole = set(province_codes)
    kept: dict[tuple[str, str], dict[str, str]] = {}
    for ref in refs:
        key = (ref.province_code, fold(ref.district))
        if ref.province_code not in whole and key not in kept:
            kept[key] = {"province_code": ref.province_code, "district": ref.district.strip(), "folded": key[1]}
    return list(kept.values())


def _provinces(codes: list[str], field: str = "province_codes") -> list[str]:
    unknown = [n for n, code in enumerate(codes) if code not in PROVINCES]
    if unknown:
        raise invalid([(f"{field}[{n}]", "invalid_choice", "Mã tỉnh không tồn tại", "No such province code")
                       for n in unknown])
    return sorted(set(codes))


_COLUMNS = (Territory.id, Territory.name, Territory.province_codes, Territory.districts)


async def list_territories() -> list[TerritoryOut]:
    rows = await Territory.select(*_COLUMNS).where(Territory.tenant_id == current_tenant_id()).order_by(
        Territory.name).output(load_json=True)
    return [_out(row) for row in rows]


async def get_territory(territory_id: uuid.UUID) -> TerritoryOut:
    row = await Territory.select(*_COLUMNS).where(
        (Territory.tenant_id == current_tenant_id()) & (Territory.id == territory_id)).output(
        load_json=True).first()
    if row is None:
        raise TERRITORY_NOT_FOUND
    return _out(row)


async def create_territory(data: TerritoryCreate) -> TerritoryOut:
    provinces = _provinces(data.province_codes)
    territory = Territory(tenant_id=current_tenant_id(), name=data.name.strip(), province_codes=provinces,
                          districts=_districts(data.districts, provinces))
    await territory.save()
    created = await get_territory(territory.id)
    await audit.record("territory.create", "territory", territory.id, after=created)
    return created


async def update_territory(territory_id: uuid.UUID, data: TerritoryUpdate) -> TerritoryOut:
    before = await get_territory(territory_id)
    provinces = before.province_codes if isinstance(data.province_codes, msgspec.UnsetType) else _provinces(
        data.province_codes)
    refs = [DistrictRef(province_code=d.province_code, district=d.district) for d in before.districts] if \
        isinstance(data.districts, msgspec.UnsetType) else data.districts
    changes: dict[Any, Any] = {Territory.province_codes: provinces, Territory.districts: _districts(refs, provinces)}
    if not isinstance(data.name, msgspec.UnsetType):
        changes[Territory.name] = data.name.strip()
    await Territory.update(changes).where(
        (Territory.tenant_id == current_tenant_id()) & (Territory.id == territory_id))
    after = await get_territory(territory_id)
    await audit.record("territory.update", "territory", territory_id, before=before, after=after)
    return after


async def delete_territory(territory_id: uuid.UUID) -> None:
    """Assignments to the territory go with it (dealers' and salespeople's lists, set-based)."""
    before = await get_territory(territory_id)
    await Partner.raw("UPDATE partner SET territory_ids = array_remove(territory_ids, {}) "
                      "WHERE tenant_id = {} AND {} = ANY(territory_ids)", territory_id, current_tenant_id(),
                      territory_id)
    await Salesperson.raw("UPDATE salesperson SET territory_ids = array_remove(territory_ids, {}) "
                          "WHERE tenant_id = {} AND {} = ANY(territory_ids)", territory_id, current_tenant_id(),
                          territory_id)
    await Territory.delete().where((Territory.tenant_id == current_tenant_id()) & (Territory.id == territory_id))
    await audit.record("territory.delete", "territory", territory_id, before=before)


async def coverage() -> Coverage:
    """Places claimed by more than one territory, and provinces nobody covers even in part."""
    rows = await Territory.select(*_COLUMNS).where(Territory.tenant_id == current_tenant_id()).output(
        load_json=True)
    whole: dict[str, list[uuid.UUID]] = defaultdict(list)
    parts: dict[tuple[str, str], list[uuid.UUID]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for row in rows:
        for code in row["province_codes"]:
            whole[code].append(row["id"])
        for district in row["districts"]:
            key = (district["province_code"], district["folded"])
            parts[key].append(row["id"])
            names.setdefault(key, district["district"])
    overlaps = [Overlap(province_code=code, district=None, territory_ids=ids)
                for code, ids in sorted(whole.items()) if len(ids) > 1]
    for (code, folded), ids in sorted(parts.items()):
        claimants = ids + whole.get(code, [])
        if len(claimants) > 1:
            overlaps.append(Overlap(province_code=code, district=names[(code, folded)], territory_ids=claimants))
    touched = set(whole) | {code for code, _ in parts}
    return Coverage(overlaps=overlaps, gaps=sorted(code for code in PROVINCES if code not in touched))


async def propose(data: ProposalRequest) -> Proposal:
    """For a new customer at this address: the territories covering it (district match before province), the
    least busy salesperson of the best one (fewest customers owned), and the active dealers there."""
    _provinces([data.province_code], "province_code")
    rows = await Territory.select(*_COLUMNS).where(Territory.tenant_id == current_tenant_id()).order_by(
        Territory.name).output(load_json=True)
    folded = fold(data.district) if data.district else None
    by_district = [row["id"] for row in rows if folded and any(
        d["province_code"] == data.province_code and d["folded"] == folded for d in row["districts"])]
    by_province = [row["id"] for row in rows if data.province_code in row["province_codes"]]
    territory_ids = by_district + [t for t in by_province if t not in by_district]
    if not territory_ids:
        return Proposal(territory_ids=[], owner_id=None, dealer_ids=[])
    return Proposal(territory_ids=territory_ids, owner_id=await _least_busy_salesperson(territory_ids[0]),
                    dealer_ids=await _dealers_in(territory_ids))


async def _least_busy_salesperson(territory_id: uuid.UUID) -> uuid.UUID | None:
    rows = await Salesperson.raw(
        "SELECT s.user_id, (SELECT count(*) FROM customer c WHERE c.tenant_id = s.tenant_id "
        "AND c.owner_id = s.user_id) AS load FROM salesperson s "
        "WHERE s.tenant_id = {} AND {} = ANY(s.territory_ids) ORDER BY load, s.employee_code LIMIT 1",
        current_tenant_id(), territory_id)
    return rows[0]["user_id"] if rows else None


async def _dealers_in(territory_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    rows = await Partner.raw(
        "SELECT id FROM partner WHERE tenant_id = {} AND kind = 'dealer' AND status = 'active' "
        "AND territory_ids && {}::uuid[] ORDER BY created_at", current_tenant_id(), territory_ids)
    return [row["id"] for row in rows]

