"""Events contacts emits. None yet: `customer.created` and the rest arrive with the webhooks outbox."""
