"""Events contacts emits, declared in the webhooks catalogue with their payloads."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from services.contacts.schemas import CustomerOut
from webhooks.events import declare


class CustomerData(msgspec.Struct, kw_only=True):
    """A customer as the ERP's accounting and sales modules see it."""

    id: uuid.UUID
    code: str
    kind: str
    name: str
    email: str | None
    phone: str | None
    lifecycle_stage: str
    owner_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CustomerDeleted(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str


def customer_data(customer: CustomerOut) -> CustomerData:
    fields = msgspec.structs.asdict(customer)
    return CustomerData(**{name: fields[name] for name in CustomerData.__struct_fields__})


CUSTOMER_CREATED = declare("customer.created", CustomerData, "Một khách hàng mới được tạo.", "A customer was created.")
CUSTOMER_UPDATED = declare("customer.updated", CustomerData, "Thông tin khách hàng đã thay đổi (dữ liệu sau thay đổi).",
                           "A customer changed (the data after the change).")
CUSTOMER_DELETED = declare("customer.deleted", CustomerDeleted, "Một khách hàng đã bị xóa.", "A customer was deleted.")


class InteractionData(msgspec.Struct, kw_only=True):
    """A call, meeting, care action, email, note or consulting entry logged with a customer (its body left out:
    events stay small)."""

    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    subject: str
    occurred_at: datetime.datetime
    duration_seconds: int | None
    direction: str | None
    outcome: str | None
    contact_person_id: uuid.UUID | None
    user_id: uuid.UUID | None


class DocumentUploaded(msgspec.Struct, kw_only=True):
    """A document version kept about a customer. The file itself never travels in the event: `download_path` is
    the API endpoint that issues a short-lived download URL after the caller's permission check."""

    id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    version: int
    content_type: str
    size_bytes: int
    download_path: str


INTERACTION_CREATED = declare("interaction.created", InteractionData,
                              "Một tương tác (cuộc gọi, cuộc họp, chăm sóc...) với khách hàng được ghi lại.",
                              "An interaction (call, meeting, care...) with a customer was logged.")
DOCUMENT_UPLOADED = declare("document.uploaded", DocumentUploaded, "Một tài liệu của khách hàng được tải lên.",
                            "A document of a customer was uploaded.")


class CustomerStatusChanged(msgspec.Struct, kw_only=True):
    """A move of a customer's relationship status, by a person or by the "Đừng quên" ageing."""

    id: uuid.UUID
    code: str
    from_status_id: uuid.UUID | None
    to_status_id: uuid.UUID | None
    by: str  # the user's (or API key's) id, or "system"
    by_kind: str  # user | api_key | support | system
    at: datetime.datetime


CUSTOMER_STATUS_CHANGED = declare(
    "customer.status_changed", CustomerStatusChanged,
    "Tình trạng quan hệ của khách hàng đã thay đổi (bởi người dùng hoặc hệ thống, như \"Đừng quên\").",
    "A customer's relationship status changed (by a user, or by the system such as \"Don't forget\").")


class CustomerMerged(msgspec.Struct, kw_only=True):
    """`loser_id` was merged into `winner_id` (or, for customer.unmerged, that merge was undone). `moved` counts
    the re-pointed rows per "table.column" (opportunity.customer_id, quotation.customer_id, ...): a consumer
    holding the loser's id should use the winner's from now on (and the loser's again after an undo)."""

    merge_id: uuid.UUID
    winner_id: uuid.UUID
    loser_id: uuid.UUID
    loser_code: str
    moved: dict[str, int]


CUSTOMER_MERGED = declare(
    "customer.merged", CustomerMerged,
    "Hai khách hàng đã được gộp: mọi dữ liệu của khách hàng bị gộp chuyển sang khách hàng được giữ lại.",
    "Two customers were merged: everything of the merged-away customer now belongs to the kept one.")
CUSTOMER_UNMERGED = declare(
    "customer.unmerged", CustomerMerged,
    "Một lần gộp khách hàng đã được hoàn tác: khách hàng bị gộp và dữ liệu của nó đã trở lại.",
    "A merge of customers was undone: the merged-away customer and its data are back.")
