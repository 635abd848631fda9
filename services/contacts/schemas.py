"""Request and response bodies of contacts."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

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
    tax_code: TaxCode | None = None
    phones: list[PhoneEntry] | None = None  # every phone, one primary; or the single `phone` above
    emails: list[EmailEntry] | None = None
    website: Website | None = None
    industry: Industry | None = None
    addresses: Addresses = []
    needs_status: NeedsStatus = "unknown"
    notes: Notes | None = None
    last_contacted_at: datetime.datetime | None = None
    # Create it even though it matches existing customers by the tenant's duplicate rules (else 409 `duplicate`).
    confirm_duplicate: bool = False
    attributes: AttributeValues = {}


class CustomerUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: CustomerKind | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    lifecycle_stage: LifecycleStage | msgspec.UnsetType = msgspec.UNSET
    owner_id: uuid.UUID | msgspec.UnsetType = msgspec.UNSET
    source_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    relationship_status_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET  # the change is kept in history
    tax_code: TaxCode | msgspec.UnsetType | None = msgspec.UNSET
    phones: list[PhoneEntry] | msgspec.UnsetType = msgspec.UNSET  # replaces the list; `phone` the primary
    emails: list[EmailEntry] | msgspec.UnsetType = msgspec.UNSET
    website: Website | msgspec.UnsetType | None = msgspec.UNSET
    industry: Industry | msgspec.UnsetType | None = msgspec.UNSET
    addresses: Addresses | msgspec.UnsetType = msgspec.UNSET
    needs_status: NeedsStatus | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET
    last_contacted_at: datetime.datetime | msgspec.UnsetType | None = msgspec.UNSET
    # Save it even though the change makes it match other customers (else 409 `duplicate`).
    confirm_duplicate: bool = False
    attributes: AttributeValues | msgspec.UnsetType = msgspec.UNSET  # merged; a key set to null is removed


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
    tax_code: str | None
    phones: list[PhoneEntry]
    emails: list[EmailEntry]
    website: str | None
    industry: str | None
    addresses: list[Address]
    needs_status: str
    notes: str | None
    last_contacted_at: datetime.datetime | None
    attributes: dict[str, Any]
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
    owner_id: uuid.UUID | None = None  # the salesperson in charge
    attributes: tuple[tuple[str, str], ...] = ()  # `attr.<key>=value`, `attr.<key>.min=`/`.max=` parameters
    sort: str | None = None  # `attr.<key>` ascending, `-attr.<key>` descending; records without a value last


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


# Customer fields (issue 5, item 1), custom attributes (item 3) and contact persons.
NeedsStatus = Literal["unknown", "no_need", "interested", "urgent"]
TaxCode = Annotated[str, msgspec.Meta(min_length=10, max_length=16, description="10 digits, or 10-3 for a branch")]
Website = Annotated[str, msgspec.Meta(max_length=255, pattern=r"^(https?://)?[^\s/$.?#][^\s]*\.[^\s]+$")]
Industry = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
Notes = Annotated[str, msgspec.Meta(max_length=4000)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Place = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
AttributeKey = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Currency = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{3}$")]  # ISO 4217


class Money(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An amount in the currency's minor units (đồng for VND, cents for USD): integers, never floats."""

    amount: int
    currency: Currency = "VND"


# A money value is written as a Money object, or as a bare integer amount in VND.
AttributeValue = str | int | float | bool | list[str] | Money | None
AttributeValues = Annotated[dict[AttributeKey, AttributeValue], msgspec.Meta(max_length=100)]
AttributeType = Literal["text", "long_text", "number", "money", "date", "boolean", "select", "multiselect", "user",
                        "url", "email", "phone"]


