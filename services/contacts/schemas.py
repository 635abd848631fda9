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
    source_id: uuid.UUID | None = None
    relationship_status_id: uuid.UUID | None = None


class CustomerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: CustomerKind | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    lifecycle_stage: LifecycleStage | msgspec.UnsetType = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    source_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    relationship_status_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET  # the change is kept in history


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
    source_id: uuid.UUID | None
    relationship_status_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CustomerFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What a customer list is narrowed by, besides the caller's data visibility."""

    q: str | None = None
    lifecycle_stage: str | None = None
    group_id: uuid.UUID | None = None  # the group and every group below it
    tag: str | None = None  # a tag name, diacritics ignored
    source_id: uuid.UUID | None = None
    relationship_status_id: uuid.UUID | None = None


class GroupCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    parent_id: uuid.UUID | None = None


class GroupUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET  # the code stays: other systems refer to it
    parent_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET  # null moves the group to the top


class GroupOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    code: str
    name: str
    parent_id: uuid.UUID | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class GroupNode(GroupOut, kw_only=True):
    depth: int  # 0 for a top-level group


class CustomerIds(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    customer_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=500)]


class TagIds(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    tag_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=100)]


class Linked(msgspec.Struct, kw_only=True):
    added: int  # links that did not exist before


class SourceWrite(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name


class SourceOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


StatusName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Position = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class StatusCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: StatusName
    name_en: StatusName | None = None
    position: Position | None = None  # after the last one when not given


class StatusUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: StatusName | msgspec.UnsetType = msgspec.UNSET
    name_en: StatusName | msgspec.UnsetType | None = msgspec.UNSET
    position: Position | msgspec.UnsetType = msgspec.UNSET


class StatusOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    name_en: str | None
    position: int
    system_key: str | None
    is_system: bool


class StatusChangeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    from_status_id: uuid.UUID | None
    from_status_name: str | None  # None once the status is deleted
    to_status_id: uuid.UUID | None
    to_status_name: str | None
    actor_kind: str  # user | api_key | system
    actor_id: uuid.UUID | None
    changed_at: datetime.datetime


TagName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9a-fA-F]{6}$")]


class TagCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: TagName
    color: Color | None = None


class TagUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: TagName | msgspec.UnsetType = msgspec.UNSET
    color: Color | msgspec.UnsetType | None = msgspec.UNSET


class TagOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    color: str | None
