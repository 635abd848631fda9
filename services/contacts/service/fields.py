"""Rules for the fields a customer (and a contact person) carries: tax code, phones and emails with one
primary each, addresses with a GSO province code, custom attribute values checked against the tenant's
definitions, and the lifecycle history. Plain functions over tables; no HTTP objects.
"""

from __future__ import annotations

import datetime
import math
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import msgspec
from piccolo.columns.combination import WhereRaw
from piccolo.custom_types import Combinable

from infra.problems import invalid
from infra.vn import PROVINCES, normalise_tax_code
from services.contacts.schemas import Address, AttributeOption, EmailEntry, PhoneEntry
from services.contacts.tables import AttributeDefinition, LifecycleChange
from tenants.audit import current_actor
from tenants.context import current_tenant_id

_VN_PHONE = re.compile(r"^\+84(3|5|7|8|9|2\d)\d{7,8}$")
CUSTOMER_ENTITY = "customer"
# The entities that carry custom attributes, and the table whose `attributes` JSONB column holds their values.
ENTITY_TABLES: dict[str, str] = {"customer": "customer", "partner": "partner"}
MAX_TEXT_VALUE = 2000
ATTRIBUTE_FILTER_PREFIX = "attr."


def normalise_phone(raw: str, field: str = "phone") -> str:
    """'0912 345 678' and '+84 912.345.678' both become '+84912345678'; anything else is refused."""
    digits = re.sub(r"[ .()-]", "", raw)
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84"):
        digits = "+" + digits
    if not _VN_PHONE.match(digits):
        raise invalid([(field, "invalid_phone", "Số điện thoại Việt Nam không hợp lệ",
                        "Not a valid Vietnamese phone number")])
    return digits


def check_tax_code(raw: str) -> str:
    code = normalise_tax_code(raw)
    if code is None:
        raise invalid([("tax_code", "invalid_tax_code",
                        "Mã số thuế gồm 10 chữ số (hoặc 10-3 cho chi nhánh) với chữ số kiểm tra đúng",
                        "A tax code is 10 digits (or 10-3 for a branch) with a valid check digit")])
    return code


Entry = TypeVar("Entry", PhoneEntry, EmailEntry, Address)


def with_one_primary(entries: Sequence[Entry], field: str) -> list[Entry]:
    """Entries with exactly one primary (the first one when none is marked); two marked is refused."""
    marked = [index for index, entry in enumerate(entries) if entry.primary]
    if len(marked) > 1:
        raise invalid([(f"{field}[{marked[1]}].primary", "two_primaries",
                        "Chỉ được đánh dấu một mục là chính", "Only one entry can be the primary one")])
    result = list(entries)
    if result and not marked:
        result[0] = msgspec.structs.replace(result[0], primary=True)
    return result


def primary_value(entries: Sequence[PhoneEntry | EmailEntry]) -> str | None:
    return next((entry.value for entry in entries if entry.primary), None)


def phones_of(entries: Sequence[PhoneEntry], field: str = "phones") -> list[PhoneEntry]:
    normalised = [msgspec.structs.replace(entry, value=normalise_phone(entry.value, f"{field}[{index}].value"))
                  for index, entry in enumerate(entries)]
    return with_one_primary(normalised, field)


def emails_of(entries: Sequence[EmailEntry], field: str = "emails") -> list[EmailEntry]:
    return with_one_primary([msgspec.structs.replace(entry, value=entry.value.lower()) for entry in entries], field)


def addresses_of(addresses: Sequence[Address]) -> list[Address]:
    unknown = [(f"addresses[{index}].province_code", "unknown_province",
                f"Không có tỉnh/thành phố mã {address.province_code}",
                f"No province has the code {address.province_code}")
               for index, address in enumerate(addresses) if address.province_code not in PROVINCES]
    if unknown:
        raise invalid(unknown)
    return with_one_primary(addresses, "addresses")


Made = TypeVar("Made", PhoneEntry, EmailEntry)


def replace_primary(entries: Sequence[Made], value: str | None, make: Callable[[str], Made]) -> list[Made]:
    """`entries` with the primary one's value changed to `value` (or removed when None: the next one becomes
    primary), as setting the single `phone` or `email` of a customer does."""
    others: list[Made] = [entry for entry in entries if not entry.primary]
    if value is None:
        if others:
            others[0] = msgspec.structs.replace(others[0], primary=True)
        return others
    current = next((entry for entry in entries if entry.primary), None)
    others.insert(0, msgspec.structs.replace(current, value=value) if current else make(value))
    return others


# Custom attributes ---------------------------------------------------------------------------------------

class AttributeRule(msgspec.Struct, frozen=True):
    key: str
    type: str
    required: bool
    options: frozenset[str]


async def attribute_rules(entity: str = CUSTOMER_ENTITY, *, lock: bool = False) -> dict[str, AttributeRule]:
    """The tenant's attribute definitions of `entity` by key. `lock` holds them (FOR SHARE) until the transaction
    ends, so a definition cannot be deleted, and its values stripped, while values are being written for it."""
    query = AttributeDefinition.select(AttributeDefinition.key, AttributeDefinition.type,
                                       AttributeDefinition.required, AttributeDefinition.options).where(
        (AttributeDefinition.tenant_id == current_tenant_id()) & (AttributeDefinition.entity == entity))
    if lock:
        query = query.lock_rows("SHARE")
    rows = await query.output(load_json=True)
    return {row["key"]: AttributeRule(key=row["key"], type=row["type"], required=row["required"],
                                      options=frozenset(option["value"] for option in row["options"]))
            for row in rows}


