"""Request and response bodies of pipeline."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

import msgspec

StageName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Probability = Annotated[int, msgspec.Meta(ge=0, le=100)]
Days = Annotated[int, msgspec.Meta(ge=1, le=3650)]
Requirements = Annotated[str, msgspec.Meta(max_length=2000)]


class StageCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    probability: Probability = 0
    is_won: bool = False
    team_id: uuid.UUID | None = None  # identity's sales team; None: shared by all teams
    is_folded: bool = False
    requirements: Requirements | None = None
    rotting_days: Days | None = None


class StageOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    sequence: int
    probability: int
    is_won: bool
    team_id: uuid.UUID | None
    is_folded: bool
    requirements: str | None
    rotting_days: int | None


# Stages in full, lost reasons, leads and opportunities, the board.


class StageUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    probability: Probability | msgspec.UnsetType = msgspec.UNSET
    is_won: bool | msgspec.UnsetType = msgspec.UNSET
    is_folded: bool | msgspec.UnsetType = msgspec.UNSET
    requirements: Requirements | msgspec.UnsetType | None = msgspec.UNSET
    rotting_days: Days | msgspec.UnsetType | None = msgspec.UNSET


class StageOrder(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every stage of a board (those a team uses, or all the tenant's) in their new order."""

    team_id: uuid.UUID | None = None
    stage_ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=200)]


class LostReasonCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName
    name_en: StageName
    is_active: bool = True


class LostReasonUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name_vi: StageName | msgspec.UnsetType = msgspec.UNSET
    name_en: StageName | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class LostReasonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name_vi: str
    name_en: str
    is_active: bool


OpportunityKind = Literal["lead", "opportunity"]
OpportunityState = Literal["open", "won", "lost"]
Priority = Annotated[int, msgspec.Meta(ge=0, le=3)]
Revenue = Annotated[int, msgspec.Meta(ge=0, le=10**15)]  # minor units; VND has none, so đồng
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
OpportunityName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
TagName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Tags = Annotated[list[TagName], msgspec.Meta(max_length=50)]
Source = Annotated[str, msgspec.Meta(max_length=120)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[str, msgspec.Meta(max_length=20)]


class OpportunityCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: OpportunityKind = "opportunity"
    name: OpportunityName
    customer_id: uuid.UUID | None = None
    contact_person_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None  # default: the creator
    team_id: uuid.UUID | None = None  # default: the owner's team
    stage_id: uuid.UUID | None = None  # default: the first stage of the team
    expected_revenue: Revenue = 0
    currency: Currency = "VND"
    probability: Probability | None = None  # given: set by hand, no longer follows the stage
    expected_close_date: datetime.date | None = None
    priority: Priority = 0
    tags: Tags = []
    source: Source | None = None
    email: Email | None = None
    phone: Phone | None = None


class OpportunityUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: OpportunityName | msgspec.UnsetType = msgspec.UNSET
    contact_person_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    expected_revenue: Revenue | msgspec.UnsetType = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    probability: Probability | msgspec.UnsetType = msgspec.UNSET
    follow_stage: bool | msgspec.UnsetType = msgspec.UNSET  # true: take the stage's probability again
    expected_close_date: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    source: Source | msgspec.UnsetType | None = msgspec.UNSET


class OpportunityOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    name: str
    customer_id: uuid.UUID | None
    contact_person_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    stage_id: uuid.UUID | None
    expected_revenue: int
    currency: str
    probability: int
    probability_manual: bool
    expected_close_date: datetime.date | None
    priority: int
    tags: list[str]
    source: str | None
    state: str
    lost_reason_id: uuid.UUID | None
    lost_note: str | None
    closed_at: datetime.datetime | None
    date_last_stage_update: datetime.datetime
    email: str | None
    phone: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class MoveStage(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    stage_id: uuid.UUID


class MarkLost(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    lost_reason_id: uuid.UUID
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class Qualify(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Link the lead to `customer_id`, or create a customer named `new_customer_name` (the lead's name when
    neither is given)."""

    customer_id: uuid.UUID | None = None
    new_customer_name: OpportunityName | None = None
    new_customer_kind: Literal["company", "individual"] = "company"
    stage_id: uuid.UUID | None = None


class StageMoveOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    from_stage_id: uuid.UUID | None
    to_stage_id: uuid.UUID | None
    seconds_in_previous: int | None
    actor_kind: str
    actor_id: uuid.UUID | None
    moved_at: datetime.datetime


class BoardCard(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    customer_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    expected_revenue: int
    currency: str
    probability: int
    priority: int
    expected_close_date: datetime.date | None
    rotting: bool


class BoardColumn(msgspec.Struct, kw_only=True):
    stage: StageOut
    count: int
    expected_revenue: int
    # sum(expected_revenue × probability) / 100, divided once per column and rounded half up.
    weighted_revenue: int
    rotting_count: int
    cards: list[BoardCard]  # the first `per_column`, highest priority first


class Board(msgspec.Struct, kw_only=True):
    currency: str
    columns: list[BoardColumn]


class OpportunityFilter(msgspec.Struct, frozen=True, kw_only=True):
    """What the opportunity list and the board are narrowed by, besides the caller's data visibility."""

    team_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    tag: str | None = None
    close_from: datetime.date | None = None  # expected close date, inclusive
    close_to: datetime.date | None = None
    kind: str | None = None
    state: str | None = None
    stage_id: uuid.UUID | None = None
    customer_id: uuid.UUID | None = None
