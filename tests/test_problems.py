"""Bad input gets RFC 9457 problem+json with the field at fault, in Vietnamese and English; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code
    assert body["type"].endswith(code.replace("_", "-"))
    assert set(body["i18n"]) == {"vi", "en"}
    assert all(body["i18n"][lang]["title"] and body["i18n"][lang]["detail"] for lang in ("vi", "en"))
    return body


async def test_malformed_json_is_400_with_the_body_at_fault(client, tenant_a):
    response = await client.post("/api/contacts/v1/customers", headers={**tenant_a.headers,
                                 "content-type": "application/json"}, content=b'{"name": "Thi')
    body = assert_problem(response, 400, "malformed_body")
    assert body["errors"][0]["field"] == "body"


@pytest.mark.parametrize(("payload", "field", "code"), [
    ({"name": "A", "website_typo": "x"}, "website_typo", "unknown_field"),
    ({"name": 5}, "name", "wrong_type"),
    ({}, "name", "required"),
    ({"name": ""}, "name", "length"),
    ({"name": "A", "lifecycle_stage": "vip"}, "lifecycle_stage", "invalid_choice"),
    ({"name": "A", "email": "not-an-email"}, "email", "invalid_format"),
    ([1, 2], "", "wrong_type"),
])
async def test_invalid_fields_are_422_naming_the_field(client, tenant_a, payload, field, code):
    response = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json=payload)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == field
    assert body["errors"][0]["code"] == code
    assert body["errors"][0]["message_vi"] != body["errors"][0]["message_en"]


async def test_language_follows_accept_language_vietnamese_by_default(client, tenant_a):
    default = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers, json={"name": 5})
    english = await client.post("/api/contacts/v1/customers",
                                headers={**tenant_a.headers, "accept-language": "en-US,en;q=0.9"},
                                json={"name": 5})
    assert default.json()["title"] == "Dữ liệu không hợp lệ"
    assert default.json()["errors"][0]["message"].startswith("Cần kiểu")
    assert english.json()["title"] == "Invalid input"
    assert english.json()["errors"][0]["message"] == "Expected `str`, got `int`"


async def test_an_oversized_body_is_413(client, tenant_a):
    response = await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                 json={"name": "x" * 2_000_000})
    assert_problem(response, 413, "body_too_large")


async def test_bad_query_parameters_name_the_parameter(client, tenant_a):
    response = await client.get("/api/contacts/v1/customers?limit=500", headers=tenant_a.headers)
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"][0]["field"] == "query.limit"
    cursor = await client.get("/api/contacts/v1/customers?cursor=%%%", headers=tenant_a.headers)
    assert assert_problem(cursor, 400, "bad_request")["errors"][0]["field"] == "cursor"


async def test_a_malformed_id_in_the_path_is_a_4xx_problem(client, tenant_a):
    response = await client.get("/api/contacts/v1/customers/not-a-uuid", headers=tenant_a.headers)
    assert response.status_code in (400, 404)
    assert response.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not.a.jwt", "Basic dXNlcjpwYXNz"])
async def test_missing_or_invalid_tokens_are_401(client, header):
    headers = {"authorization": header} if header else {}
    response = await client.get("/api/contacts/v1/customers", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unknown_routes_and_methods_are_problems(client, tenant_a):
    assert_problem(await client.get("/api/contacts/v1/nothing-here", headers=tenant_a.headers), 404, "not_found")
    assert_problem(await client.put("/api/contacts/v1/customers", headers=tenant_a.headers, json={}), 405,
                   "method_not_allowed")
