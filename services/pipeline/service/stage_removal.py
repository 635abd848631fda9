"""Deleting a stage: a stage that holds opportunities is deleted only when told where to move them."""

from __future__ import annotations

import uuid

from infra.problems import ProblemError, invalid
from services.pipeline.service.opportunities import move_opportunities
from services.pipeline.service.stages import get_stage, require_stage
from services.pipeline.tables import Opportunity, Stage
from tenants import audit
from tenants.context import current_tenant_id


async def delete_stage(stage_id: uuid.UUID, move_to: uuid.UUID | None) -> None:
    """With `move_to` (shared, or of the same team), the stage's opportunities move there first, each move in
    their history; without it, a stage that holds any answers 409."""
    stage = await get_stage(stage_id)
    tenant_id = current_tenant_id()
    held = [row["id"] for row in await Opportunity.select(Opportunity.id).where(
        (Opportunity.tenant_id == tenant_id) & (Opportunity.stage_id == stage_id))]
    if held and move_to is None:
        raise ProblemError(409, "stage_not_empty",
                           f"Giai đoạn đang có {len(held)} cơ hội; hãy chọn giai đoạn để chuyển chúng sang (move_to).",
                           f"The stage holds {len(held)} opportunities; choose a stage to move them to (move_to).")
    if move_to is not None:
        if move_to == stage_id:
            raise invalid([("move_to", "same_stage", "Hãy chọn một giai đoạn khác", "Choose another stage")])
        await require_stage(move_to, stage.team_id, "move_to")
        await move_opportunities(held, move_to)
    await Stage.delete().where((Stage.tenant_id == tenant_id) & (Stage.id == stage_id))
    await audit.record("stage.delete", "stage", stage_id, before=stage,
                       after={"moved_to": move_to, "moved": len(held)})
