"""Contacts' HTTP handlers, one module per area."""

from litestar.types import ControllerRouterHandler

from services.contacts.controllers.attributes import AttributeController, PersonController, lifecycle_history
from services.contacts.controllers.classification import (
    CustomerClassificationController,
    GroupController,
    RelationshipStatusController,
    SourceController,
    TagController,
)
from services.contacts.controllers.customers import CustomerController
from services.contacts.controllers.documents import CustomerDocumentController, DocumentController
from services.contacts.controllers.duplicates import DuplicateController, DuplicateRuleController, MergeController
from services.contacts.controllers.interactions import InteractionController
from services.contacts.controllers.settings import ContactsSettingsController
from services.contacts.controllers.transfers import ExportController, ImportController

ROUTE_HANDLERS: list[ControllerRouterHandler] = [
    CustomerController, CustomerClassificationController, GroupController, SourceController,
    RelationshipStatusController, TagController, AttributeController, PersonController, lifecycle_history,
    ContactsSettingsController, InteractionController, CustomerDocumentController, DocumentController,
    ImportController, ExportController, DuplicateRuleController, DuplicateController, MergeController,
]
