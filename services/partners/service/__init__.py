"""Partners' rules, one module per area; plain async functions that handlers, jobs and tests call."""
