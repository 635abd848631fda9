"""Events partners emits. None yet: `partner.credit_limit_changed` arrives with the webhooks outbox."""
