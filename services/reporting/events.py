"""Reporting emits no events: it is the read side."""
