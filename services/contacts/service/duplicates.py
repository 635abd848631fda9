"""The duplicate engine: one set of tenant-editable match rules, used by create, update, import, the lead
qualification in pipeline and the nightly scan.

A customer's match values live in `customer_key` (rule, value), kept by a statement-level trigger on `customer`
(migration 2026-12-03T06:11): a tax code, each phone (already +84/E.164, `fields.normalise_phone`), each email
(lower case), and the folded name (`infra.text.fold`, as the search folds it) with each address's province.
Every lookup is then an equality on the btree `(tenant_id, rule, value)`, whichever path wrote the customer.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection, Iterable, Sequence
from typing import Any

import msgspec

from infra.problems import NotFoundError, ProblemError
from infra.text import fold
from services.contacts.schemas import (
    Address,
    DuplicateMatch,
    DuplicatePairOut,
    DuplicateRuleOut,
    DuplicateRulesUpdate,
    EmailEntry,
    PhoneEntry,
)
from services.contacts.tables import Customer, DuplicatePair, DuplicateRule
from tenants import audit
from tenants.access import Access, visible_to
from tenants.context import current_tenant_id
from tenants.pagination import Page, decode_cursor, page_of

# rule -> (Vietnamese, English) label, in display order; all enabled when a tenant first uses them.
RULES: dict[str, tuple[str, str]] = {
    "tax_code": ("Trùng mã số thuế", "Same tax code"),
    "phone": ("Trùng số điện thoại", "Same phone number"),
    "email": ("Trùng email (không phân biệt hoa thường)", "Same email (case-insensitive)"),
    "name_province": ("Trùng tên (bỏ dấu) và tỉnh/thành phố", "Same name (diacritics ignored) and province"),
}
MAX_MATCHES = 20
# A value shared by more customers than this (a common name in a big city) makes no pairs in the nightly scan:
# it says little, and n customers would make n(n-1)/2 pairs.
SCAN_MAX_GROUP = 20
PAIR_NOT_FOUND = NotFoundError("cặp trùng", "Duplicate pair")

Key = tuple[str, str]


def keys_of(*, tax_code: str | None, phones: Iterable[PhoneEntry], emails: Iterable[EmailEntry], name: str,
            addresses: Iterable[Address]) -> set[Key]:
    """The match values of a customer's (cleaned) fields: the trigger's `customer_match_keys`, in Python."""
    keys: set[Key] = set()
    if tax_code:
        keys.add(("tax_code", tax_code))
    keys |= {("phone", phone.value) for phone in phones if phone.value}
    keys |= {("email", email.value.lower()) for email in emails if email.value}
    if folded := fold(name):
        keys |= {("name_province", f"{folded}|{address.province_code}") for address in addresses
                 if address.province_code}
    return keys


# Rules ---------------------------------------------------------------------------------------------------

async def _rule_rows() -> dict[str, bool]:
    rows = await DuplicateRule.select(DuplicateRule.rule, DuplicateRule.enabled).where(
        DuplicateRule.tenant_id == current_tenant_id())
    return {row["rule"]: row["enabled"] for row in rows}


async def _seed() -> None:
    await DuplicateRule.raw(
        "INSERT INTO duplicate_rule (tenant_id, rule, enabled) SELECT {}, r, true FROM unnest({}::text[]) r "
        "ON CONFLICT (tenant_id, rule) DO NOTHING", current_tenant_id(), list(RULES))


async def list_rules() -> list[DuplicateRuleOut]:
    """The tenant's rules, seeded (all enabled) on first use."""
    settings = await _rule_rows()
    if set(settings) != set(RULES):
        await _seed()
        settings = await _rule_rows()
    return [DuplicateRuleOut(rule=rule, enabled=settings[rule], label_vi=vi, label_en=en)  # type: ignore[arg-type]
            for rule, (vi, en) in RULES.items()]


async def enabled_rules() -> list[str]:
    return [rule.rule for rule in await list_rules() if rule.enabled]


async def update_rules(data: DuplicateRulesUpdate) -> list[DuplicateRuleOut]:
    before = await list_rules()
    changes = {setting.rule: setting.enabled for setting in data.rules}
    if changes:
        await DuplicateRule.raw(
            "UPDATE duplicate_rule d SET enabled = u.enabled, updated_at = now() "
            "FROM unnest({}::text[], {}::bool[]) AS u(rule, enabled) WHERE d.tenant_id = {} AND d.rule = u.rule",
            list(changes), list(changes.values()), current_tenant_id())
    after = await list_rules()
    if after != before:
        await audit.record("duplicate_rules.update", "duplicate_rule",
                           before={rule.rule: rule.enabled for rule in before},
                           after={rule.rule: rule.enabled for rule in after})
    return after


# Matching ------------------------------------------------------------------------------------------------

