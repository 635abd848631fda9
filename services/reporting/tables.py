"""Reporting is the read side: it owns no tables and reads other services' through their `tables.py`."""

from services.contacts.tables import Customer

__all__ = ["Customer"]
