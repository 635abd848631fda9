"""Lost reasons: a tenant-editable list an opportunity marked lost must name one of (active ones only).

Every tenant starts with the same list, seeded on first use by `ensure_lost_reasons` (idempotent: the seeded rows
carry a key that is unique per tenant, so a second or concurrent seeding does nothing).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from infra.problems import NotFoundError, invalid
from services.pipeline.schemas import LostReasonCreate, LostReasonOut, LostReasonUpdate
from services.pipeline.tables import LostReason
from tenants import audit
from tenants.context import current_tenant_id

# (key, Vietnamese, English)
SEEDED: tuple[tuple[str, str, str], ...] = (
    ("price", "Giá quá cao", "Too expensive"),
    ("competitor", "Chọn đối thủ cạnh tranh", "Chose a competitor"),
    ("no_need", "Không còn nhu cầu", "No longer needed"),
    ("no_budget", "Không có ngân sách", "No budget"),
    ("unreachable", "Không liên lạc được", "Could not be reached"),
)
LOST_REASON_NOT_FOUND = NotFoundError("lý do thất bại", "Lost reason")
_COLUMNS = [getattr(LostReason, name) for name in LostReasonOut.__struct_fields__]


def _mine() -> Any:
    return LostReason.tenant_id == current_tenant_id()


async def ensure_lost_reasons() -> None:
    tenant_id = current_tenant_id()
    seeded = await LostReason.raw(
        "INSERT INTO lost_reason (tenant_id, name_vi, name_en, seed_key) "
        "SELECT {}, vi, en, key FROM unnest({}::text[], {}::text[], {}::text[]) AS s(key, vi, en) "
        "ON CONFLICT (tenant_id, seed_key) WHERE seed_key IS NOT NULL DO NOTHING RETURNING id",
        tenant_id, [key for key, _, _ in SEEDED], [vi for _, vi, _ in SEEDED], [en for _, _, en in SEEDED])
    if seeded:
        await audit.record("lost_reason.seed", "lost_reason", after={"names": [vi for _, vi, _ in SEEDED]},
                           actor=audit.SYSTEM)


async def list_lost_reasons(active_only: bool) -> list[LostReasonOut]:
    await ensure_lost_reasons()
    query = LostReason.select(*_COLUMNS).where(_mine())
    if active_only:
        query = query.where(LostReason.is_active == True)  # noqa: E712 (Piccolo builds SQL from ==)
    return msgspec.convert(await query.order_by(LostReason.id), list[LostReasonOut])


async def get_lost_reason(reason_id: uuid.UUID) -> LostReasonOut:
    row = await LostReason.select(*_COLUMNS).where(_mine() & (LostReason.id == reason_id)).first()
    if row is None:
        raise LOST_REASON_NOT_FOUND
    return msgspec.convert(row, LostReasonOut)


async def require_active_reason(reason_id: uuid.UUID) -> None:
    """422 on `lost_reason_id` unless it is an active reason of this tenant."""
    await ensure_lost_reasons()
    if not await LostReason.exists().where(_mine() & (LostReason.id == reason_id) & (LostReason.is_active == True)):  # noqa: E712
        raise invalid([("lost_reason_id", "not_found", "Không có lý do thất bại đang dùng này",
                        "No such active lost reason")])


async def create_lost_reason(data: LostReasonCreate) -> LostReasonOut:
    await ensure_lost_reasons()
    reason = LostReason(tenant_id=current_tenant_id(), name_vi=data.name_vi.strip(), name_en=data.name_en.strip(),
                        is_active=data.is_active)
    await reason.save()
    created = await get_lost_reason(reason.id)
    await audit.record("lost_reason.create", "lost_reason", reason.id, after=created)
    return created


async def update_lost_reason(reason_id: uuid.UUID, data: LostReasonUpdate) -> LostReasonOut:
    """Deactivating keeps the reason on the opportunities lost for it; it is only no longer offered."""
    before = await get_lost_reason(reason_id)
    changes = {getattr(LostReason, name): value.strip() if isinstance(value, str) else value
               for name in LostReasonUpdate.__struct_fields__
               if not isinstance(value := getattr(data, name), msgspec.UnsetType)}
    if changes:
        await LostReason.update(changes).where(_mine() & (LostReason.id == reason_id))
    after = await get_lost_reason(reason_id)
    await audit.record("lost_reason.update", "lost_reason", reason_id, before=before, after=after)
    return after