class PhoneEntry(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    value: Phone
    label: Label | None = None  # "di động", "văn phòng"...
    primary: bool = False


class EmailEntry(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    value: Email
    label: Label | None = None
    primary: bool = False


class Address(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    street: Place | None = None
    ward: Place | None = None  # phường/xã
    district: Place | None = None  # quận/huyện
    province_code: Annotated[str, msgspec.Meta(pattern=r"^\d{2}$")]  # GSO code, see infra.vn.PROVINCES
    label: Label | None = None
    primary: bool = False


Addresses = Annotated[list[Address], msgspec.Meta(max_length=20)]


class LifecycleChangeOut(msgspec.Struct, kw_only=True):
    from_stage: str | None  # None: the customer was created at `to_stage`
    to_stage: str
    actor_kind: str
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


class PersonCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name
    title: Label | None = None
    phones: Annotated[list[PhoneEntry], msgspec.Meta(max_length=10)] = []
    emails: Annotated[list[EmailEntry], msgspec.Meta(max_length=10)] = []
    primary: bool = False  # the customer's main contact; at most one per customer


class PersonUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    title: Label | msgspec.UnsetType | None = msgspec.UNSET
    phones: Annotated[list[PhoneEntry], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    emails: Annotated[list[EmailEntry], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    primary: bool | msgspec.UnsetType = msgspec.UNSET


class PersonOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    title: str | None
    phones: list[PhoneEntry]
    emails: list[EmailEntry]
    primary: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AttributeOption(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    value: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    label_vi: Name
    label_en: Name


Options = Annotated[list[AttributeOption], msgspec.Meta(max_length=200)]
SortOrder = Annotated[int, msgspec.Meta(ge=-100000, le=100000)]


HelpText = Annotated[str, msgspec.Meta(max_length=500)]
Bound = Annotated[float, msgspec.Meta(ge=-1e18, le=1e18)]  # ints are accepted


class AttributeValidation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True, frozen=True):
    """Limits a value must respect, each for the types it names."""

    min: Bound | None = None  # number; money (minor units)
    max: Bound | None = None
    min_date: datetime.date | None = None  # date
    max_date: datetime.date | None = None
    max_length: Annotated[int, msgspec.Meta(ge=1, le=20000)] | None = None  # text, long text


class AttributeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    key: AttributeKey  # fixed once created: values are stored under it
    label_vi: Name
    label_en: Name
    type: AttributeType  # fixed once created, so stored values keep their meaning
    options: Options = []  # select and multiselect only
    required: bool = False
    sort_order: SortOrder = 0
    default: AttributeValue = None  # given to a new record that comes without a value
    validation: AttributeValidation = msgspec.field(default_factory=AttributeValidation)
    help_vi: HelpText = ""
    help_en: HelpText = ""


class AttributeUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Labels (renaming keeps the values: they are stored under the key), options (dropping one that records
    hold needs `?confirm=true`), and the rest."""

    label_vi: Name | msgspec.UnsetType = msgspec.UNSET
    label_en: Name | msgspec.UnsetType = msgspec.UNSET
    options: Options | msgspec.UnsetType = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET
    sort_order: SortOrder | msgspec.UnsetType = msgspec.UNSET
    default: AttributeValue | msgspec.UnsetType = msgspec.UNSET  # null: no default
    validation: AttributeValidation | msgspec.UnsetType = msgspec.UNSET
    help_vi: HelpText | msgspec.UnsetType = msgspec.UNSET
    help_en: HelpText | msgspec.UnsetType = msgspec.UNSET


class AttributeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    key: str
    label_vi: str
    label_en: str
    type: str
    options: list[AttributeOption]
    required: bool
    sort_order: int
    default: Any = None
    validation: AttributeValidation = msgspec.field(default_factory=AttributeValidation)
    help_vi: str = ""
    help_en: str = ""
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AttributeDeleted(msgspec.Struct, kw_only=True):
    key: str
    records_affected: int  # customers (or partners) whose value for it was removed


class AttributeImpact(msgspec.Struct, kw_only=True):
    """What removing an attribute, or some of its options, would touch (nothing is changed)."""

    key: str
    records_affected: int  # records holding a value of the attribute, or one of the options
    options: dict[str, int] = {}  # per option asked about: records holding it


DontForgetDays = Annotated[int, msgspec.Meta(ge=1, le=3650)]
StatusKeyOrId = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ContactsSettingsOut(msgspec.Struct, kw_only=True):
    dont_forget_after_days: int
    dont_forget_excluded: list[str]  # status system keys ("won", "lost") or status ids


class ContactsSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    dont_forget_after_days: DontForgetDays | msgspec.UnsetType = msgspec.UNSET
    dont_forget_excluded: Annotated[list[StatusKeyOrId], msgspec.Meta(max_length=50)] | msgspec.UnsetType = (
        msgspec.UNSET)


# Interactions, the customer timeline, documents, imports and exports (issue 5, items 4, 5 and 8).
InteractionKind = Literal["call", "meeting", "care", "email", "note", "consulting"]
Direction = Literal["inbound", "outbound"]
Subject = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
Duration = Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 3600)]
Outcome = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class InteractionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: InteractionKind
    subject: Subject
    body: Annotated[str, msgspec.Meta(max_length=20_000)] | None = None
    occurred_at: datetime.datetime | None = None  # now when not given
    duration_seconds: Duration | None = None
    direction: Direction | None = None
    outcome: Outcome | None = None
    follow_up_at: datetime.datetime | None = None
    contact_person_id: uuid.UUID | None = None  # one of this customer's contact persons
    user_id: uuid.UUID | None = None  # who had it: a member; the caller when not given


class InteractionOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    kind: str
    subject: str
    body: str | None
    occurred_at: datetime.datetime
    duration_seconds: int | None
    direction: str | None
    outcome: str | None
    follow_up_at: datetime.datetime | None
    contact_person_id: uuid.UUID | None
    user_id: uuid.UUID | None
    created_at: datetime.datetime


TimelineKind = Literal["interaction", "status_change", "lifecycle_change", "document"]


class TimelineEntry(msgspec.Struct, kw_only=True):
    kind: TimelineKind
    id: uuid.UUID
    at: datetime.datetime  # when it happened: an interaction's occurred_at, else when it was recorded
    actor_id: uuid.UUID | None  # who had the interaction, made the change or uploaded the document
    summary: str  # the subject, the status or stage moved to, the document's name
    data: dict[str, Any]  # the fields of that kind of entry


class DocumentOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_id: uuid.UUID
    name: str
    version: int
    content_type: str
    size_bytes: int
    uploaded_by: uuid.UUID | None
    created_at: datetime.datetime


class DownloadLink(msgspec.Struct, kw_only=True):
    url: str  # a presigned GET on the storage, valid until `expires_at`
    expires_at: datetime.datetime


ImportField = Literal["code", "name", "kind", "email", "phone", "tax_code", "website", "industry",
                      "lifecycle_stage", "needs_status", "notes"]
MatchOn = Literal["code", "tax_code", "email"]
OnDuplicate = Literal["skip", "update", "create"]  # create: a new customer even when one matches


class ImportOptions(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The `options` part of an import upload (a JSON text beside the file)."""

    # Column header in the file -> customer field; when empty, headers that are field names map to themselves.
    mapping: Annotated[dict[Annotated[str, msgspec.Meta(min_length=1, max_length=255)], ImportField],
                       msgspec.Meta(max_length=100)] = {}
    match_on: MatchOn = "email"  # how a row finds the customer it duplicates
    on_duplicate: OnDuplicate = "skip"
    dry_run: bool = False  # report what would be created, updated, skipped and rejected; write no customer
    # A saved mapping (`/imports/mappings`): its mapping, match_on and on_duplicate are used; `mapping` must be empty.
    mapping_id: uuid.UUID | None = None


class ImportOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    status: str  # queued | running | done | failed
    file_name: str
    file_format: str
    mapping: dict[str, str]
    match_on: str
    on_duplicate: str
    dry_run: bool
    rows_total: int | None
    rows_done: int
    created: int
    updated: int
    skipped: int
    rejected: int
    error: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    mapping_id: uuid.UUID | None
    reverted_at: datetime.datetime | None


ImportMappingColumns = Annotated[dict[Annotated[str, msgspec.Meta(min_length=1, max_length=255)], ImportField],
                                 msgspec.Meta(min_length=1, max_length=100)]


class ImportMappingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S")]
    mapping: ImportMappingColumns
    match_on: MatchOn = "email"
    on_duplicate: OnDuplicate = "skip"


class ImportMappingOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    name: str
    mapping: dict[str, str]
    match_on: str
    on_duplicate: str
    created_at: datetime.datetime


class LastImportMapping(msgspec.Struct, kw_only=True):
    """What the tenant's latest import used: a saved mapping (its id) or one given with the upload."""

    import_id: uuid.UUID
    mapping_id: uuid.UUID | None
    mapping: dict[str, str]
    match_on: str
    on_duplicate: str
    used_at: datetime.datetime


class ImportRowOut(msgspec.Struct, kw_only=True):
    row_number: int  # the line in the file, the header being line 1
    outcome: str  # created | updated | skipped (rejected rows are in the error report)
    customer_id: uuid.UUID | None  # none for a row a dry run would create


class ImportRevertOut(msgspec.Struct, kw_only=True):
    import_id: uuid.UUID
    deleted: int  # customers the import created, removed
    restored: int  # customers the import updated, back to their fields before it
    # Customers changed again after the import: still deleted or restored (the revert wins), listed so the user
    # can check them.
    changed_since: list[uuid.UUID]


BulkActionName = Literal["assign_owner", "add_group", "remove_group", "add_tag", "remove_tag", "set_status"]


class ListFilterBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The customer list's filters (`GET /customers`) as a JSON body: what a bulk action or an export selects."""

    q: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    lifecycle_stage: LifecycleStage | None = None
    group_id: uuid.UUID | None = None
    tag: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    source_id: uuid.UUID | None = None
    relationship_status_id: uuid.UUID | None = None


class BulkFilter(ListFilterBody, forbid_unknown_fields=True, kw_only=True):
    """The customer list's filters, custom attributes as {key: value}."""

    attributes: Annotated[dict[Annotated[str, msgspec.Meta(max_length=63)], Annotated[str, msgspec.Meta(
        max_length=255)]], msgspec.Meta(max_length=20)] = {}


class BulkRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One action on a selection (`ids`) or on every customer a filter finds (`filter`), never both; only the
    customers the caller sees are touched. `owner_id` for assign_owner, `group_id` for add/remove_group, `tag_id`
    for add/remove_tag, `relationship_status_id` (null clears it) for set_status."""

    action: BulkActionName
    ids: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=10_000)] | None = None
    filter: BulkFilter | None = None
    owner_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    tag_id: uuid.UUID | None = None
    relationship_status_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET


class BulkOut(msgspec.Struct, kw_only=True):
    action: str
    matched: int  # the customers selected that the caller sees
    changed: int  # those the action changed (one already in the group, say, is not)


ExportFormat = Literal["csv", "xlsx"]


class ExportCreate(ListFilterBody, forbid_unknown_fields=True, kw_only=True):
    format: ExportFormat = "csv"


class ExportOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    status: str  # queued | running | done | failed
    file_format: str
    rows_done: int
    error: str | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None


# Duplicates and merge ------------------------------------------------------------------------------------

DuplicateRuleName = Literal["tax_code", "phone", "email", "name_province"]


class DuplicateRuleOut(msgspec.Struct, kw_only=True):
    rule: DuplicateRuleName
    enabled: bool
    label_vi: str
    label_en: str


class DuplicateRuleSetting(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    rule: DuplicateRuleName
    enabled: bool


class DuplicateRulesUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The rules to change; rules not listed keep their setting."""

    rules: Annotated[list[DuplicateRuleSetting], msgspec.Meta(max_length=10)]


class DuplicateMatch(msgspec.Struct, kw_only=True):
    """An existing customer a new or changed one matches. `name` is withheld (null) when the caller does not see
    that customer (data visibility); its id and code still say a duplicate exists."""

    id: uuid.UUID
    code: str
    name: str | None
    rules: list[str]


class DuplicatePairOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    customer_a: DuplicateMatch
    customer_b: DuplicateMatch
    rules: list[str]
    status: str
    scanned_at: datetime.datetime


class MergeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Merge `loser_id` into the customer of the path (the winner, whose fields are kept)."""

    loser_id: uuid.UUID


class MergeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    winner_id: uuid.UUID
    loser_id: uuid.UUID
    loser_code: str
    loser_name: str
    moved: dict[str, list[uuid.UUID]]  # "table.column" -> ids of the rows re-pointed to the winner
    removed: dict[str, int]  # table -> how many of the loser's rows were dropped as the winner had the same
    created_at: datetime.datetime
    merged_by: uuid.UUID | None
    undone_at: datetime.datetime | None