_MATCH = """
SELECT c.id, c.code, c.name, array_agg(DISTINCT k.rule ORDER BY k.rule) AS rules
FROM customer_key k JOIN customer c ON c.tenant_id = k.tenant_id AND c.id = k.customer_id
WHERE k.tenant_id = {} AND (k.rule, k.value) IN (SELECT * FROM unnest({}::text[], {}::text[]))
  AND k.rule = ANY({}::text[]) AND k.customer_id <> ALL({}::uuid[])
GROUP BY c.id, c.code, c.name ORDER BY c.code LIMIT {}
"""


async def find_matches(access: Access | None, keys: Collection[Key], *, exclude: Sequence[uuid.UUID] = (),
                       rules: Sequence[str] | None = None) -> list[DuplicateMatch]:
    """The tenant's customers sharing one of `keys` under the enabled rules (or `rules`), but `exclude`."""
    rules = await enabled_rules() if rules is None else rules
    keys = [key for key in keys if key[0] in rules]
    if not keys:
        return []
    rows = await Customer.raw(_MATCH, current_tenant_id(), [rule for rule, _ in keys], [value for _, value in keys],
                              list(rules), list(exclude), MAX_MATCHES)
    seen = await _visible({row["id"] for row in rows}, access)
    return [DuplicateMatch(id=row["id"], code=row["code"], name=row["name"] if row["id"] in seen else None,
                           rules=list(row["rules"])) for row in rows]


async def _visible(ids: Collection[uuid.UUID], access: Access | None) -> set[uuid.UUID]:
    if access is None or not ids:
        return set(ids)
    rows = await Customer.select(Customer.id).where(
        Customer.tenant_id == current_tenant_id(), Customer.id.is_in(list(ids)), *visible_to(access, Customer))
    return {row["id"] for row in rows}


def duplicate_problem(matches: Sequence[DuplicateMatch]) -> ProblemError:
    return ProblemError(
        409, "duplicate",
        f"Khách hàng này có thể trùng với {len(matches)} khách hàng đã có. Gửi `confirm_duplicate: true` để vẫn lưu, "
        "hoặc gộp hai khách hàng.",
        f"This customer may duplicate {len(matches)} existing customer(s). Send `confirm_duplicate: true` to save "
        "anyway, or merge them.",
        extensions={"matches": msgspec.to_builtins(list(matches))})


async def refuse_duplicates(access: Access | None, keys: Collection[Key], *, exclude: Sequence[uuid.UUID] = (),
                            confirmed: bool = False) -> None:
    """409 `duplicate` listing the matches, unless the caller confirmed or there are none."""
    if confirmed or not keys:
        return
    if matches := await find_matches(access, keys, exclude=exclude):
        raise duplicate_problem(matches)


async def customers_by_value(rule: str, values: Sequence[str]) -> dict[str, list[uuid.UUID]]:
    """The customers holding each of `values` under `rule` (tax_code, phone, email...): the import's match."""
    if not values:
        return {}
    keys = [value.lower() for value in values] if rule == "email" else list(values)
    # A join on the keys, not `= ANY(array)`: under the generic plan a long import ends up with, `= ANY` became a
    # filter over a scan of the tenant's keys; the join stays an index lookup per value.
    rows = await Customer.raw(
        "SELECT DISTINCT k.value, ck.customer_id FROM unnest({}::text[], {}::text[]) AS k(value, key) "
        "JOIN customer_key ck ON ck.tenant_id = {} AND ck.rule = {} AND ck.value = k.key ORDER BY ck.customer_id",
        list(values), keys, current_tenant_id(), rule)
    found: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        ids = found.setdefault(row["value"], [])
        if row["customer_id"] not in ids:
            ids.append(row["customer_id"])
    return found


# Nightly scan --------------------------------------------------------------------------------------------

_SCAN = """
WITH shared AS (
    SELECT rule, value, array_agg(customer_id ORDER BY customer_id) AS ids FROM (
        SELECT DISTINCT rule, value, customer_id FROM customer_key WHERE tenant_id = {} AND rule = ANY({}::text[])
    ) k GROUP BY rule, value HAVING count(*) BETWEEN 2 AND {}
), found AS (
    SELECT a AS customer_a, b AS customer_b, array_agg(DISTINCT s.rule ORDER BY s.rule) AS rules
    FROM shared s, unnest(s.ids) a, unnest(s.ids) b WHERE a < b GROUP BY a, b
), kept AS (
    INSERT INTO duplicate_pair (tenant_id, customer_a, customer_b, rules, status, scanned_at)
    SELECT {}, customer_a, customer_b, rules, 'open', now() FROM found
    ON CONFLICT (tenant_id, customer_a, customer_b)
    DO UPDATE SET rules = EXCLUDED.rules, scanned_at = EXCLUDED.scanned_at, updated_at = now()
    RETURNING id
), gone AS (
    DELETE FROM duplicate_pair p WHERE p.tenant_id = {} AND p.status = 'open'
      AND NOT EXISTS (SELECT 1 FROM found f WHERE f.customer_a = p.customer_a AND f.customer_b = p.customer_b)
)
SELECT count(*) AS pairs FROM kept
"""


