"""Secret rotation: an endpoint gets a new signing secret, shown once, and for 24 hours every delivery is signed
with both the new and the previous secret (space-separated `v1,` signatures), so the receiver can switch
whenever it likes. Rotating again within those 24 hours drops the oldest secret."""

from __future__ import annotations

import datetime
import uuid

import msgspec

from tenants import audit
from tenants.context import current_tenant_id
from webhooks.schemas import SecretRotated
from webhooks.service import get_endpoint
from webhooks.signing import new_secret
from webhooks.tables import WebhookEndpoint

OVERLAP = datetime.timedelta(hours=24)


async def rotate_secret(endpoint_id: uuid.UUID) -> SecretRotated:
    await get_endpoint(endpoint_id)  # 404 for another tenant's endpoint
    secret, expires_at = new_secret(), datetime.datetime.now(tz=datetime.UTC) + OVERLAP
    await WebhookEndpoint.update({WebhookEndpoint.previous_secret: WebhookEndpoint.secret,
                                  WebhookEndpoint.secret: secret,
                                  WebhookEndpoint.previous_secret_expires_at: expires_at}).where(
        (WebhookEndpoint.tenant_id == current_tenant_id()) & (WebhookEndpoint.id == endpoint_id))
    endpoint = await get_endpoint(endpoint_id)
    await audit.record("webhook_endpoint.rotate_secret", "webhook_endpoint", endpoint_id,
                       after={"previous_secret_expires_at": expires_at})
    return SecretRotated(**msgspec.structs.asdict(endpoint), secret=secret, previous_secret_expires_at=expires_at)
