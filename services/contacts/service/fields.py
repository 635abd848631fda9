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

from infra import vn
from infra.problems import invalid
from infra.vn import PROVINCES, normalise_tax_code
from services.contacts.schemas import (
    Address,
    AttributeOption,
    AttributeValidation,
    EmailEntry,
    Money,
    PhoneEntry,
)
from services.contacts.tables import AttributeDefinition, LifecycleChange
from tenants.audit import current_actor
from tenants.context import current_tenant_id

CUSTOMER_ENTITY = "customer"
# The entities that carry custom attributes, and the table whose `attributes` JSONB column holds their values.
ENTITY_TABLES: dict[str, str] = {"customer": "customer", "partner": "partner"}
MAX_TEXT_VALUE = 2000
ATTRIBUTE_FILTER_PREFIX = "attr."


def normalise_phone(raw: str, field: str = "phone") -> str:
    """'0912 345 678' and '+84 912.345.678' both become '+84912345678'; anything else is refused."""
    phone = vn.normalise_phone(raw)
    if phone is None:
        raise invalid([(field, "invalid_phone", "Số điện thoại Việt Nam không hợp lệ",
                        "Not a valid Vietnamese phone number")])
    return phone


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

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LONG_TEXT_VALUE = 20000
CHOICE_TYPES = ("select", "multiselect")
RANGE_TYPES = ("number", "money", "date")  # filtered by `.min`/`.max`, sorted by value
_SORT_CASTS = {"number": "numeric", "money": "numeric", "date": "date", "boolean": "boolean"}


class AttributeRule(msgspec.Struct, frozen=True):
    key: str
    type: str
    required: bool
    options: frozenset[str]
    default: Any = None
    validation: AttributeValidation = AttributeValidation()
    members: frozenset[str] = frozenset()  # type user: the tenant's active members


async def _member_ids() -> frozenset[str]:
    rows = await AttributeDefinition.raw(
        "SELECT user_id FROM membership WHERE tenant_id = {} AND is_active", current_tenant_id())
    return frozenset(str(row["user_id"]) for row in rows)


async def attribute_rules(entity: str = CUSTOMER_ENTITY, *, lock: bool = False) -> dict[str, AttributeRule]:
    """The tenant's attribute definitions of `entity` by key. `lock` holds them (FOR SHARE) until the transaction
    ends, so a definition cannot be deleted, and its values stripped, while values are being written for it."""
    query = AttributeDefinition.select(
        AttributeDefinition.key, AttributeDefinition.type, AttributeDefinition.required,
        AttributeDefinition.options, AttributeDefinition.default_value, AttributeDefinition.validation).where(
        (AttributeDefinition.tenant_id == current_tenant_id()) & (AttributeDefinition.entity == entity))
    if lock:
        query = query.lock_rows("SHARE")
    rows = await query.output(load_json=True)
    members = await _member_ids() if any(row["type"] == "user" for row in rows) else frozenset()
    return {row["key"]: AttributeRule(
        key=row["key"], type=row["type"], required=row["required"],
        options=frozenset(option["value"] for option in row["options"]), default=row["default_value"],
        validation=msgspec.convert(row["validation"], AttributeValidation),
        members=members if row["type"] == "user" else frozenset()) for row in rows}


class BadValue(Exception):
    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _within(rule: AttributeRule, number: int | float) -> None:
    low, high = rule.validation.min, rule.validation.max
    if low is not None and number < low:
        raise BadValue(f"Tối thiểu {low:g}", f"At least {low:g}")
    if high is not None and number > high:
        raise BadValue(f"Tối đa {high:g}", f"At most {high:g}")


def _text(value: str, limit: int) -> str:
    if len(value) > limit:
        raise BadValue(f"Tối đa {limit} ký tự", f"At most {limit} characters")
    return value


