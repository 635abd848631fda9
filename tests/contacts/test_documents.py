"""Documents through HTTP and the real S3: upload, versions, presigned download, limits, delete, and tenants
that cannot reach each other's files."""

from __future__ import annotations

import asyncpg
import httpx

from infra.storage import tenant_storage
from services.contacts.service.documents import MAX_DOCUMENT_BYTES
from tests.contacts.helpers import CUSTOMERS, create_customer, fields_at_fault

DOCUMENTS = "/api/contacts/v1/documents"
PDF = "application/pdf"


async def upload(client, user, customer, file_name: str, body: bytes, content_type: str = PDF,
                 **form: str) -> httpx.Response:
    response: httpx.Response = await client.post(f"{CUSTOMERS}/{customer['id']}/documents", headers=user.headers,
                             files={"file": (file_name, body, content_type)}, data=form)
    return response


async def test_documents_round_trip_through_s3_with_versions(client, stack, tenant_a, tenant_b,
                                                           owner_conn: asyncpg.Connection):
    customer = await create_customer(client, tenant_a, name="Công ty Tài Liệu")
    first = await upload(client, tenant_a, customer, "Hợp đồng 2026.pdf", b"%PDF-1.7 v1")
    assert first.status_code == 201, first.text
    second = await upload(client, tenant_a, customer, "scan.pdf", b"%PDF-1.7 version two", name="Hợp đồng 2026.pdf")
    other = await upload(client, tenant_a, customer, "logo.png", b"\x89PNG\r\n", "image/png")
    assert (second.status_code, other.status_code) == (201, 201), second.text
    v1, v2 = first.json(), second.json()
    assert (v1["name"], v1["version"], v1["size_bytes"]) == ("Hợp đồng 2026.pdf", 1, 11)
    assert (v2["name"], v2["version"], v2["size_bytes"], v2["content_type"]) == ("Hợp đồng 2026.pdf", 2, 20, PDF)

    latest = (await client.get(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers)).json()
    assert [(doc["name"], doc["version"]) for doc in latest] == [("Hợp đồng 2026.pdf", 2), ("logo.png", 1)]
    versions = (await client.get(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers,
                                 params={"name": "Hợp đồng 2026.pdf"})).json()
    assert [doc["version"] for doc in versions] == [2, 1]

    link = await client.get(f"{DOCUMENTS}/{v1['id']}/download", headers=tenant_a.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient() as s3:
        downloaded = await s3.get(link.json()["url"])
        assert downloaded.status_code == 200
        assert downloaded.content == b"%PDF-1.7 v1"
        assert downloaded.headers["content-type"] == PDF
        assert "attachment" in downloaded.headers["content-disposition"]
        assert (await s3.get((await client.get(f"{DOCUMENTS}/{v2['id']}/download",
                                               headers=tenant_a.headers)).json()["url"])).content == (
            b"%PDF-1.7 version two")

    # The object lives under tenant A's prefix; tenant B's token cannot see, download or delete it.
    assert tenant_storage().get(tenant_a.tenant_id, f"documents/{v1['id']}") == b"%PDF-1.7 v1"
    for method, path in (("GET", f"{DOCUMENTS}/{v1['id']}"), ("GET", f"{DOCUMENTS}/{v1['id']}/download"),
                         ("DELETE", f"{DOCUMENTS}/{v1['id']}"), ("GET", f"{CUSTOMERS}/{customer['id']}/documents")):
        assert (await client.request(method, path, headers=tenant_b.headers)).status_code == 404, path
    assert (await upload(client, tenant_b, customer, "x.pdf", b"%PDF")).status_code == 404

    await owner_conn.execute("SELECT set_config('app.tenant_id', $1, false)", str(tenant_a.tenant_id))
    event = await owner_conn.fetchval(
        "SELECT body FROM webhook_outbox WHERE tenant_id = $1 AND event_type = 'document.uploaded' ORDER BY id "
        "LIMIT 1", tenant_a.tenant_id)
    assert f"/api/contacts/v1/documents/{v1['id']}/download" in event and "PDF-1.7" not in event

    deleted = await client.delete(f"{DOCUMENTS}/{v1['id']}", headers=tenant_a.headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(f"{DOCUMENTS}/{v1['id']}", headers=tenant_a.headers)).status_code == 404
    assert f"documents/{v1['id']}" not in tenant_storage().list(tenant_a.tenant_id)
    assert f"documents/{v2['id']}" in tenant_storage().list(tenant_a.tenant_id)
    # Deleting the customer takes its documents' files with it.
    assert (await client.delete(f"{CUSTOMERS}/{customer['id']}", headers=tenant_a.headers)).status_code == 204
    assert not {f"documents/{v2['id']}", f"documents/{other.json()['id']}"} & set(
        tenant_storage().list(tenant_a.tenant_id))


async def test_uploads_outside_the_limits_are_refused_naming_the_file(client, stack, tenant_a):
    customer = await create_customer(client, tenant_a, name="Công ty Giới Hạn")
    wrong_type = await upload(client, tenant_a, customer, "setup.exe", b"MZ", "application/x-msdownload")
    assert wrong_type.status_code == 415 and fields_at_fault(wrong_type) == ["file"], wrong_type.text
    too_large = await upload(client, tenant_a, customer, "big.pdf", b"x" * (MAX_DOCUMENT_BYTES + 1))
    assert too_large.status_code == 413 and fields_at_fault(too_large) == ["file"], too_large.text
    assert too_large.json()["i18n"]["vi"]["detail"] and too_large.json()["i18n"]["en"]["detail"]
    empty = await upload(client, tenant_a, customer, "empty.pdf", b"")
    assert empty.status_code == 422 and fields_at_fault(empty) == ["file"], empty.text
    unknown_field = await upload(client, tenant_a, customer, "a.pdf", b"%PDF", folder="x")
    assert unknown_field.status_code == 422 and fields_at_fault(unknown_field) == ["folder"], unknown_field.text
    not_multipart = await client.post(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers,
                                      json={"file": "JVBERi0="})
    assert 400 <= not_multipart.status_code < 500, not_multipart.text
    assert (await client.get(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers)).json() == []


async def test_large_uploads_leave_the_connection_usable(client, stack, tenant_a):
    """A body larger than the server's read buffer is read from inside the request; the next requests on the same
    keep-alive connection must still start with no transaction of their own."""
    customer = await create_customer(client, tenant_a, name="Công ty Tệp Lớn")
    for n in range(3):
        response = await upload(client, tenant_a, customer, f"scan-{n}.pdf", b"%PDF" + b"x" * 3_000_000)
        assert response.status_code == 201, response.text
        listed = await client.get(f"{CUSTOMERS}/{customer['id']}/documents", headers=tenant_a.headers)
        assert listed.status_code == 200, listed.text
        assert len(listed.json()) == n + 1
