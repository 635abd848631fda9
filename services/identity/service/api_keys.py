"""API keys of a tenant: created and shown once, kept only as a SHA-256 of their secret, scoped, expiring,
revocable; and resolving a presented key to its principal.

A key reads `crm_<prefix>_<secret>`. The prefix is public and finds the row: resolving happens before the
tenant is known, so it goes through the SECURITY DEFINER function `api_key_lookup` (the app role may only
execute it; RLS on `api_key` stays as it is). The secret has 256 bits of entropy, so a plain SHA-256 is
enough (no slow hash needed) and it is compared in constant time.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import time
import uuid
from typing import Any

import msgspec
import redis.asyncio as aioredis

from infra.problems import NotFoundError, ProblemError
from services.identity.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyOut
from services.identity.service.rate_limits import plan_limit
from services.identity.tables import ApiKey
from tenants import audit, gate_mirror
from tenants.auth import Principal
from tenants.context import current_tenant_id, tenant_transaction
from tenants.pagination import Page, decode_cursor, page_of

KEY_SCHEME = "crm"
PREFIX_BYTES = 8  # 16 hex characters
SECRET_BYTES = 32
MAX_KEY_LENGTH = 128
# `last_used_at` is written at most this often per key, so busy keys do not write on every request.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)



def _now() -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def looks_like_api_key(token: str) -> bool:
    return token.startswith(f"{KEY_SCHEME}_")


def _split(token: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, else None."""
    if len(token) > MAX_KEY_LENGTH:
        return None
    scheme, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")  # the secret may itself contain "_"
    if scheme != KEY_SCHEME or len(prefix) != 2 * PREFIX_BYTES or not secret:
        return None
    return prefix, secret


def revocation_key(key_id: uuid.UUID) -> str:
    """Exists in Redis for a while after a revocation, so processes that still hold the key's lookup in
    memory refuse it on its next request (the tenant middleware asks, in its one Redis round trip)."""
    return f"{gate_mirror.REVOKED_PREFIX}api-key:{key_id}"


# prefix -> (monotonic expiry, the lookup row): a key is looked up in the database at most this often per
# process; a revocation reaches every process at once through `revocation_key`.
LOOKUP_CACHE_SECONDS = 30.0
_lookups: dict[str, tuple[float, dict[str, Any]]] = {}
_touched: dict[uuid.UUID, float] = {}  # key id -> monotonic time of the last `last_used_at` write


async def _lookup(prefix: str) -> dict[str, Any] | None:
    cached = _lookups.get(prefix)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    rows = await ApiKey.raw("SELECT * FROM api_key_lookup({})", prefix)
    if not rows:
        return None
    if len(_lookups) > 10_000:
        _lookups.clear()
    _lookups[prefix] = (time.monotonic() + LOOKUP_CACHE_SECONDS, rows[0])
    return dict(rows[0])


async def resolve_api_key(token: str) -> Principal | None:
    """The principal of a valid key; None when it is malformed, unknown, wrong, revoked or expired."""
    parts = _split(token)
    if parts is None:
        return None
    prefix, secret = parts
    key = await _lookup(prefix)
    if key is None or not hmac.compare_digest(key["secret_hash"], secret_hash(secret)):
        return None
    now = _now()
    if key["revoked_at"] is not None or (key["expires_at"] is not None and key["expires_at"] <= now):
        return None
    if key["tenant_status"] == "suspended":
        return None
    if time.monotonic() - _touched.get(key["id"], -TOUCH_INTERVAL.total_seconds()) >= TOUCH_INTERVAL.total_seconds():
        _touched[key["id"]] = time.monotonic()
        await _touch(key["tenant_id"], key["id"])
    return Principal(tenant_id=key["tenant_id"], subject_id=key["id"], kind="api_key", role="api_key",
                     scopes=tuple(key["scopes"]), requests_per_minute=plan_limit(key["requests_per_minute"]),
                     revocation_key=revocation_key(key["id"]))


