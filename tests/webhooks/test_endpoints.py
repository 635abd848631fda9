"""Webhook endpoints through HTTP: the catalogue, CRUD with a secret shown once, validation, permissions,
private addresses refused, and one tenant never seeing another's endpoints."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conftest import DATA_DIR
from tests.identity.members import add_member

if TYPE_CHECKING:  # imported at run time, pytest would collect it as a test class
    from tests.conftest import TestStack

API = "/api/webhooks/v1"


async def create_endpoint(client, user, url, **body):
    response = await client.post(f"{API}/endpoints", headers=user.headers, json={"url": url, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_catalogue_publishes_customer_events_with_json_schemas(client):
    response = await client.get(f"{API}/event-types")  # public: the ERP codes against it
    assert response.status_code == 200
    catalogue = {item["type"]: item for item in response.json()}
    assert {"customer.created", "customer.updated", "customer.deleted"} <= catalogue.keys()
    created = catalogue["customer.created"]
    assert created["description_vi"] and created["description_en"]
    schema = created["schema"]["$defs"]["CustomerData"]
    assert {"id", "code", "name", "email", "phone", "lifecycle_stage"} <= schema["properties"].keys()
    assert schema["properties"]["id"] == {"type": "string", "format": "uuid"}
    assert catalogue["customer.deleted"]["schema"]["$defs"]["CustomerDeleted"]["required"] == ["id", "code"]


async def test_endpoint_crud_shows_the_secret_once(client, tenant_a, receiver):
    created = await create_endpoint(client, tenant_a, receiver.url("/ok/crud"), description=" Kế toán ",
                                    event_types=["customer.updated", "customer.created", "customer.created"])
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["customer.created", "customer.updated"]
    assert created["description"] == "Kế toán" and created["enabled"] is True
    url = f"{API}/endpoints/{created['id']}"
    fetched = await client.get(url, headers=tenant_a.headers)
    listed = await client.get(f"{API}/endpoints", headers=tenant_a.headers)
    for response in (fetched, listed):
        assert response.status_code == 200
        assert "secret" not in response.text and created["secret"] not in response.text
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    changed = await client.patch(url, headers=tenant_a.headers, json={"enabled": False, "event_types": []})
    assert changed.status_code == 200
    assert (changed.json()["enabled"], changed.json()["event_types"]) == (False, [])
    assert (await client.delete(url, headers=tenant_a.headers)).status_code == 204
    assert (await client.get(url, headers=tenant_a.headers)).status_code == 404


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"url": "ftp://example.vn/hook"}, "url", "invalid_url"),
    ({"url": "not a url"}, "url", "invalid_url"),
    ({"url": "http://127.0.0.1:99999/x"}, "url", "invalid_url"),
    ({"url": "https://example.vn/hook", "event_types": ["customer.created", "customer.nope"]},
     "event_types[1]", "unknown_event_type"),
    ({"url": "https://example.vn/hook", "event_types": ["Customer Created"]}, "event_types[0]", "invalid_format"),
    ({"url": "https://example.vn/hook", "secret": "mine"}, "secret", "unknown_field"),
    ({"description": "no url"}, "url", "required"),
])
async def test_bad_endpoints_are_refused_with_the_field_at_fault(client, tenant_a, body, field, code):
    response = await client.post(f"{API}/endpoints", headers={**tenant_a.headers, "Accept-Language": "en"},
                                 json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [(error["field"], error["code"]) for error in problem["errors"]] == [(field, code)]
    assert problem["i18n"]["vi"]["detail"] and problem["i18n"]["en"]["detail"]
    assert (await client.get(f"{API}/endpoints", headers=tenant_a.headers)).json()["items"] == []


async def test_malformed_json_is_a_400_not_a_500(client, tenant_a):
    response = await client.post(f"{API}/endpoints", headers={**tenant_a.headers, "content-type": "application/json"},
                                 content=b'{"url": ')
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


async def test_managing_webhooks_needs_the_webhooks_manage_permission(client, tenant_a, receiver):
    salesperson = await add_member(tenant_a, "salesperson")
    refused = await client.post(f"{API}/endpoints", headers=salesperson.headers, json={"url": receiver.url("/ok/x")})
    assert refused.status_code == 403
    assert "webhooks:manage" in refused.json()["detail"]
    assert (await client.get(f"{API}/endpoints", headers=salesperson.headers)).status_code == 403
    admin = await add_member(tenant_a, "admin")
    await create_endpoint(client, admin, receiver.url("/ok/admin"))


async def test_another_tenants_endpoints_answer_404(client, tenant_a, tenant_b, receiver):
    endpoint = await create_endpoint(client, tenant_a, receiver.url("/ok/isolation"))
    url = f"{API}/endpoints/{endpoint['id']}"
    assert (await client.get(url, headers=tenant_b.headers)).status_code == 404
    assert (await client.patch(url, headers=tenant_b.headers, json={"enabled": False})).status_code == 404
    assert (await client.delete(url, headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{url}/deliveries", headers=tenant_b.headers)).status_code == 404
    assert (await client.get(f"{API}/endpoints", headers=tenant_b.headers)).json()["items"] == []
    still = await client.get(url, headers=tenant_a.headers)
    assert still.status_code == 200 and still.json()["enabled"] is True


@pytest.fixture(scope="module")
def production_server(stack: TestStack) -> Iterator[str]:
    """The webhooks service alone, configured as in production: https only, no private addresses."""
    from infra.stack import free_port, port_answers, wait_until

    port = free_port()
    env = {**stack.env, "CRM_ENV": "production", "CRM_WEBHOOKS_ALLOW_PRIVATE": "false",
           "CRM_JWT_SECRET": (DATA_DIR / "jwt-secret").read_text().strip()}
    process = subprocess.Popen([sys.executable, "-m", "infra.cli", "serve", "webhooks", "--port", str(port)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_answers(port) or process.poll() is not None, "webhooks alone", timeout=60)
        assert process.poll() is None
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize(("url", "code"), [
    ("http://example.vn/hook", "https_required"),
    ("https://127.0.0.1/hook", "private_address"),
    ("https://localhost:8443/hook", "private_address"),
    ("https://10.20.30.40/hook", "private_address"),
    ("https://192.168.1.10/hook", "private_address"),
    ("https://169.254.169.254/latest/meta-data", "private_address"),
    ("https://[::1]/hook", "private_address"),
    ("https://[::ffff:127.0.0.1]/hook", "private_address"),
])
async def test_private_addresses_and_plain_http_are_refused_in_production(production_server, tenant_a, url, code):
    async with httpx.AsyncClient(base_url=production_server) as http:
        response = await http.post(f"{API}/endpoints", headers=tenant_a.headers, json={"url": url})
        assert response.status_code == 422, response.text
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("url", code)]
        assert (await http.get(f"{API}/endpoints", headers=tenant_a.headers)).json()["items"] == []
