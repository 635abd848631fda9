"""Events pipeline emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from webhooks.events import declare


class OpportunityData(msgspec.Struct, kw_only=True):
    """An opportunity as the ERP's sales module sees it; revenue in minor units of `currency`."""

    id: uuid.UUID
    kind: str
    name: str
    customer_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    stage_id: uuid.UUID | None
    expected_revenue: int
    currency: str
    probability: int
    expected_close_date: datetime.date | None
    state: str
    lost_reason_id: uuid.UUID | None


class OpportunityStageChanged(msgspec.Struct, kw_only=True):
    opportunity: OpportunityData
    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID | None
    seconds_in_previous: int | None


OPPORTUNITY_CREATED = declare("opportunity.created", OpportunityData, "Một cơ hội (hoặc khách tiềm năng) được tạo.",
                              "An opportunity (or lead) was created.")
OPPORTUNITY_STAGE_CHANGED = declare("opportunity.stage_changed", OpportunityStageChanged,
                                    "Cơ hội chuyển sang giai đoạn khác.", "An opportunity moved to another stage.")
OPPORTUNITY_WON = declare("opportunity.won", OpportunityData, "Cơ hội đã thắng.", "An opportunity was won.")
OPPORTUNITY_LOST = declare("opportunity.lost", OpportunityData, "Cơ hội đã mất (kèm lý do).",
                           "An opportunity was lost (with a reason).")
OPPORTUNITY_RESTORED = declare("opportunity.restored", OpportunityData, "Cơ hội đã mất được mở lại.",
                               "A lost opportunity was reopened.")
LEAD_QUALIFIED = declare("lead.qualified", OpportunityData, "Khách tiềm năng được chuyển thành cơ hội.",
                         "A lead was qualified into an opportunity.")
