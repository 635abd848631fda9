"""Events pipeline emits. None yet: `quotation.accepted`, `contract.signed` arrive with the webhooks outbox."""