class BadValue(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _coerce(rule: AttributeRule, value: Any) -> Any:
    """`value` as stored for an attribute of `rule.type`, or BadValue saying what was expected."""
    if rule.type == "text" and isinstance(value, str):
        if len(value) > MAX_TEXT_VALUE:
            raise BadValue(f"Tối đa {MAX_TEXT_VALUE} ký tự", f"At most {MAX_TEXT_VALUE} characters")
        return value
    if rule.type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise BadValue("Cần một số hữu hạn", "Expected a finite number")
        return value
    if rule.type == "boolean" and isinstance(value, bool):
        return value
    if rule.type == "date" and isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise BadValue("Cần ngày dạng YYYY-MM-DD", "Expected a date as YYYY-MM-DD") from None
    if rule.type == "select" and isinstance(value, str):
        if value not in rule.options:
            raise BadValue(f"'{value}' không thuộc các lựa chọn", f"'{value}' is not one of the options")
        return value
    if rule.type == "multiselect" and isinstance(value, list):
        if unknown := [item for item in value if item not in rule.options]:
            raise BadValue(f"{unknown} không thuộc các lựa chọn", f"{unknown} are not among the options")
        if len(set(value)) != len(value):
            raise BadValue("Có lựa chọn bị lặp", "An option is repeated")
        return value
    expected = {"text": "text", "number": "number", "boolean": "true/false", "date": "YYYY-MM-DD",
                "select": "one option", "multiselect": "a list of options"}[rule.type]
    raise BadValue(f"Giá trị không đúng kiểu ({rule.type})", f"Expected {expected}")


def attribute_values(rules: Mapping[str, AttributeRule], changes: Mapping[str, Any],
                     current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The attribute values after applying `changes` (a key set to None is removed) to `current`, each
    checked against its definition; every required attribute must end up with a value."""
    errors: list[tuple[str, str, str, str]] = []
    values = {key: value for key, value in (current or {}).items() if key in rules}
    for key, value in changes.items():
        rule = rules.get(key)
        if rule is None:
            errors.append((f"attributes.{key}", "unknown_attribute", "Không có thuộc tính này",
                           "No such attribute"))
        elif value is None:
            values.pop(key, None)
        else:
            try:
                values[key] = _coerce(rule, value)
            except BadValue as bad:
                errors.append((f"attributes.{key}", "invalid_value", bad.vi, bad.en))
    failed = {error[0] for error in errors}
    errors += [(f"attributes.{rule.key}", "required", "Thuộc tính bắt buộc", "This attribute is required")
               for rule in rules.values()
               if rule.required and values.get(rule.key) in (None, "", []) and f"attributes.{rule.key}" not in failed]
    if errors:
        raise invalid(errors)
    return values


def _filter_value(rule: AttributeRule, raw: str) -> Any:
    if rule.type == "number":
        try:
            number = float(raw)
        except ValueError:
            raise BadValue("Cần một số", "Expected a number") from None
        return int(number) if number.is_integer() else number
    if rule.type == "boolean":
        if raw not in ("true", "false"):
            raise BadValue("Cần true hoặc false", "Expected true or false")
        return raw == "true"
    if rule.type == "multiselect":  # "has this option"
        return [_coerce(msgspec.structs.replace(rule, type="select"), raw)]
    return _coerce(rule, raw)


def attribute_filters(rules: Mapping[str, AttributeRule], params: Sequence[tuple[str, str]]) -> list[Combinable]:
    """`attr.<key>=value` query parameters as JSONB containment conditions (`attributes @> {...}`, which the
    GIN index `customer_attributes` serves); several are all required to hold."""
    conditions: list[Combinable] = []
    errors: list[tuple[str, str, str, str]] = []
    for name, raw in params:
        if not name.startswith(ATTRIBUTE_FILTER_PREFIX):
            continue
        key = name.removeprefix(ATTRIBUTE_FILTER_PREFIX)
        rule = rules.get(key)
        if rule is None:
            errors.append((f"query.{name}", "unknown_attribute", "Không có thuộc tính này", "No such attribute"))
            continue
        try:
            document = {key: _filter_value(rule, raw)}
        except BadValue as bad:
            errors.append((f"query.{name}", "invalid_value", bad.vi, bad.en))
            continue
        conditions.append(WhereRaw("attributes @> {}::jsonb", msgspec.json.encode(document).decode()))
    if errors:
        raise invalid(errors)
    return conditions


def check_options(attribute_type: str, options: Sequence[AttributeOption]) -> None:
    """Select types need options with distinct values; other types take none."""
    choice = attribute_type in ("select", "multiselect")
    values = [option.value for option in options]
    if choice and not options:
        raise invalid([("options", "required", "Kiểu lựa chọn cần ít nhất một lựa chọn",
                        "A select type needs at least one option")])
    if not choice and options:
        raise invalid([("options", "not_allowed", "Chỉ kiểu lựa chọn mới có lựa chọn",
                        "Only select types have options")])
    if len(set(values)) != len(values):
        raise invalid([("options", "duplicate", "Giá trị lựa chọn bị trùng", "Option values must be distinct")])


# Lifecycle history ---------------------------------------------------------------------------------------

async def record_lifecycle_change(customer_id: uuid.UUID, from_stage: str | None, to_stage: str) -> None:
    """Keep one step of the customer's lifecycle, with who made it (the request's actor) and when."""
    actor = current_actor()
    await LifecycleChange.insert(LifecycleChange(
        tenant_id=current_tenant_id(), customer=customer_id, from_stage=from_stage, to_stage=to_stage,
        actor_kind=actor.kind, actor_id=actor.id))
