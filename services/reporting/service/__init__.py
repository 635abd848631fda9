"""Reporting's queries, one module per area: set-based aggregates over roll-ups and source rows."""
