"""Contacts' tables: customers over their whole life."""

from piccolo.columns import JSONB, UUID, Array, BigInt, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete

from tenants.tables import TenantTable


class Customer(TenantTable, tablename="customer"):
    kind = Varchar(length=16, default="company", null=False)  # company | individual
    code = Varchar(length=32, null=False)  # unique per tenant (migration adds the index)
    name = Varchar(length=255, null=False)
    name_folded = Varchar(length=255, null=False)  # diacritics folded, for search
    email = Varchar(length=254, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)
    lifecycle_stage = Varchar(length=16, default="raw", null=False)
    # Whose customer it is (data visibility, `tenants.access.visible_to`): the salesperson's user id, and
    # the team and branch they were in when it was assigned. Identity's ids, so no foreign keys.
    owner_id = UUID(null=True, default=None)
    team_id = UUID(null=True, default=None)
    branch_id = UUID(null=True, default=None)
    # Classification. SET NULL only matters when a whole tenant is erased: the service refuses to delete a
    # source or status that customers still use.
    source_id: ForeignKey["CustomerSource"] = ForeignKey(
        references="CustomerSource", null=True, default=None, on_delete=OnDelete.set_null)
    relationship_status_id: ForeignKey["RelationshipStatus"] = ForeignKey(
        references="RelationshipStatus", null=True, default=None, on_delete=OnDelete.set_null)
    tax_code = Varchar(length=14, null=True, default=None)  # mã số thuế, canonical form (infra.vn)
    # Every phone and email as [{"value", "label", "primary"}]; `phone` and `email` above are the primary ones.
    phones = JSONB(default=[], null=False)
    emails = JSONB(default=[], null=False)
    website = Varchar(length=255, null=True, default=None)
    industry = Varchar(length=120, null=True, default=None)
    addresses = JSONB(default=[], null=False)  # [{"street", "ward", "district", "province_code", "primary"}]
    needs_status = Varchar(length=16, default="unknown", null=False)
    notes = Text(null=True, default=None)
    last_contacted_at = Timestamptz(null=True, default=None)
    attributes = JSONB(default={}, null=False)  # custom attribute values by key (AttributeDefinition)


class CodeSequence(TenantTable, tablename="code_sequence"):
    """Per-tenant counters behind generated codes such as KH000123."""

    name = Varchar(length=32, null=False)
    value = BigInt(default=0, null=False)


class CustomerGroup(TenantTable, tablename="customer_group"):
    """A node of the tenant's group tree (Phân loại khách hàng theo nhóm)."""

    name = Varchar(length=255, null=False)
    name_folded = Varchar(length=255, null=False)  # diacritics folded, for ordering siblings
    code = Varchar(length=64, null=False)  # from the name, folded to ASCII; unique per tenant (migration)
    # NO ACTION, checked at the end of the statement: erasing a tenant deletes parents and children at once.
    parent_id: ForeignKey["CustomerGroup"] = ForeignKey(
        references="self", null=True, default=None, on_delete=OnDelete.no_action)


class CustomerGroupMember(TenantTable, tablename="customer_group_member"):
    group_id = ForeignKey(references=CustomerGroup, null=False, on_delete=OnDelete.cascade)
    customer_id = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)


class CustomerSource(TenantTable, tablename="customer_source"):
    """Where customers come from (a fair, a referral, the website)."""

    name = Varchar(length=255, null=False)
    name_folded = Varchar(length=255, null=False)  # unique per tenant (migration)


class RelationshipStatus(TenantTable, tablename="relationship_status"):
    """A tenant-editable relationship status; the system ones (`system_key`) are set by jobs, never deleted."""

    name = Varchar(length=100, null=False)
    name_en = Varchar(length=100, null=True, default=None)
    position = Integer(null=False, default=0)
    system_key = Varchar(length=32, null=True, default=None)  # unique per tenant when set (migration)
    is_system = Boolean(null=False, default=False)


class CustomerStatusChange(TenantTable, tablename="customer_status_change"):
    """One change of a customer's relationship status. Status ids are kept without a foreign key: the history
    outlives a status the tenant deletes later."""

    customer_id = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)
    from_status_id = UUID(null=True, default=None)
    to_status_id = UUID(null=True, default=None)
    actor_kind = Varchar(length=16, null=False)  # user | api_key | system
    actor_id = UUID(null=True, default=None)
    support_staff_id = UUID(null=True, default=None)


class Tag(TenantTable, tablename="tag"):
    name = Varchar(length=100, null=False)
    name_folded = Varchar(length=100, null=False)  # unique per tenant (migration); `?tag=` matches it
    color = Varchar(length=7, null=True, default=None)


class CustomerTag(TenantTable, tablename="customer_tag"):
    tag_id = ForeignKey(references=Tag, null=False, on_delete=OnDelete.cascade)
    customer_id = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)


class LifecycleChange(TenantTable, tablename="lifecycle_change"):
    """One step of a customer's lifecycle (raw → lead → customer → member → loyal): who moved it, and when."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    from_stage = Varchar(length=16, null=True, default=None)  # None when the customer was created
    to_stage = Varchar(length=16, null=False)
    actor_kind = Varchar(length=16, null=False)  # user | api_key | support | system
    actor_id = UUID(null=True, default=None)


class ContactPerson(TenantTable, tablename="contact_person"):
    """Someone to talk to at a company customer; at most one per customer is primary (a partial unique index)."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=255, null=False)
    title = Varchar(length=120, null=True, default=None)
    phones = JSONB(default=[], null=False)
    emails = JSONB(default=[], null=False)
    is_primary = Boolean(default=False, null=False)


class AttributeDefinition(TenantTable, tablename="attribute_definition"):
    """A tenant-defined field of an entity (customers for now); values live in that entity's `attributes`."""

    entity = Varchar(length=32, default="customer", null=False)
    key = Varchar(length=63, null=False)  # unique per tenant and entity; fixed once created
    label_vi = Varchar(length=255, null=False)
    label_en = Varchar(length=255, null=False)
    # text | long_text | number | money | date | boolean | select | multiselect | user | url | email | phone
    type = Varchar(length=16, null=False)
    options = JSONB(default=[], null=False)  # select/multiselect: [{"value", "label_vi", "label_en"}]
    required = Boolean(default=False, null=False)
    sort_order = Integer(default=0, null=False)
    default_value = JSONB(default="null", null=False)  # given to a new record that has no value; JSON null: none
    validation = JSONB(default={}, null=False)  # min/max (number, money), min_date/max_date, max_length
    help_vi = Varchar(length=500, default="", null=False)
    help_en = Varchar(length=500, default="", null=False)


class ContactsSettings(TenantTable, tablename="contacts_settings"):
    """A tenant's settings of contacts; one row per tenant (a unique index), absent until first changed."""

    # "Đừng quên" ageing: customers not contacted for this many days move to the system status, unless their
    # status is excluded (by system key, such as the seeded "won" and "lost", or by status id).
    dont_forget_after_days = Integer(null=False, default=30)
    dont_forget_excluded = Array(base_column=Varchar(length=64), null=False, default=["lost", "won"])


class Interaction(TenantTable, tablename="interaction"):
    """A call, meeting, care action, email, note or consulting entry with a customer (the customer timeline)."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=16, null=False)  # call | meeting | care | email | note | consulting
    direction = Varchar(length=8, null=True, default=None)  # calls and emails: inbound | outbound
    subject = Varchar(length=255, null=False)
    body = Text(null=True, default=None)
    occurred_at = Timestamptz(null=False)
    duration_seconds = Integer(null=True, default=None)
    outcome = Varchar(length=120, null=True, default=None)
    follow_up_at = Timestamptz(null=True, default=None)  # a planned next contact
    user_id = UUID(null=True, default=None)  # who had it (identity's id, so no foreign key)
    contact_person = ForeignKey(ContactPerson, on_delete=OnDelete.set_null, null=True, default=None)


class Document(TenantTable, tablename="document"):
    """One version of a file kept about a customer; the bytes live in S3 under the tenant's prefix."""

    customer = ForeignKey(Customer, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=255, null=False)  # versions share a name per customer (unique with version)
    version = Integer(null=False, default=1)
    content_type = Varchar(length=127, null=False)
    size_bytes = BigInt(null=False)  # the storage quota sums it
    storage_path = Varchar(length=255, null=False)  # under tenants/<tenant_id>/ (infra.storage)
    uploaded_by = UUID(null=True, default=None)


class CustomerImport(TenantTable, tablename="customer_import"):
    """An upload of customers from CSV or XLSX, run as a job on the `imports` queue, with its progress."""

    status = Varchar(length=16, null=False, default="queued")  # queued | running | done | failed
    file_name = Varchar(length=255, null=False)
    file_format = Varchar(length=8, null=False)  # csv | xlsx
    source_path = Varchar(length=255, null=False)  # the uploaded file in S3
    mapping = JSONB(default={}, null=False)  # column header -> customer field
    match_on = Varchar(length=16, null=False, default="email")  # code | tax_code | email
    on_duplicate = Varchar(length=16, null=False, default="skip")  # skip | update
    dry_run = Boolean(null=False, default=False)
    rows_total = Integer(null=True, default=None)
    rows_done = Integer(null=False, default=0)
    created = Integer(null=False, default=0)
    updated = Integer(null=False, default=0)
    skipped = Integer(null=False, default=0)
    rejected = Integer(null=False, default=0)
    error = Text(null=True, default=None)  # why the whole import failed
    created_by = UUID(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    mapping_id = UUID(null=True, default=None)  # the saved ImportMapping it used, if any (kept if deleted)
    reverted_at = Timestamptz(null=True, default=None)  # set once: a second revert is refused


class ImportMapping(TenantTable, tablename="import_mapping"):
    """A named column mapping (with its duplicate policy) a tenant saves to reuse on its next imports."""

    name = Varchar(length=100, null=False)
    name_folded = Varchar(length=100, null=False)  # unique per tenant (migration)
    mapping = JSONB(default={}, null=False)  # column header -> customer field
    match_on = Varchar(length=16, null=False, default="email")
    on_duplicate = Varchar(length=16, null=False, default="skip")


class CustomerImportOutcome(TenantTable, tablename="customer_import_outcome"):
    """What one batch of an import did (or, in a dry run, would do) with its good rows of one outcome: created,
    updated or skipped. The rows' lines and customers are aligned arrays, one table row per batch and outcome
    (a table row per file row cost as much as writing the customer). An update keeps, aligned too, the fields
    its row gave as they were before (`befores`), so the import can be reverted."""

    # No foreign key to the import: imports are only deleted with their tenant, which sweeps every table.
    customer_import = UUID(null=False, default=None)
    outcome = Varchar(length=16, null=False)  # created | updated | skipped
    row_numbers = Array(base_column=Integer(), null=False, default=[])
    customer_ids = Array(base_column=UUID(), null=False, default=[])  # a NULL item: a dry run's "created"
    befores = JSONB(null=True, default=None)  # updated: a JSON array of {field: value before}


class CustomerImportError(TenantTable, tablename="customer_import_error"):
    """One problem with one row of an import: the downloadable error report."""

    customer_import = ForeignKey(CustomerImport, on_delete=OnDelete.cascade, null=False)
    row_number = Integer(null=False)  # the line in the file, the header being line 1
    field = Varchar(length=64, null=False)
    code = Varchar(length=32, null=False)
    message_vi = Text(null=False)
    message_en = Text(null=False)


class CustomerExport(TenantTable, tablename="customer_export"):
    """A filtered customer list written to CSV or XLSX in S3 by a job, under the exporter's data visibility."""

    status = Varchar(length=16, null=False, default="queued")  # queued | running | done | failed
    file_format = Varchar(length=8, null=False)  # csv | xlsx
    filters = JSONB(default={}, null=False)  # a CustomerFilter
    access = JSONB(default={}, null=False)  # the exporter's tenants.access.Access when asked
    rows_done = Integer(null=False, default=0)
    result_path = Varchar(length=255, null=True, default=None)
    error = Text(null=True, default=None)
    created_by = UUID(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


# Duplicates and merge (issue 5, item 7) -------------------------------------------------------------------

class DuplicateRule(TenantTable, tablename="duplicate_rule"):
    """One of the tenant's duplicate match rules (`service.duplicates.RULES`), seeded enabled on first use."""

    rule = Varchar(length=32, null=False)  # tax_code | phone | email | name_province; unique per tenant
    enabled = Boolean(null=False, default=True)


class CustomerKey(TenantTable, tablename="customer_key"):
    """The values a customer is matched on (`rule`, `value`), one row each, kept by a trigger on `customer`
    (see the migration), so create, update, import and the nightly scan match through one btree index."""

    # No foreign key: checking one per key row made a bulk insert of customers half again slower (bench.duplicates);
    # the trigger deletes a customer's keys with it.
    customer_id = UUID(null=False, default=None)
    rule = Varchar(length=32, null=False)
    value = Varchar(length=300, null=False)


class DuplicatePair(TenantTable, tablename="duplicate_pair"):
    """Two customers the nightly scan found alike (`customer_a` < `customer_b`), for someone to review."""

    customer_a = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)
    customer_b = ForeignKey(references=Customer, null=False, on_delete=OnDelete.cascade)
    rules = Array(base_column=Varchar(length=32), null=False, default=[])
    status = Varchar(length=16, null=False, default="open")  # open | dismissed
    dismissed_by = UUID(null=True, default=None)
    scanned_at = Timestamptz(null=False)


class CustomerMerge(TenantTable, tablename="customer_merge"):
    """A merge of `loser_id` into `winner_id`: what it moved, table by table, so it can be undone, and the
    loser as it was. While not undone, the loser's id redirects to the winner. No foreign keys: the loser is
    gone, and the winner may go later."""

    winner_id = UUID(null=False)
    loser_id = UUID(null=False)
    loser = JSONB(null=False)  # the loser's customer row as it was (to_jsonb)
    moved = JSONB(null=False, default={})  # "table.column" -> [row ids re-pointed from the loser to the winner]
    removed = JSONB(null=False, default={})  # table -> [rows (to_jsonb) deleted because the winner had one alike]
    changed = JSONB(null=False, default={})  # other column changes: {"table.column": {row id: old value}}
    merged_by = UUID(null=True, default=None)
    undone_at = Timestamptz(null=True, default=None)
    undone_by = UUID(null=True, default=None)
