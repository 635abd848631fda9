"""Shared steps of the contacts tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import TenantUser

CUSTOMERS = "/api/contacts/v1/customers"
ATTRIBUTES = "/api/contacts/v1/attributes"


async def create_customer(client: httpx.AsyncClient, user: TenantUser, **body: Any) -> dict[str, Any]:
    response = await client.post(CUSTOMERS, headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def fields_at_fault(response: httpx.Response) -> list[str]:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    return [error["field"] for error in response.json()["errors"]]
