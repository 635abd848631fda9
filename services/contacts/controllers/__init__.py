"""Contacts' HTTP handlers, one module per area."""

from services.contacts.controllers.customers import CustomerController

ROUTE_HANDLERS = [CustomerController]
