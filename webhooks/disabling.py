"""Endpoints the product turns off by itself: one that answered 410 (gone), and one that has failed without a
single success for `webhooks_disable_after_days` (5 days by default). Either way its pending deliveries are
cancelled, the change is audited, the operational event `webhook_endpoint.disabled` is emitted, and the
tenant's owners and admins get an email (identity's mail outbox, in the same transaction)."""

from __future__ import annotations

import datetime
import uuid

from services.identity.service.mail import enqueue_sender, queue_message
from services.identity.tables import Membership, Tenant, User
from tenants import audit
from tenants.context import after_commit, current_tenant_id
from webhooks import outbox
from webhooks.events import WEBHOOK_ENDPOINT_DISABLED, WebhookEndpointDisabled
from webhooks.tables import WebhookDelivery, WebhookEndpoint

NOTIFIED_ROLES = ["owner", "admin"]
_DISABLE_SQL = """
UPDATE webhook_endpoint SET enabled = false, updated_at = now(),
    disabled_reason = CASE WHEN id = ANY({}::uuid[]) THEN 'gone' ELSE 'failing' END
WHERE tenant_id = {} AND enabled AND (id = ANY({}::uuid[]) OR failing_since < {})
RETURNING id, url, disabled_reason AS reason, failing_since
"""
_REASONS = {
    "gone": ("máy nhận trả lời 410 Gone (điểm nhận không còn tồn tại)",
             "the receiver answered 410 Gone (the endpoint no longer exists)"),
    "failing": ("mọi lần gửi đều thất bại từ {since} mà không có lần nào thành công",
                "every delivery has failed since {since} without a single success"),
}


async def disable_failing_endpoints(gone: list[uuid.UUID], failing_before: datetime.datetime) -> list[uuid.UUID]:
    """Disable the tenant's enabled endpoints in `gone`, and those failing since before `failing_before`."""
    tenant_id = current_tenant_id()
    rows = await WebhookEndpoint.raw(_DISABLE_SQL, gone, tenant_id, gone, failing_before)
    if not rows:
        return []
    disabled = [WebhookEndpointDisabled(**row) for row in rows]
    ids = [endpoint.id for endpoint in disabled]
    await WebhookDelivery.update({WebhookDelivery.status: "cancelled", WebhookDelivery.next_attempt_at: None}).where(
        (WebhookDelivery.tenant_id == tenant_id) & WebhookDelivery.endpoint_id.is_in(ids)
        & (WebhookDelivery.status == "pending"))
    for endpoint in disabled:
        await audit.record("webhook_endpoint.disable", "webhook_endpoint", endpoint.id,
                           after={"reason": endpoint.reason, "failing_since": endpoint.failing_since})
        await outbox.emit(WEBHOOK_ENDPOINT_DISABLED, endpoint)
    await _tell_admins(disabled)
    return ids


async def _tell_admins(disabled: list[WebhookEndpointDisabled]) -> None:
    tenant_id = current_tenant_id()
    company = await Tenant.select(Tenant.name).where(Tenant.id == tenant_id).first()
    admins = await User.select(User.email, User.language).where(
        User.id.is_in(Membership.select(Membership.user_id).where(
            (Membership.tenant_id == tenant_id) & Membership.is_active.eq(True)
            & Membership.role.is_in(NOTIFIED_ROLES)))
        & User.is_active.eq(True))
    for admin in admins:
        subject, body = _mail(admin["language"], company["name"] if company else "", disabled)
        await queue_message(admin["email"], subject, body)
    if admins:
        after_commit(enqueue_sender)


def _mail(language: str, company: str, disabled: list[WebhookEndpointDisabled]) -> tuple[str, str]:
    english = language == "en"
    lines = []
    for endpoint in disabled:
        since = endpoint.failing_since.strftime("%Y-%m-%d %H:%M UTC") if endpoint.failing_since else ""
        reason = _REASONS[endpoint.reason][1 if english else 0].format(since=since)
        lines.append(f"- {endpoint.url} ({endpoint.id}): {reason}")
    listed = "\n".join(lines)
    if english:
        return (f"Webhook endpoint disabled for {company}",
                f"Hello,\n\nCRM stopped sending webhooks of {company} to:\n\n{listed}\n\nEvents are no longer "
                "sent there. Once the receiver works again, enable the endpoint (PATCH "
                "/api/webhooks/v1/endpoints/{id} with enabled=true) and recover the failed deliveries "
                "(POST /api/webhooks/v1/endpoints/{id}/recover).\n")
    return (f"Điểm nhận webhook của {company} đã bị tắt",
            f"Xin chào,\n\nCRM đã ngừng gửi webhook của {company} tới:\n\n{listed}\n\nSự kiện không còn được gửi "
            "tới đó. Khi máy nhận hoạt động trở lại, hãy bật lại điểm nhận (PATCH "
            "/api/webhooks/v1/endpoints/{id} với enabled=true) và gửi lại các lượt thất bại "
            "(POST /api/webhooks/v1/endpoints/{id}/recover).\n")
