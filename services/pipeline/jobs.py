"""rq jobs of pipeline. None yet: next-activity scheduling and reminders come with the Jobs issue."""
