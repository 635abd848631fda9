"""Request and response bodies of partners."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

ProvinceCode = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{2}$")]


class TerritoryCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    province_codes: Annotated[list[ProvinceCode], msgspec.Meta(max_length=63)] = []


class TerritoryOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    province_codes: list[str]
