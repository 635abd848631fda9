"""rq jobs of reporting. None yet: report refreshes and long exports come with the Reporting issue."""
