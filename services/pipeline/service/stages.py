"""Pipeline's rules: stages in order."""

from __future__ import annotations

import msgspec

from services.pipeline.schemas import StageCreate, StageOut
from services.pipeline.tables import Stage
from tenants import audit
from tenants.context import current_tenant_id

DEFAULT_STAGES = [
    StageCreate(name_vi="Mới", name_en="New", probability=10),
    StageCreate(name_vi="Đủ điều kiện", name_en="Qualified", probability=30),
    StageCreate(name_vi="Báo giá", name_en="Proposition", probability=60),
    StageCreate(name_vi="Thành công", name_en="Won", probability=100, is_won=True),
]

_OUT_COLUMNS = [getattr(Stage, name) for name in StageOut.__struct_fields__]


async def list_stages() -> list[StageOut]:
    rows = await Stage.select(*_OUT_COLUMNS).where(Stage.tenant_id == current_tenant_id()).order_by(
        Stage.sequence).order_by(Stage.id)
    return msgspec.convert(rows, list[StageOut])


async def create_stage(data: StageCreate) -> StageOut:
    """A new stage goes last; a won stage always has probability 100."""
    tenant_id = current_tenant_id()
    last = await Stage.select(Stage.sequence).where(Stage.tenant_id == tenant_id).order_by(
        Stage.sequence, ascending=False).first()
    stage = Stage(tenant_id=tenant_id, name_vi=data.name_vi.strip(), name_en=data.name_en.strip(),
                  sequence=(last["sequence"] + 1) if last else 0,
                  probability=100 if data.is_won else data.probability, is_won=data.is_won)
    await stage.save()
    created = StageOut(id=stage.id, name_vi=stage.name_vi, name_en=stage.name_en, sequence=stage.sequence,
                       probability=stage.probability, is_won=stage.is_won)
    await audit.record("stage.create", "stage", stage.id, after=created)
    return created
