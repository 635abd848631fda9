"""Agreement documents of a partner through HTTP and the real S3: upload with dates, versions, presigned
download, delete, the storage quota counted, and another tenant that cannot reach them."""

from __future__ import annotations

import httpx

from infra.storage import tenant_storage
from tests.contacts.helpers import fields_at_fault
from tests.partners.helpers import API, new_partner
from tests.tenants.test_quotas import assert_quota_problem, limit_to, usage

PDF = "application/pdf"


async def upload(client, user, partner_id: str, file_name: str, body: bytes, content_type: str = PDF,
                 **form: str) -> httpx.Response:
    response: httpx.Response = await client.post(f"{API}/partners/{partner_id}/agreements", headers=user.headers,
                                                 files={"file": (file_name, body, content_type)}, data=form)
    return response


async def test_agreements_round_trip_through_s3_with_dates_and_versions(client, stack, owner_conn, tenant_a,
                                                                        tenant_b):
    partner = await new_partner(client, tenant_a, "Đại lý Hợp Đồng")
    used_before = (await usage(client, tenant_a))["storage_bytes"]["used"]
    first = await upload(client, tenant_a, partner["id"], "Hợp đồng đại lý.pdf", b"%PDF-1.7 2025",
                         signed_on="2024-12-20", valid_from="2025-01-01", valid_to="2025-12-31")
    assert first.status_code == 201, first.text
    second = await upload(client, tenant_a, partner["id"], "scan.pdf", b"%PDF-1.7 renewed 2026",
                          name="Hợp đồng đại lý.pdf", signed_on="2025-12-15", valid_from="2026-01-01",
                          valid_to="2099-12-31")
    appendix = await upload(client, tenant_a, partner["id"], "phu-luc.pdf", b"%PDF appendix")
    assert (second.status_code, appendix.status_code) == (201, 201), second.text
    v1, v2 = first.json(), second.json()
    assert (v1["name"], v1["version"], v1["size_bytes"], v1["signed_on"], v1["valid_from"], v1["valid_to"]) == (
        "Hợp đồng đại lý.pdf", 1, 13, "2024-12-20", "2025-01-01", "2025-12-31")
    assert (v2["version"], v2["valid_from"], v2["in_force"], v1["in_force"]) == (2, "2026-01-01", True, False)
    assert v1["partner_id"] == partner["id"] and v1["customer_id"] == partner["customer_id"]
    # Counted in the tenant's storage quota, byte for byte.
    assert (await usage(client, tenant_a))["storage_bytes"]["used"] == used_before + 13 + 21 + 13

    url = f"{API}/partners/{partner['id']}/agreements"
    latest = (await client.get(url, headers=tenant_a.headers)).json()
    assert [(a["name"], a["version"]) for a in latest] == [("Hợp đồng đại lý.pdf", 2), ("phu-luc.pdf", 1)]
    versions = (await client.get(url, headers=tenant_a.headers, params={"name": "Hợp đồng đại lý.pdf"})).json()
    assert [(a["version"], a["signed_on"]) for a in versions] == [(2, "2025-12-15"), (1, "2024-12-20")]

    link = await client.get(f"{API}/agreements/{v1['id']}/download", headers=tenant_a.headers)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient() as s3:
        downloaded = await s3.get(link.json()["url"])
        assert (downloaded.status_code, downloaded.content) == (200, b"%PDF-1.7 2025")
        assert downloaded.headers["content-type"] == PDF

    # Tenant B: nothing of A's is reachable, not even through a download link.
    for method, path in (("GET", f"{API}/agreements/{v1['id']}"), ("GET", f"{API}/agreements/{v1['id']}/download"),
                         ("DELETE", f"{API}/agreements/{v1['id']}"), ("GET", url)):
        assert (await client.request(method, path, headers=tenant_b.headers)).status_code == 404, path
    assert (await upload(client, tenant_b, partner["id"], "x.pdf", b"%PDF")).status_code == 404
    assert tenant_storage().get(tenant_a.tenant_id, f"documents/{v1['id']}") == b"%PDF-1.7 2025"

    deleted = await client.delete(f"{API}/agreements/{v1['id']}", headers=tenant_a.headers)
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(f"{API}/agreements/{v1['id']}", headers=tenant_a.headers)).status_code == 404
    assert f"documents/{v1['id']}" not in tenant_storage().list(tenant_a.tenant_id)
    assert (await usage(client, tenant_a))["storage_bytes"]["used"] == used_before + 21 + 13
    versions = (await client.get(url, headers=tenant_a.headers, params={"name": "Hợp đồng đại lý.pdf"})).json()
    assert [a["version"] for a in versions] == [2]
    # Deleted through contacts (the customer's documents), the agreement goes with it.
    gone = await client.delete(f"/api/contacts/v1/documents/{appendix.json()['id']}", headers=tenant_a.headers)
    assert gone.status_code == 204
    assert [a["name"] for a in (await client.get(url, headers=tenant_a.headers)).json()] == ["Hợp đồng đại lý.pdf"]

    # Over the quota: 402 and nothing stored or recorded.
    await limit_to(owner_conn, tenant_a, "storage_bytes", 5)
    refused = await upload(client, tenant_a, partner["id"], "big.pdf", b"%PDF-1.7 too big")
    assert_quota_problem(refused, "storage_bytes", used_before + 21, used_before + 21 + 5)
    assert len((await client.get(url, headers=tenant_a.headers)).json()) == 1


async def test_bad_uploads_name_the_field_and_store_nothing(client, stack, tenant_a):
    partner = await new_partner(client, tenant_a, "Đại lý Sai Ngày")
    backwards = await upload(client, tenant_a, partner["id"], "a.pdf", b"%PDF", valid_from="2026-02-01",
                             valid_to="2026-01-31")
    assert backwards.status_code == 422 and fields_at_fault(backwards) == ["valid_to"]
    assert backwards.headers["content-type"].startswith("application/problem+json")
    not_a_date = await upload(client, tenant_a, partner["id"], "a.pdf", b"%PDF", signed_on="31/01/2026")
    assert not_a_date.status_code == 422 and fields_at_fault(not_a_date) == ["signed_on"]
    wrong_type = await upload(client, tenant_a, partner["id"], "setup.exe", b"MZ", "application/x-msdownload")
    assert wrong_type.status_code == 415 and fields_at_fault(wrong_type) == ["file"]
    assert (await client.get(f"{API}/partners/{partner['id']}/agreements", headers=tenant_a.headers)).json() == []
    assert not [path for path in tenant_storage().list(tenant_a.tenant_id) if path.startswith("documents/")]
