"""S3-compatible storage where every key lives under `tenants/<tenant_id>/` (DESIGN §3, invariant 7)."""

from __future__ import annotations

import functools
import uuid
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.settings import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class StorageKeyError(ValueError):
    """A path that would escape the tenant's prefix."""


class TenantStorage:
    """A thin boto3 wrapper. Callers pass a tenant id and a path; the tenant prefix is never theirs to
    choose. Blocking calls: from async code run them with `asyncio.to_thread`."""

    def __init__(self, settings: Settings) -> None:
        self.bucket = settings.s3_bucket
        self.presign_ttl = settings.presign_ttl_seconds
        self.client: S3Client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint or None,
            aws_access_key_id=settings.s3_access_key,
            aws_secret_access_key=settings.s3_secret_key,
            region_name=settings.s3_region,
            config=Config(s3={"addressing_style": "path"}, signature_version="s3v4",
                          connect_timeout=2, read_timeout=10, retries={"max_attempts": 2}),
        )

    @staticmethod
    def key(tenant_id: uuid.UUID, path: str) -> str:
        parts = path.split("/")
        if not path or path.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise StorageKeyError(f"invalid storage path: {path!r}")
        return f"tenants/{uuid.UUID(str(tenant_id))}/{path}"

    def ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def ping(self) -> None:
        self.client.head_bucket(Bucket=self.bucket)

    def put(self, tenant_id: uuid.UUID, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        key = self.key(tenant_id, path)
        self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type)
        return key

    def put_file(self, tenant_id: uuid.UUID, path: str, file: IO[bytes], content_type: str) -> str:
        """Stream a file object up (multipart for large ones) without reading it into memory."""
        key = self.key(tenant_id, path)
        self.client.upload_fileobj(file, self.bucket, key, ExtraArgs={"ContentType": content_type})
        return key

    def get_file(self, tenant_id: uuid.UUID, path: str, file: IO[bytes]) -> None:
        """Stream an object down into a file object."""
        self.client.download_fileobj(self.bucket, self.key(tenant_id, path), file)

    def get(self, tenant_id: uuid.UUID, path: str) -> bytes:
        response: Any = self.client.get_object(Bucket=self.bucket, Key=self.key(tenant_id, path))
        return bytes(response["Body"].read())

    def delete(self, tenant_id: uuid.UUID, path: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(tenant_id, path))

    def list(self, tenant_id: uuid.UUID) -> list[str]:
        """The tenant's paths (without the tenant prefix)."""
        prefix = f"tenants/{uuid.UUID(str(tenant_id))}/"
        paths = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            paths += [item["Key"].removeprefix(prefix) for item in page.get("Contents", [])]
        return paths

    def delete_all(self, tenant_id: uuid.UUID) -> int:
        paths = self.list(tenant_id)
        for start in range(0, len(paths), 1000):
            batch = [{"Key": self.key(tenant_id, path)} for path in paths[start:start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})  # type: ignore[typeddict-item]
        return len(paths)

    def presigned_get(self, tenant_id: uuid.UUID, path: str, ttl_seconds: int | None = None,
                      download_name: str | None = None, content_type: str | None = None) -> str:
        """A short-lived download URL. Issue it only after a tenant-scoped permission check. `download_name`
        makes browsers save it under that file name (RFC 6266, UTF-8 names too)."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self.key(tenant_id, path)}
        if download_name:
            params["ResponseContentDisposition"] = f"attachment; filename*=UTF-8''{quote(download_name, safe='')}"
        if content_type:
            params["ResponseContentType"] = content_type
        return self.client.generate_presigned_url("get_object", Params=params,
                                                  ExpiresIn=ttl_seconds or self.presign_ttl)


@functools.cache
def tenant_storage() -> TenantStorage:
    """The process's storage client (boto3 clients are thread-safe), for code that runs outside a request."""
    return TenantStorage(get_settings())