async def scan() -> int:
    """Store the tenant's likely duplicate pairs (dismissed ones stay dismissed; open ones that no longer match
    go); returns how many pairs match now. One statement: a self-join of `customer_key` on its index."""
    tenant_id = current_tenant_id()
    rows = await DuplicatePair.raw(_SCAN, tenant_id, await enabled_rules(), SCAN_MAX_GROUP, tenant_id, tenant_id)
    return int(rows[0]["pairs"])


_PAIR_SELECT = """
SELECT p.id, p.rules, p.status, p.scanned_at,
       a.id AS a_id, a.code AS a_code, a.name AS a_name, b.id AS b_id, b.code AS b_code, b.name AS b_name
FROM duplicate_pair p
JOIN customer a ON a.tenant_id = p.tenant_id AND a.id = p.customer_a
JOIN customer b ON b.tenant_id = p.tenant_id AND b.id = p.customer_b
WHERE p.tenant_id = {} """
_PAIRS = _PAIR_SELECT + "AND p.status = {} AND p.id > {}::uuid ORDER BY p.id LIMIT {}"
_PAIRS_SEEN = _PAIR_SELECT + ("AND p.status = {} AND p.id > {}::uuid "
                              "AND p.customer_a = ANY({}::uuid[]) AND p.customer_b = ANY({}::uuid[]) "
                              "ORDER BY p.id LIMIT {}")
_PAIR_ONE = _PAIR_SELECT + "AND p.id = {}"


def _pair_out(row: dict[str, Any]) -> DuplicatePairOut:
    rules = list(row["rules"])
    return DuplicatePairOut(
        id=row["id"], rules=rules, status=row["status"], scanned_at=row["scanned_at"],
        customer_a=DuplicateMatch(id=row["a_id"], code=row["a_code"], name=row["a_name"], rules=rules),
        customer_b=DuplicateMatch(id=row["b_id"], code=row["b_code"], name=row["b_name"], rules=rules))


async def list_pairs(access: Access, status: str, limit: int, cursor: str | None) -> Page[DuplicatePairOut]:
    """Pairs of customers the caller both sees, keyset by pair id."""
    tenant_id = current_tenant_id()
    after = decode_cursor(cursor) or uuid.UUID(int=0)
    visibility = visible_to(access, Customer)
    if visibility:  # narrowed: only pairs whose two customers the caller sees
        seen = [row["id"] for row in await Customer.select(Customer.id).where(
            Customer.tenant_id == tenant_id, Customer.id.is_in(
                await _pair_customer_ids(status)), *visibility)]
        rows = await DuplicatePair.raw(_PAIRS_SEEN, tenant_id, status, after, seen, seen, limit + 1)
    else:
        rows = await DuplicatePair.raw(_PAIRS, tenant_id, status, after, limit + 1)
    items = [_pair_out(row) for row in rows]
    return page_of(items, limit, items[limit - 1].id if len(items) > limit else None)


async def _pair_customer_ids(status: str) -> list[uuid.UUID]:
    rows = await DuplicatePair.raw(
        "SELECT customer_a AS id FROM duplicate_pair WHERE tenant_id = {} AND status = {} "
        "UNION SELECT customer_b FROM duplicate_pair WHERE tenant_id = {} AND status = {}",
        current_tenant_id(), status, current_tenant_id(), status)
    return [row["id"] for row in rows] or [uuid.UUID(int=0)]


async def dismiss_pair(access: Access, pair_id: uuid.UUID) -> DuplicatePairOut:
    """Mark a pair as not duplicates: the nightly scan keeps it dismissed."""
    row = await DuplicatePair.select(DuplicatePair.customer_a, DuplicatePair.customer_b).where(
        (DuplicatePair.tenant_id == current_tenant_id()) & (DuplicatePair.id == pair_id)).first()
    if row is None or len(await _visible([row["customer_a"], row["customer_b"]], access)) < 2:
        raise PAIR_NOT_FOUND
    await DuplicatePair.update({DuplicatePair.status: "dismissed", DuplicatePair.dismissed_by: access.user_id,
                                DuplicatePair.updated_at: datetime.datetime.now(datetime.UTC)}).where(
        (DuplicatePair.tenant_id == current_tenant_id()) & (DuplicatePair.id == pair_id))
    await audit.record("duplicate_pair.dismiss", "duplicate_pair", pair_id)
    return _pair_out((await DuplicatePair.raw(_PAIR_ONE, current_tenant_id(), pair_id))[0])
