"""`Idempotency-Key` on POST (DESIGN §4): the same key and body replays the first response; the same key
with a different body is 422. The key is claimed in the request's own tenant transaction and the response
stored in it, so a key is used exactly when its change is committed; a failed request leaves no key."""

from __future__ import annotations

import datetime
import hashlib

from piccolo.columns import Bytea, Integer, Varchar

from infra.problems import ProblemError
from tenants.context import current_tenant_id
from tenants.tables import TenantTable

KEY_TTL = datetime.timedelta(hours=24)
MAX_KEY_LENGTH = 255


class IdempotencyKey(TenantTable, tablename="idempotency_key"):
    key = Varchar(length=MAX_KEY_LENGTH, null=False)
    request_hash = Varchar(length=64, null=False)
    status_code = Integer(null=True, default=None)
    content_type = Varchar(length=100, null=True, default=None)
    body = Bytea(null=True, default=None)


class StoredResponse:
    def __init__(self, status_code: int, content_type: str, body: bytes) -> None:
        self.status_code = status_code
        self.content_type = content_type
        self.body = body


KEY_REUSED = ProblemError(
    422, "validation_error", "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
    "This Idempotency-Key was already used with a different request.",
    errors=[("header.idempotency-key", "key_reused", "Khóa đã dùng cho nội dung khác",
             "Key already used with a different body")])
KEY_TOO_LONG = ProblemError(
    400, "bad_request", "Idempotency-Key quá dài.", "Idempotency-Key is too long.",
    errors=[("header.idempotency-key", "length", f"Tối đa {MAX_KEY_LENGTH} ký tự",
             f"At most {MAX_KEY_LENGTH} characters")])


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


async def claim(key: str, fingerprint: str) -> StoredResponse | None:
    """Claim `key` for this request, or return the response stored under it.

    A concurrent request with the same key waits on the unique index until the first one commits or rolls
    back, then replays or claims it.
    """
    if len(key) > MAX_KEY_LENGTH:
        raise KEY_TOO_LONG
    tenant_id = current_tenant_id()
    await IdempotencyKey.raw(
        "DELETE FROM idempotency_key WHERE tenant_id = {} AND key = {} AND created_at < {}",
        tenant_id, key, datetime.datetime.now(tz=datetime.UTC) - KEY_TTL)
    claimed = await IdempotencyKey.raw(
        "INSERT INTO idempotency_key (tenant_id, key, request_hash) VALUES ({}, {}, {}) "
        "ON CONFLICT (tenant_id, key) DO NOTHING RETURNING id", tenant_id, key, fingerprint)
    if claimed:
        return None
    row = await IdempotencyKey.select().where(
        (IdempotencyKey.tenant_id == tenant_id) & (IdempotencyKey.key == key)).first()
    if row is None or row["request_hash"] != fingerprint or row["status_code"] is None:
        raise KEY_REUSED
    return StoredResponse(row["status_code"], row["content_type"] or "application/json", bytes(row["body"]))


async def store(key: str, response: StoredResponse) -> None:
    await IdempotencyKey.update({
        IdempotencyKey.status_code: response.status_code,
        IdempotencyKey.content_type: response.content_type,
        IdempotencyKey.body: response.body,
    }).where((IdempotencyKey.tenant_id == current_tenant_id()) & (IdempotencyKey.key == key))
