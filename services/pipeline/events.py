"""Events pipeline emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import msgspec

from services.pipeline.schemas import ActivityOut, ContractOut, QuotationOut
from webhooks.events import declare
from webhooks.outbox import MAX_BODY_BYTES


class ActivityData(msgspec.Struct, kw_only=True):
    """An activity as integrations see it."""

    id: uuid.UUID
    record_type: str
    record_id: uuid.UUID
    type_id: uuid.UUID
    category: str
    summary: str
    assignee_id: uuid.UUID
    due_date: datetime.date
    due_at: datetime.datetime
    all_day: bool
    status: str
    feedback: str | None
    done_at: datetime.datetime | None
    done_by: uuid.UUID | None
    created_from_activity_id: uuid.UUID | None


def activity_data(activity: ActivityOut) -> ActivityData:
    fields = msgspec.structs.asdict(activity)
    return ActivityData(**{name: fields[name] for name in ActivityData.__struct_fields__})


ACTIVITY_CREATED = declare("activity.created", ActivityData, "Một hoạt động mới được lên lịch.",
                           "An activity was scheduled.")
ACTIVITY_DONE = declare("activity.done", ActivityData, "Một hoạt động đã hoàn thành.", "An activity was done.")
ACTIVITY_CANCELLED = declare("activity.cancelled", ActivityData, "Một hoạt động đã bị huỷ.",
                             "An activity was cancelled.")
ACTIVITY_RESCHEDULED = declare("activity.rescheduled", ActivityData, "Hạn của một hoạt động đã thay đổi.",
                               "An activity's due date or time changed.")

_ENVELOPE_ROOM = 200  # `{"type", "timestamp"}` around the payload


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


class QuotationData(msgspec.Struct, kw_only=True):
    """A quotation's state and totals (integer minor units of `currency`)."""

    id: uuid.UUID
    number: str
    revision: int
    state: str
    opportunity_id: uuid.UUID | None
    customer_id: uuid.UUID
    customer_name: str
    currency: str
    valid_until: datetime.date
    subtotal: int
    discount_total: int
    untaxed_total: int
    tax_total: int
    total: int


class QuotationLineData(msgspec.Struct, kw_only=True):
    """A line as the ERP's sales module books it; `discount` includes the price policy's part."""

    product_id: uuid.UUID | None
    product_code: str | None
    description: str
    unit: str | None
    quantity: Decimal
    unit_price: int
    discount: int
    tax_percent: Decimal
    net: int
    tax: int
    total: int


class QuotationAccepted(QuotationData, kw_only=True):
    lines: list[QuotationLineData]
    # A quotation too long for one event (over webhooks.outbox.MAX_BODY_BYTES) comes without its lines, and
    # says so: the consumer reads them from GET /api/pipeline/v1/quotations/{id}.
    lines_omitted: bool = False


class ContractData(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    number: str
    title: str
    state: str
    quotation_id: uuid.UUID | None
    customer_id: uuid.UUID
    customer_name: str
    value: int
    currency: str
    start_date: datetime.date
    end_date: datetime.date
    termination_reason: str | None


def _pick(source: msgspec.Struct, target: type[msgspec.Struct]) -> dict[str, object]:
    fields = msgspec.structs.asdict(source)
    return {name: fields[name] for name in target.__struct_fields__ if name in fields}


def quotation_data(quotation: QuotationOut) -> QuotationData:
    return QuotationData(**_pick(quotation, QuotationData))  # type: ignore[arg-type]


def quotation_accepted(quotation: QuotationOut) -> QuotationAccepted:
    lines = [QuotationLineData(**_pick(line, QuotationLineData) | {"discount": line.gross - line.net})  # type: ignore[arg-type]
             for line in quotation.lines]
    payload = QuotationAccepted(**_pick(quotation, QuotationData), lines=lines)  # type: ignore[arg-type]
    if len(msgspec.json.encode(payload)) > MAX_BODY_BYTES - _ENVELOPE_ROOM:
        payload = msgspec.structs.replace(payload, lines=[], lines_omitted=True)
    return payload


def contract_data(contract: ContractOut) -> ContractData:
    return ContractData(**_pick(contract, ContractData))  # type: ignore[arg-type]


QUOTATION_CREATED = declare("quotation.created", QuotationData, "Một báo giá mới được tạo.",
                            "A quotation was created.")
QUOTATION_SENT = declare("quotation.sent", QuotationData, "Một báo giá đã được gửi cho khách hàng.",
                         "A quotation was sent to the customer.")
QUOTATION_ACCEPTED = declare("quotation.accepted", QuotationAccepted,
                             "Khách hàng đã chấp nhận báo giá (kèm các dòng và tổng tiền, cho phân hệ bán hàng).",
                             "The customer accepted a quotation (with its lines and totals, for the sales module).")
QUOTATION_REJECTED = declare("quotation.rejected", QuotationData, "Khách hàng đã từ chối báo giá.",
                             "The customer rejected a quotation.")
QUOTATION_EXPIRED = declare("quotation.expired", QuotationData, "Báo giá đã hết hạn hiệu lực.",
                            "A quotation passed its validity date.")
CONTRACT_CREATED = declare("contract.created", ContractData, "Một hợp đồng mới được tạo.", "A contract was created.")
CONTRACT_SIGNED = declare("contract.signed", ContractData, "Hợp đồng đã được ký.", "A contract was signed.")
CONTRACT_ACTIVATED = declare("contract.activated", ContractData, "Hợp đồng bắt đầu có hiệu lực.",
                             "A contract became active.")
CONTRACT_EXPIRED = declare("contract.expired", ContractData, "Hợp đồng đã hết hạn.", "A contract ended (expired).")
CONTRACT_TERMINATED = declare("contract.terminated", ContractData, "Hợp đồng đã bị chấm dứt.",
                              "A contract was terminated.")
CONTRACT_RENEWAL_DUE = declare("contract.renewal_due", ContractData, "Hợp đồng sắp hết hạn, cần gia hạn.",
                               "A contract ends soon and is due for renewal.")
