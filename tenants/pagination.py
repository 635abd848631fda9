"""Keyset (cursor) pagination shared by every list endpoint (DESIGN §4): `limit` 1-200, default 50."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.params import QueryParameter

from infra.problems import ProblemError

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="Page size (1-200)")]
Cursor = Annotated[str | None, QueryParameter(description="`next_cursor` of the previous page", max_length=200)]


class Page(msgspec.Struct, Generic[T]):
    items: list[T]
    next_cursor: str | None


BAD_CURSOR = ProblemError(400, "bad_request", "Con trỏ phân trang không hợp lệ.", "Invalid pagination cursor.",
                          errors=[("cursor", "invalid", "Con trỏ không hợp lệ", "Invalid cursor")])


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> uuid.UUID | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (binascii.Error, ValueError):
        raise BAD_CURSOR from None


def page_of(rows: list[T], limit: int, last_id: uuid.UUID | None) -> Page[T]:
    """`rows` was fetched with `limit + 1`; the extra row only says there is a next page."""
    has_more = len(rows) > limit
    return Page(items=rows[:limit], next_cursor=encode_cursor(last_id) if has_more and last_id else None)
