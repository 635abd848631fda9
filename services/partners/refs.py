"""Partners' columns that hold a contacts customer id, for contacts' merge (see `services.contacts.refs`)."""

from services.contacts.refs import CustomerRef

CUSTOMER_REFS: tuple[CustomerRef, ...] = (
    # Both partners: which profile survives (tier, policy, targets) is a person's call, so the merge is refused.
    CustomerRef("partner", "customer_id", unique=(), on_conflict="refuse",
                what_vi="Cả hai khách hàng đều là đối tác; hãy kết thúc một hồ sơ đối tác trước.",
                what_en="Both customers are partners; end one partner profile first."),
    # The winner's parent and credit terms win; the loser's are kept in the merge record. A loser that was the
    # winner's subsidiary (or parent) would become its own parent: that link is dropped too.
    CustomerRef("account_parent", "customer_id", unique=(), self_column="parent_customer_id"),
    CustomerRef("account_parent", "parent_customer_id", self_column="customer_id"),
    CustomerRef("credit_account", "customer_id", unique=()),
    CustomerRef("ledger_entry", "customer_id"),
    # One running balance per customer and currency: the loser's totals are added into the winner's.
    CustomerRef("ledger_balance", "customer_id", unique=("currency",), on_conflict="add",
                add=("invoiced", "settled")),
    CustomerRef("credit_approval", "customer_id"),
)
