"""The mail outbox: mail is written in the same transaction as the change it announces, and sent by
`jobs.send_pending_mail` on the `default` queue through SMTP. Locally each mail is also written to
`<data_dir>/mail/<id>.eml`, so a person can follow its links without a mail server."""

from __future__ import annotations

import asyncio
import logging
import smtplib
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from infra.jobs import queue
from infra.settings import Settings
from services.identity.tables import MailOutbox
from tenants.context import engine

logger = logging.getLogger("crm.identity.mail")

SENDER_JOB = "services.identity.jobs.send_pending_mail"  # by name: the job module imports this one
MAX_ATTEMPTS = 5
BATCH_SIZE = 100

# template -> language -> (subject, body); bodies are str.format templates.
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "password_reset": {
        "vi": ("Đặt lại mật khẩu CRM",
               "Xin chào {name},\n\nAi đó (có thể là bạn) đã yêu cầu đặt lại mật khẩu CRM của bạn.\n"
               "Mở liên kết sau trong vòng {minutes} phút để đặt mật khẩu mới:\n\n{link}\n\n"
               "Nếu bạn không yêu cầu, hãy bỏ qua thư này; mật khẩu của bạn không thay đổi.\n"),
        "en": ("Reset your CRM password",
               "Hello {name},\n\nSomeone (probably you) asked to reset your CRM password.\n"
               "Open this link within {minutes} minutes to choose a new one:\n\n{link}\n\n"
               "If it was not you, ignore this mail; your password is unchanged.\n"),
    },
    "invitation": {
        "vi": ("Lời mời tham gia {company} trên CRM",
               "Xin chào,\n\nBạn được mời tham gia {company} trên CRM với vai trò {role}.\n"
               "Mở liên kết sau trong vòng {days} ngày để nhận lời mời:\n\n{link}\n"),
        "en": ("Invitation to join {company} on CRM",
               "Hello,\n\nYou are invited to join {company} on CRM as {role}.\n"
               "Open this link within {days} days to accept:\n\n{link}\n"),
    },
    "activity_due_soon": {
        "vi": ("Sắp đến hạn: {summary}",
               "Xin chào {name},\n\nHoạt động \"{summary}\" của bạn sắp đến hạn: {when}.\n"),
        "en": ("Due soon: {summary}",
               "Hello {name},\n\nYour activity \"{summary}\" is due soon: {when}.\n"),
    },
    "activity_overdue": {
        "vi": ("Quá hạn: {summary}",
               "Xin chào {name},\n\nHoạt động \"{summary}\" của bạn đã quá hạn (hạn {when}).\n"),
        "en": ("Overdue: {summary}",
               "Hello {name},\n\nYour activity \"{summary}\" is overdue (it was due {when}).\n"),
    },
    "quotation_sent": {
        "vi": ("Báo giá {number} từ {company}",
               "Kính gửi {customer},\n\n{company} xin gửi báo giá {number} (phiên bản {revision}).\n"
               "Tổng thanh toán: {total}. Báo giá có hiệu lực đến ngày {valid_until}.\n"),
        "en": ("Quotation {number} from {company}",
               "Dear {customer},\n\n{company} sends you quotation {number} (revision {revision}).\n"
               "Total: {total}. The quotation is valid until {valid_until}.\n"),
    },
    "contract_renewal": {
        "vi": ("Hợp đồng {number} sắp hết hạn",
               "Xin chào {name},\n\nHợp đồng {number} ({title}) với {customer} hết hạn vào ngày {end_date}.\n"
               "Hãy liên hệ khách hàng để gia hạn.\n"),
        "en": ("Contract {number} ends soon",
               "Hello {name},\n\nContract {number} ({title}) with {customer} ends on {end_date}.\n"
               "Contact the customer about its renewal.\n"),
    },
}


async def queue_mail(to_address: str, language: str, template: str, **values: Any) -> None:
    """Add a mail to the outbox, inside the caller's transaction."""
    subject, body = TEMPLATES[template]["en" if language == "en" else "vi"]
    await MailOutbox(to_address=to_address, subject=subject.format(**values), body=body.format(**values)).save()


def enqueue_sender() -> None:
    """Ask a worker to send the outbox; call it after the commit. If Redis is down the mail stays pending and
    the next run sends it."""
    try:
        queue("default").enqueue(SENDER_JOB)
    except Exception:  # the change is committed; only the nudge failed
        logger.warning("could not enqueue the mail sender; mail stays in the outbox", exc_info=True)


def _message(settings: Settings, row: dict[str, Any]) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row["to_address"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = make_msgid(idstring=str(row["id"]), domain="crm.local")
    message.set_content(row["body"], cte="8bit")  # readable as a file: the link stays one line
    return message


def _send(settings: Settings, messages: list[tuple[uuid.UUID, EmailMessage]],
          write_file: Callable[[uuid.UUID, EmailMessage], None] | None) -> dict[uuid.UUID, str]:
    """Send over one SMTP connection; returns the error of each mail that failed."""
    errors: dict[uuid.UUID, str] = {}
    for mail_id, message in messages:
        if write_file:
            write_file(mail_id, message)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
            for mail_id, message in messages:
                try:
                    smtp.send_message(message)
                except smtplib.SMTPException as exc:
                    errors[mail_id] = f"{type(exc).__name__}: {exc}"[:500]
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        errors.update({mail_id: error for mail_id, _ in messages if mail_id not in errors})
    return errors


async def deliver_pending_mail(settings: Settings) -> int:
    """Send up to one batch of pending mail; returns how many were sent. Rows are locked while they are
    sent (SKIP LOCKED lets two workers share the outbox), so a crash leaves them pending, never lost."""
    mail_dir = settings.data_path / "mail"

    def write_file(mail_id: uuid.UUID, message: EmailMessage) -> None:
        mail_dir.mkdir(parents=True, exist_ok=True)
        (mail_dir / f"{mail_id}.eml").write_bytes(message.as_bytes())

    async with engine().transaction():
        rows = await MailOutbox.raw(
            "SELECT id, to_address, subject, body, attempts FROM mail_outbox WHERE status = 'pending' "
            "ORDER BY id LIMIT {} FOR UPDATE SKIP LOCKED", BATCH_SIZE)
        if not rows:
            return 0
        messages = [(row["id"], _message(settings, row)) for row in rows]
        errors = await asyncio.to_thread(_send, settings, messages,
                                         write_file if settings.env == "local" else None)
        sent = [row["id"] for row in rows if row["id"] not in errors]
        if sent:  # the body may hold a live token: keep it no longer than needed
            await MailOutbox.raw(
                "UPDATE mail_outbox SET status = 'sent', body = '', sent_at = now(), attempts = attempts + 1, "
                "last_error = '', updated_at = now() WHERE id = ANY({})", sent)
        for row in rows:
            if row["id"] in errors:
                logger.warning("mail %s to the outbox failed: %s", row["id"], errors[row["id"]])
                status = "failed" if row["attempts"] + 1 >= MAX_ATTEMPTS else "pending"
                await MailOutbox.update({MailOutbox.status: status, MailOutbox.attempts: row["attempts"] + 1,
                                         MailOutbox.last_error: errors[row["id"]]}).where(MailOutbox.id == row["id"])
    return len(sent)
