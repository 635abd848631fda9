"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests of mail."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


class Mailbox:
    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def token_for(self, address: str, path: str) -> str:
        """The token in the link of the latest mail to `address` whose link goes to `path`."""
        for message in reversed(self.to(address)):
            body = message.get_content()
            if match := re.search(rf"{re.escape(path)}\?token=([A-Za-z0-9_-]+)", body):
                return match.group(1)
        raise AssertionError(f"no mail to {address} with a {path} link")


def start_mailbox(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox(port)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox
