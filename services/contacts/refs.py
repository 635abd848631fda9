"""What refers to a customer, declared by the service that owns each table, for merging two customers.

Contacts' merge (`service.merge`) re-points every declared reference from the loser to the winner in one
tenant transaction, and moves exactly those rows back on undo. A service that adds a column holding a
customer id declares it in its own `CUSTOMER_REFS` (listed in `REF_MODULES`); tests/contacts/test_merge.py
fails when a `customer`-named column of the database is not declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class CustomerRef:
    """`table.column` holds a customer id. `unique`: the other columns of a unique key that includes it (`()`:
    the column alone is unique per tenant; None: no unique key). A loser's row whose key the winner also has
    is, by `on_conflict`: dropped (kept in the merge record, put back on undo), added into the winner's row
    (`add` columns, subtracted back on undo), or the merge is refused (409) for a person to decide.
    `self_column`: rows whose `self_column` already is the winner would point at themselves; they are dropped."""

    table: str
    column: str
    unique: tuple[str, ...] | None = None
    on_conflict: Literal["drop", "add", "refuse"] = "drop"
    add: tuple[str, ...] = ()
    where: str = ""  # a fixed extra condition on the table's rows, e.g. "record_type = 'customer'"
    self_column: str | None = None
    what_vi: str = ""
    what_en: str = ""


# Contacts' own references. Contact persons (one primary) and documents (unique name and version) have their own
# steps in `service.merge` before these run.
CUSTOMER_REFS: tuple[CustomerRef, ...] = (
    CustomerRef("contact_person", "customer"),
    CustomerRef("interaction", "customer"),
    CustomerRef("document", "customer"),
    CustomerRef("lifecycle_change", "customer"),
    CustomerRef("customer_status_change", "customer_id"),
    CustomerRef("customer_group_member", "customer_id", unique=("group_id",)),
    CustomerRef("customer_tag", "customer_id", unique=("tag_id",)),
)
# Columns that name a customer but are not moved: match values (kept by a trigger) and the scan's pairs go with
# the loser; merges and the loser's snapshot are the record itself.
NOT_MOVED: frozenset[str] = frozenset({
    "customer_key.customer_id", "duplicate_pair.customer_a", "duplicate_pair.customer_b",
    "customer_merge.winner_id", "customer_merge.loser_id",
})
REF_MODULES: tuple[str, ...] = ("services.contacts.refs", "services.pipeline.refs", "services.partners.refs")