def _coerce(rule: AttributeRule, value: Any) -> Any:
    """`value` as stored for an attribute of `rule.type`, or BadValue saying what was expected."""
    kind = rule.type
    if kind in ("text", "long_text") and isinstance(value, str):
        limit = MAX_TEXT_VALUE if kind == "text" else MAX_LONG_TEXT_VALUE
        return _text(value, min(limit, rule.validation.max_length or limit))
    if kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise BadValue("Cần một số hữu hạn", "Expected a finite number")
        _within(rule, value)
        return value
    if kind == "money" and (isinstance(value, Money) or (isinstance(value, int) and not isinstance(value, bool))):
        money = value if isinstance(value, Money) else Money(amount=value)
        _within(rule, money.amount)
        return {"amount": money.amount, "currency": money.currency}
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind == "date" and isinstance(value, str):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise BadValue("Cần ngày dạng YYYY-MM-DD", "Expected a date as YYYY-MM-DD") from None
        if (first := rule.validation.min_date) and day < first:
            raise BadValue(f"Không trước ngày {first.isoformat()}", f"Not before {first.isoformat()}")
        if (last := rule.validation.max_date) and day > last:
            raise BadValue(f"Không sau ngày {last.isoformat()}", f"Not after {last.isoformat()}")
        return day.isoformat()
    if kind == "select" and isinstance(value, str):
        if value not in rule.options:
            raise BadValue(f"'{value}' không thuộc các lựa chọn", f"'{value}' is not one of the options")
        return value
    if kind == "multiselect" and isinstance(value, list):
        if unknown := [item for item in value if item not in rule.options]:
            raise BadValue(f"{unknown} không thuộc các lựa chọn", f"{unknown} are not among the options")
        if len(set(value)) != len(value):
            raise BadValue("Có lựa chọn bị lặp", "An option is repeated")
        return value
    if kind == "user" and isinstance(value, str):
        try:
            member = str(uuid.UUID(value))
        except ValueError:
            raise BadValue("Cần mã thành viên (UUID)", "Expected a member id (UUID)") from None
        if member not in rule.members:
            raise BadValue("Không có thành viên này trong công ty", "No such member in this company")
        return member
    if kind == "url" and isinstance(value, str):
        if not _URL.match(value) or len(value) > MAX_TEXT_VALUE:
            raise BadValue("Cần địa chỉ web bắt đầu bằng http:// hoặc https://",
                           "Expected a web address starting with http:// or https://")
        return value
    if kind == "email" and isinstance(value, str):
        if not _EMAIL.match(value) or len(value) > 254:
            raise BadValue("Địa chỉ email không hợp lệ", "Not a valid email address")
        return value.lower()
    if kind == "phone" and isinstance(value, str):
        if (phone := vn.normalise_phone(value)) is None:
            raise BadValue("Số điện thoại Việt Nam không hợp lệ", "Not a valid Vietnamese phone number")
        return phone
    expected = {"text": "text", "long_text": "text", "number": "number",
                "money": "an amount in minor units, or {amount, currency}", "boolean": "true/false",
                "date": "YYYY-MM-DD", "select": "one option", "multiselect": "a list of options",
                "user": "a member id", "url": "a web address", "email": "an email address",
                "phone": "a phone number"}[kind]
    raise BadValue(f"Giá trị không đúng kiểu ({kind})", f"Expected {expected}")


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def attribute_values(rules: Mapping[str, AttributeRule], changes: Mapping[str, Any],
                     current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The attribute values after applying `changes` (a key set to None is removed) to `current`, each
    checked against its definition; every required attribute must end up with a value. A new record
    (`current` None) gets the defaults of the attributes it was not given."""
    errors: list[tuple[str, str, str, str]] = []
    values = {key: value for key, value in (current or {}).items() if key in rules}
    if current is None:
        values |= {rule.key: rule.default for rule in rules.values()
                   if not _empty(rule.default) and rule.key not in changes}
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
               if rule.required and _empty(values.get(rule.key)) and f"attributes.{rule.key}" not in failed]
    if errors:
        raise invalid(errors)
    return values


def _filter_value(rule: AttributeRule, raw: str) -> Any:
    """A query parameter's text as the stored value it asks for."""
    if rule.type in ("number", "money"):
        try:
            number = float(raw)
        except ValueError:
            raise BadValue("Cần một số", "Expected a number") from None
        if not math.isfinite(number):
            raise BadValue("Cần một số hữu hạn", "Expected a finite number")
        value = int(number) if number.is_integer() else number
        return {"amount": value} if rule.type == "money" else value
    if rule.type == "boolean":
        if raw not in ("true", "false"):
            raise BadValue("Cần true hoặc false", "Expected true or false")
        return raw == "true"
    if rule.type == "multiselect":  # "has this option"
        return [_coerce(msgspec.structs.replace(rule, type="select"), raw)]
    unlimited = msgspec.structs.replace(rule, validation=AttributeValidation())
    return _coerce(unlimited, raw)


def _value_expression(rule: AttributeRule, table: str) -> str:
    """The SQL of a record's value for `rule`, typed: numbers and money amounts as numeric, dates as dates.
    The key is safe to inline: definitions only take keys matching `^[a-z][a-z0-9_]*$`."""
    path = f"\"{table}\".\"attributes\" -> '{rule.key}' ->> 'amount'" if rule.type == "money" \
        else f"\"{table}\".\"attributes\" ->> '{rule.key}'"
    cast = _SORT_CASTS.get(rule.type)
    return f"(({path})::{cast})" if cast else f"({path})"


def _split_filter(name: str) -> tuple[str, str | None]:
    """`attr.size` -> ("size", None); `attr.staff.min` -> ("staff", "min")."""
    key = name.removeprefix(ATTRIBUTE_FILTER_PREFIX)
    base, _, bound = key.rpartition(".")
    return (base, bound) if base and bound in ("min", "max") else (key, None)


def attribute_filters(rules: Mapping[str, AttributeRule], params: Sequence[tuple[str, str]],
                      table: str = "customer") -> list[Combinable]:
    """`attr.<key>=value` query parameters as JSONB containment conditions (`attributes @> {...}`), and
    `attr.<key>.min=`/`.max=` (inclusive) as typed comparisons for numbers, money amounts (minor units, any
    currency) and dates; all given must hold."""
    conditions: list[Combinable] = []
    errors: list[tuple[str, str, str, str]] = []
    for name, raw in params:
        if not name.startswith(ATTRIBUTE_FILTER_PREFIX):
            continue
        key, bound = _split_filter(name)
        rule = rules.get(key)
        if rule is None:
            errors.append((f"query.{name}", "unknown_attribute", "Không có thuộc tính này", "No such attribute"))
            continue
        if bound is not None and rule.type not in RANGE_TYPES:
            errors.append((f"query.{name}", "not_a_range", "Chỉ số, tiền và ngày mới lọc theo khoảng",
                           "Only numbers, money and dates filter by a range"))
            continue
        try:
            value = _filter_value(rule, raw)
        except BadValue as bad:
            errors.append((f"query.{name}", "invalid_value", bad.vi, bad.en))
            continue
        if bound is None:
            conditions.append(WhereRaw(f'"{table}"."attributes" @> {{}}::jsonb',
                                       msgspec.json.encode({key: value}).decode()))
        else:
            number = value["amount"] if isinstance(value, dict) else value
            cast = _SORT_CASTS[rule.type]
            operator = ">=" if bound == "min" else "<="
            conditions.append(WhereRaw(f"{_value_expression(rule, table)} {operator} {{}}::text::{cast}", str(number)))
    if errors:
        raise invalid(errors)
    return conditions


class AttributeSort(msgspec.Struct, frozen=True):
    """A list sorted by a custom attribute: the typed value expression, the direction, and the SQL type a
    cursor's value is cast back to."""

    key: str
    expression: str
    descending: bool
    cast: str


def attribute_sort(rules: Mapping[str, AttributeRule], sort: str, table: str = "customer") -> AttributeSort:
    """`attr.<key>` (ascending) or `-attr.<key>` (descending) as a sort; multiselect values do not sort."""
    descending = sort.startswith("-")
    name = sort.removeprefix("-")
    key = name.removeprefix(ATTRIBUTE_FILTER_PREFIX)
    rule = rules.get(key) if name.startswith(ATTRIBUTE_FILTER_PREFIX) else None
    if rule is None:
        raise invalid([("query.sort", "unknown_attribute", "Chỉ sắp xếp được theo thuộc tính: attr.<mã>",
                        "Sort by an attribute: attr.<key> or -attr.<key>")])
    if rule.type == "multiselect":
        raise invalid([("query.sort", "not_sortable", "Không sắp xếp theo thuộc tính nhiều lựa chọn",
                        "A multiselect attribute does not sort")])
    return AttributeSort(key=key, expression=_value_expression(rule, table), descending=descending,
                         cast=_SORT_CASTS.get(rule.type, "text"))


def sort_value(rule_sort: AttributeSort, attributes: Mapping[str, Any]) -> str | None:
    """A record's value for the sort, as text for its cursor (cast back by `rule_sort.cast`)."""
    value = attributes.get(rule_sort.key)
    if isinstance(value, dict):
        value = value.get("amount")
    if value is None:
        return None
    return msgspec.json.encode(value).decode() if isinstance(value, bool | int | float) else str(value)


def check_definition(attribute_type: str, options: Sequence[AttributeOption], validation: AttributeValidation,
                     default: Any) -> Any:
    """Select types need options with distinct values, other types take none; limits must suit the type;
    the default must be a valid value. Returns the default as stored."""
    choice = attribute_type in CHOICE_TYPES
    values = [option.value for option in options]
    errors: list[tuple[str, str, str, str]] = []
    if choice and not options:
        errors.append(("options", "required", "Kiểu lựa chọn cần ít nhất một lựa chọn",
                       "A select type needs at least one option"))
    if not choice and options:
        errors.append(("options", "not_allowed", "Chỉ kiểu lựa chọn mới có lựa chọn", "Only select types have options"))
    if len(set(values)) != len(values):
        errors.append(("options", "duplicate", "Giá trị lựa chọn bị trùng", "Option values must be distinct"))
    allowed = {"min": ("number", "money"), "max": ("number", "money"), "min_date": ("date",),
               "max_date": ("date",), "max_length": ("text", "long_text")}
    for name in msgspec.structs.asdict(validation):
        if getattr(validation, name) is not None and attribute_type not in allowed[name]:
            errors.append((f"validation.{name}", "not_allowed", f"Kiểu {attribute_type} không có giới hạn này",
                           f"The type {attribute_type} has no such limit"))
    for low, high in (("min", "max"), ("min_date", "max_date")):
        first, last = getattr(validation, low), getattr(validation, high)
        if first is not None and last is not None and first > last:
            errors.append((f"validation.{high}", "below_min", "Giới hạn trên nhỏ hơn giới hạn dưới",
                           "The upper limit is below the lower one"))
    if errors:
        raise invalid(errors)
    if _empty(default):
        return None
    if attribute_type == "user":
        raise invalid([("default", "not_allowed", "Thuộc tính thành viên không có giá trị mặc định",
                        "A user attribute has no default")])
    rule = AttributeRule(key="default", type=attribute_type, required=False, options=frozenset(values),
                         validation=validation)
    try:
        return _coerce(rule, default)
    except BadValue as bad:
        raise invalid([("default", "invalid_value", bad.vi, bad.en)]) from None


# Lifecycle history ---------------------------------------------------------------------------------------

async def record_lifecycle_change(customer_id: uuid.UUID, from_stage: str | None, to_stage: str) -> None:
    """Keep one step of the customer's lifecycle, with who made it (the request's actor) and when."""
    actor = current_actor()
    await LifecycleChange.insert(LifecycleChange(
        tenant_id=current_tenant_id(), customer=customer_id, from_stage=from_stage, to_stage=to_stage,
        actor_kind=actor.kind, actor_id=actor.id))
