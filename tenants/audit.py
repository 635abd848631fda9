"""The audit log: an append-only record of every write, in the tenant's own rows.

Any service records a write in one line, inside its tenant transaction:

    await audit.record("customer.update", "customer", customer.id, before=old, after=new)

Who did it (a user, an API key, or support staff acting as a user, with their stated reason), the request
id and the client address come from the request context, set by the tenant middleware. Only the fields that
changed are kept, and secrets never are.

Append-only is enforced by the database: the app role may INSERT and SELECT `audit_entry` but not UPDATE or
DELETE it. The one exception is erasing a tenant that is being deleted, through a function owned by the
owner role that refuses any tenant not marked `deleting` (see the tenants migrations).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec
from piccolo.columns import JSONB, UUID, Varchar

from infra.request_id import current_request_meta
from tenants.context import current_tenant_id
from tenants.tables import TenantTable

if TYPE_CHECKING:
    from tenants.auth import Principal

ActorKind = Literal["user", "api_key", "support", "system"]
# Field names that hold or derive from a secret: never written to the log, whatever the service passes.
_SECRET_FIELD = re.compile(r"password|secret|token|hash|api_?key|credential", re.IGNORECASE)
_NOT_CHANGES = frozenset({"id", "tenant_id", "created_at", "updated_at"})


class AuditEntry(TenantTable, tablename="audit_entry"):
    append_only: ClassVar[bool] = True  # tenants.rls grants the app role SELECT and INSERT only

    actor_kind = Varchar(length=16, null=False)
    actor_id = UUID(null=True, default=None)
    support_staff_id = UUID(null=True, default=None)
    support_reason = Varchar(length=500, null=True, default=None)
    action = Varchar(length=100, null=False)
    object_type = Varchar(length=64, null=False)
    object_id = Varchar(length=64, null=True, default=None)
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    request_id = Varchar(length=128, null=True, default=None)
    ip = Varchar(length=45, null=True, default=None)


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    kind: ActorKind
    id: uuid.UUID | None = None
    support_staff_id: uuid.UUID | None = None
    support_reason: str | None = None


SYSTEM = Actor(kind="system")
_current_actor: ContextVar[Actor] = ContextVar("audit_actor", default=SYSTEM)


def actor_of(principal: Principal) -> Actor:
    return Actor(kind=principal.kind, id=principal.subject_id, support_staff_id=principal.support_staff_id,
                 support_reason=principal.support_reason or None)


def bind_actor(actor: Actor) -> Any:
    """Make `actor` the author of what is recorded until the returned token is reset."""
    return _current_actor.set(actor)


def unbind_actor(token: Any) -> None:
    _current_actor.reset(token)


def current_actor() -> Actor:
    """Who the current request or job acts as: for "who did it" columns kept beside the data."""
    return _current_actor.get()


def _fields(value: msgspec.Struct | Mapping[str, Any] | None) -> dict[str, Any]:
    if value is None:
        return {}
    fields: dict[str, Any] = msgspec.to_builtins(value, str_keys=True)
    return {name: item for name, item in fields.items()
            if name not in _NOT_CHANGES and not _SECRET_FIELD.search(name)}


def summarise(before: msgspec.Struct | Mapping[str, Any] | None,
              after: msgspec.Struct | Mapping[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The fields that differ between `before` and `after` (all of them on create or delete), secrets out."""
    old, new = _fields(before), _fields(after)
    if before is not None and after is not None:
        changed = {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}
        old = {name: old.get(name) for name in changed}
        new = {name: new.get(name) for name in changed}
    return (old if before is not None else None), (new if after is not None else None)


async def record(action: str, object_type: str, object_id: uuid.UUID | str | None = None, *,
                 before: msgspec.Struct | Mapping[str, Any] | None = None,
                 after: msgspec.Struct | Mapping[str, Any] | None = None,
                 actor: Actor | None = None) -> None:
    """Append one entry to the current tenant's audit log, in the caller's transaction."""
    who = actor or _current_actor.get()
    meta = current_request_meta()
    old, new = summarise(before, after)
    await AuditEntry.insert(AuditEntry(
        tenant_id=current_tenant_id(), actor_kind=who.kind, actor_id=who.id,
        support_staff_id=who.support_staff_id, support_reason=who.support_reason,
        action=action, object_type=object_type, object_id=str(object_id) if object_id is not None else None,
        before=msgspec.json.encode(old).decode() if old is not None else None,
        after=msgspec.json.encode(new).decode() if new is not None else None,
        request_id=meta.request_id if meta else None, ip=meta.ip if meta else None,
    ))
