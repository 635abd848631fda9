"""rq jobs of identity. None yet: the mail outbox sender and tenant deletion come with the Identity issue."""
