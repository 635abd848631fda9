"""Contacts' HTTP handlers, one module per area."""

from services.contacts.controllers.classification import (
    CustomerClassificationController,
    GroupController,
    RelationshipStatusController,
    SourceController,
    TagController,
)
from services.contacts.controllers.customers import CustomerController

ROUTE_HANDLERS = [CustomerController, CustomerClassificationController, GroupController, SourceController,
                  RelationshipStatusController, TagController]
