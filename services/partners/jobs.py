"""rq jobs of partners. None yet."""
