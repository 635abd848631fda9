"""The admin shell: composes the pages each service serves from its own `ui/` (DESIGN §7)."""
