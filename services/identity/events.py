"""Events identity emits. None yet: tenant and membership events arrive with the webhooks outbox."""
