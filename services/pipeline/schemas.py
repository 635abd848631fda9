"""Request and response bodies of pipeline."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

StageName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    probability: Annotated[int, msgspec.Meta(ge=0, le=100)] = 0
    is_won: bool = False


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    sequence: int
    probability: int
    is_won: bool
