"""Event catalogue, transactional outbox, endpoints, signing and delivery (DESIGN §5; the Webhooks issue)."""
