"""Partners' credit check at the moment a sale becomes binding: accepting a quotation, signing a contract.

The check runs in a transaction of its own, so what it records when the amount does not fit (the request for a
manager's approval, the `credit.exceeded` event) stays even though the refused request rolls back.
"""

from __future__ import annotations

import uuid
from typing import Literal

from infra.problems import ProblemError
from services.partners.schemas import CreditCheckRequest
from services.partners.service.credit import check_credit
from tenants.context import current_tenant_id, separate_tenant_transaction


async def require_credit(customer_id: uuid.UUID, amount: int, currency: str,
                         document_type: Literal["quotation", "contract"], document_id: uuid.UUID) -> None:
    """Pass when the amount fits the customer's available credit (or an approval for this document was given);
    otherwise a 409 saying why: over the limit, waiting for approval, or on hold."""
    request = CreditCheckRequest(customer_id=customer_id, amount=amount, currency=currency,
                                 document_type=document_type, document_id=document_id)
    async with separate_tenant_transaction(current_tenant_id()):
        decision = await check_credit(request)
    if decision.decision == "ok":
        return
    position = decision.position
    extensions = {"decision": decision.decision, "reason": decision.reason, "available": position.available,
                  "approval_id": str(decision.approval_id) if decision.approval_id else None}
    if decision.decision == "approval_required":
        raise ProblemError(409, "credit_approval_required",
                           "Vượt hạn mức tín dụng còn lại: đang chờ quản lý duyệt.",
                           "Over the available credit: waiting for a manager's approval.",
                           errors=[("customer_id", "credit_approval_required", "Cần duyệt tín dụng",
                                    "Credit approval needed")], extensions=extensions)
    vi, en = (("Khách hàng đang bị tạm khóa tín dụng.", "The customer's credit is on hold.")
              if decision.reason == "on_hold" else
              (f"Vượt hạn mức tín dụng còn lại ({position.available} {position.currency}).",
               f"Over the available credit ({position.available} {position.currency})."))
    raise ProblemError(409, "credit_exceeded", vi, en,
                       errors=[("customer_id", decision.reason, vi, en)], extensions=extensions)
