"""S3 storage against the real SeaweedFS: tenant prefixes, presigned URLs, per-tenant deletion."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from infra.settings import get_settings
from infra.storage import StorageKeyError, TenantStorage


@pytest.fixture
def storage(stack) -> TenantStorage:
    store = TenantStorage(get_settings())
    store.ensure_bucket()
    return store


def test_keys_live_under_the_tenant_prefix(storage):
    tenant_id = uuid.uuid4()
    key = storage.put(tenant_id, "documents/hop-dong.pdf", b"%PDF-1.7", "application/pdf")
    assert key == f"tenants/{tenant_id}/documents/hop-dong.pdf"
    assert storage.get(tenant_id, "documents/hop-dong.pdf") == b"%PDF-1.7"
    assert storage.list(tenant_id) == ["documents/hop-dong.pdf"]


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../other/x", "a/../../b", "a//b", "./a"])
def test_paths_cannot_escape_the_tenant_prefix(storage, path):
    with pytest.raises(StorageKeyError):
        storage.put(uuid.uuid4(), path, b"x")


def test_presigned_urls_download_and_expire(storage):
    tenant_id = uuid.uuid4()
    storage.put(tenant_id, "bao-gia.txt", "Báo giá".encode())
    assert httpx.get(storage.presigned_get(tenant_id, "bao-gia.txt")).content.decode() == "Báo giá"
    short_lived = storage.presigned_get(tenant_id, "bao-gia.txt", ttl_seconds=1)
    time.sleep(2.5)
    assert httpx.get(short_lived).status_code == 403
    other_tenant = storage.presigned_get(uuid.uuid4(), "bao-gia.txt")
    assert httpx.get(other_tenant).status_code == 404


def test_deleting_a_tenants_objects_leaves_others(storage):
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    for n in range(3):
        storage.put(mine, f"f{n}.txt", b"x")
    storage.put(theirs, "f0.txt", b"y")
    assert storage.delete_all(mine) == 3
    assert storage.list(mine) == []
    assert storage.get(theirs, "f0.txt") == b"y"


def test_the_bucket_is_created_on_start(stack):
    settings = get_settings()
    name = f"crm-new-{uuid.uuid4().hex[:8]}"
    store = TenantStorage(__import__("msgspec").structs.replace(settings, s3_bucket=name))
    store.ensure_bucket()
    store.ping()
