"""Pipeline's columns that hold a contacts customer id, for contacts' merge (see `services.contacts.refs`)."""

from services.contacts.refs import CustomerRef

CUSTOMER_REFS: tuple[CustomerRef, ...] = (
    CustomerRef("opportunity", "customer_id"),
    CustomerRef("quotation", "customer_id"),
    CustomerRef("contract", "customer_id"),
    CustomerRef("activity", "record_id", where="record_type = 'customer'"),
)