async def _touch(tenant_id: uuid.UUID, key_id: uuid.UUID) -> None:
    """Its own short transaction, so it is kept even when the request itself fails; the condition makes
    concurrent first uses in the same minute write once."""
    async with tenant_transaction(tenant_id):
        await ApiKey.raw(
            "UPDATE api_key SET last_used_at = now() WHERE tenant_id = {} AND id = {} "
            "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')", tenant_id, key_id)



_OUT_COLUMNS = [getattr(ApiKey, name) for name in ApiKeyOut.__struct_fields__]


def _out(row: dict[str, Any]) -> ApiKeyOut:
    return msgspec.convert(row, ApiKeyOut, strict=False)


async def create_api_key(principal: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
    name = data.name.strip()
    if not name:
        raise ProblemError(422, "validation_error", "Tên khóa không được để trống.", "The key needs a name.",
                           errors=[("name", "required", "Không được để trống", "Must not be blank")])
    if data.expires_at is not None and data.expires_at <= _now():
        raise ProblemError(422, "validation_error", "Thời điểm hết hạn phải ở tương lai.",
                           "The expiry must be in the future.",
                           errors=[("expires_at", "in_past", "Phải ở tương lai", "Must be in the future")])
    prefix, secret = secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES)
    key = ApiKey(tenant_id=current_tenant_id(), name=name, prefix=prefix, secret_hash=secret_hash(secret),
                 scopes=sorted(set(data.scopes)), expires_at=data.expires_at, created_by=principal.subject_id)
    await key.save()
    out = await _get(key.id)
    await audit.record("api_key.create", "api_key", key.id, after=out)  # `out`, not the created key with its secret
    return ApiKeyCreated(**msgspec.structs.asdict(out), key=f"{KEY_SCHEME}_{prefix}_{secret}")


async def _get(key_id: uuid.UUID) -> ApiKeyOut:
    row = await ApiKey.select(*_OUT_COLUMNS).where(
        (ApiKey.tenant_id == current_tenant_id()) & (ApiKey.id == key_id)).first()
    if row is None:
        raise NotFoundError("khóa API", "API key")
    return _out(row)


async def list_api_keys(principal: Principal, limit: int, cursor: str | None) -> Page[ApiKeyOut]:
    query = ApiKey.select(*_OUT_COLUMNS).where(ApiKey.tenant_id == current_tenant_id())
    if after := decode_cursor(cursor):
        query = query.where(ApiKey.id > after)
    items = [_out(row) for row in await query.order_by(ApiKey.id).limit(limit + 1)]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def revoke_api_key(redis: aioredis.Redis, key_id: uuid.UUID) -> None:
    """Takes effect on the key's next request in every process: the revocation marker in Redis outlives
    every in-memory lookup. Revoking a revoked key again keeps its first revocation time."""
    revoked = await ApiKey.raw(
        "UPDATE api_key SET revoked_at = coalesce(api_key.revoked_at, now()), updated_at = now() "
        "FROM (SELECT id, revoked_at FROM api_key WHERE tenant_id = {} AND id = {} FOR UPDATE) AS old "
        "WHERE api_key.id = old.id RETURNING old.revoked_at AS before, api_key.revoked_at AS after, api_key.name",
        current_tenant_id(), key_id)
    if not revoked:
        raise NotFoundError("khóa API", "API key")
    row = revoked[0]
    await audit.record("api_key.revoke", "api_key", key_id, before={"name": row["name"], "revoked_at": row["before"]},
                       after={"name": row["name"], "revoked_at": row["after"]})
    await gate_mirror.revoke(redis, [revocation_key(key_id)], int(2 * LOOKUP_CACHE_SECONDS))


async def revoke_api_keys_created_by(redis: aioredis.Redis, user_id: uuid.UUID) -> list[uuid.UUID]:
    """A deactivated member's keys stop with them, in one statement; their ids are returned."""
    revoked = await ApiKey.raw(
        "UPDATE api_key SET revoked_at = now(), updated_at = now() "
        "WHERE tenant_id = {} AND created_by = {} AND revoked_at IS NULL RETURNING id", current_tenant_id(), user_id)
    ids = [row["id"] for row in revoked]
    await gate_mirror.revoke(redis, [revocation_key(key_id) for key_id in ids], int(2 * LOOKUP_CACHE_SECONDS))
    return ids
