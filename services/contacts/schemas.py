"""Request and response bodies of contacts."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec

CustomerKind = Literal["company", "individual"]
LifecycleStage = Literal["raw", "lead", "customer", "member", "loyal"]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(min_length=8, max_length=20, pattern=r"^\+?[0-9 .()-]+$")]


class CustomerCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    kind: CustomerKind = "company"
    email: Email | None = None
    phone: Phone | None = None
    lifecycle_stage: LifecycleStage = "raw"
    owner_id: uuid.UUID | None = None  # the salesperson in charge; the creator when not given


class CustomerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: CustomerKind | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    lifecycle_stage: LifecycleStage | msgspec.UnsetType = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET


class CustomerOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    kind: str
    name: str
    email: str | None
    phone: str | None
    lifecycle_stage: str
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    branch_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
