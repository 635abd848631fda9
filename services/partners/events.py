"""Events partners emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from webhooks.events import declare


class PartnerData(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    tier: str
    status: str
    parent_id: uuid.UUID | None


class PartnerStatusChanged(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    from_status: str
    to_status: str


class CreditLimitChanged(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    credit_limit: int
    previous_limit: int | None
    currency: str
    payment_terms_days: int


class CreditExceeded(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    amount: int
    available: int
    currency: str
    decision: str  # refused | approval_required
    document_type: str | None
    document_id: uuid.UUID | None


class CreditHold(msgspec.Struct, kw_only=True):
    customer_id: uuid.UUID
    on_hold: bool
    reason: str | None  # overdue | manual; None when released
    overdue: int
    currency: str


class RebateEarned(msgspec.Struct, kw_only=True):
    """For the ERP's accounting module: the rebate a partner earned for a closed period."""

    target_id: uuid.UUID
    partner_id: uuid.UUID
    customer_id: uuid.UUID
    period: str
    period_start: datetime.date
    period_end: datetime.date
    metric: str
    target: int
    achieved: int
    rate_bp: int
    revenue: int
    rebate: int
    currency: str


PARTNER_CREATED = declare("partner.created", PartnerData, "Một đối tác (đại lý, cộng tác viên) mới được tạo.",
                          "A partner (dealer, collaborator) was created.")
PARTNER_STATUS_CHANGED = declare("partner.status_changed", PartnerStatusChanged,
                                 "Trạng thái đối tác đã thay đổi.", "A partner's status changed.")
CREDIT_LIMIT_CHANGED = declare("credit.limit_changed", CreditLimitChanged, "Hạn mức tín dụng đã thay đổi.",
                               "A credit limit changed.")
CREDIT_EXCEEDED = declare("credit.exceeded", CreditExceeded,
                          "Một báo giá hoặc hợp đồng vượt hạn mức tín dụng còn lại.",
                          "A quotation or contract exceeded the available credit.")
CREDIT_HOLD = declare("credit.hold", CreditHold, "Tài khoản bị tạm khóa tín dụng (hoặc được mở lại).",
                      "An account was put on credit hold (or released).")
REBATE_EARNED = declare("partner.rebate_earned", RebateEarned, "Đối tác đạt chiết khấu thưởng cho kỳ đã chốt.",
                        "A partner earned a rebate for a closed period.")
