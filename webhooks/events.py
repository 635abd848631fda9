"""The event catalogue: every event type declared once, by the service that emits it, with its msgspec payload
Struct and a description in Vietnamese and English. `GET /api/webhooks/v1/event-types` publishes it with the
JSON Schema of each payload, so the ERP can code against it.

A service declares its events in its own `events.py` and lists that module in `EMITTING_MODULES`:

    CUSTOMER_CREATED = declare("customer.created", CustomerData, "Khách hàng mới được tạo", "A customer was created")
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import msgspec

P = TypeVar("P", bound=msgspec.Struct)

# Importing these modules declares every event type of the product.
EMITTING_MODULES = ("services.contacts.events", "services.partners.events", "services.identity.events",
                    "services.pipeline.events")
EVENT_NAME = r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$"  # dot-separated: `customer.created`, `quotation.accepted`


@dataclass(frozen=True)
class EventType(Generic[P]):
    name: str
    payload: type[P]
    description_vi: str
    description_en: str


_declared: dict[str, EventType[Any]] = {}


def declare(name: str, payload: type[P], description_vi: str, description_en: str) -> EventType[P]:
    if not re.match(EVENT_NAME, name):
        raise ValueError(f"event type {name!r} is not dot-separated lower case")
    if name in _declared:
        raise ValueError(f"event type {name!r} is declared twice")
    event = EventType(name, payload, description_vi, description_en)
    _declared[name] = event
    return event


def catalogue() -> dict[str, EventType[Any]]:
    """Every declared event type, by name."""
    for module in EMITTING_MODULES:
        importlib.import_module(module)
    return _declared
