"""UUIDv7 ids: time-ordered, so keyset pages follow creation order and a tenant's rows can move between
databases without clashes (DESIGN §3.1)."""

from __future__ import annotations

import uuid

import uuid_utils
from piccolo.columns.defaults.uuid import UUID7


def new_id() -> uuid.UUID:
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


class UUIDv7(UUID7):
    """Piccolo's UUID7 default (`uuidv7()` in PostgreSQL 18), generated in Python on any 3.11+."""

    def python(self) -> uuid.UUID:
        return new_id()
