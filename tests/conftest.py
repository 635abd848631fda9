"""The test harness: the real local stack, a fresh test database, and the product served over HTTP.

The session brings the local stack up (reusing a running one), creates a fresh `crm_test` database with
both roles, migrates it, and serves `crm serve all` on a free port as a real subprocess. When the stack's
PostgreSQL is external (`CRM_DATABASE_URL` set), that database is used and migrated as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import msgspec
import pytest

from tests.mailbox import Mailbox, start_mailbox
from tests.stripe_standin import StripeStandIn

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("CRM_DATA_DIR", ROOT / ".crm-data")).resolve()
TEST_DATABASE = "crm_test"


class TestStack(msgspec.Struct):
    env: dict[str, str]
    admin_url: str | None  # superuser URL (local stack only): bypasses RLS
    owner_url: str
    app_url: str
    redis_url: str


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server on loopback; the stack's settings point the mail sender at it."""
    from infra.stack import free_port

    controller, box = start_mailbox(free_port())
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def stack(mailbox: Mailbox, stripe_standin: StripeStandIn) -> Iterator[TestStack]:
    from infra.database import bootstrap_local_database
    from infra.stack import Stack

    local = Stack(DATA_DIR)
    started = local.up()
    state = local.read_state()
    env = {"CRM_ENV": "test", "CRM_DATA_DIR": str(DATA_DIR), "CRM_S3_BUCKET": "crm-test",
           "CRM_LOG_LEVEL": "WARNING", "CRM_SMTP_HOST": "127.0.0.1", "CRM_SMTP_PORT": str(mailbox.port),
           # Webhook receivers in tests listen on loopback; tests/webhooks checks refusal on its own server.
           "CRM_WEBHOOKS_ALLOW_PRIVATE": "true", **stripe_settings(stripe_standin)}
    admin_url = None
    if "postgres" in state:
        admin_url = state["postgres"]["admin_url"]
        bootstrap_local_database(admin_url, TEST_DATABASE, fresh=True)
        for key, url in state["postgres"]["settings"].items():
            env[f"CRM_{key.upper()}"] = _with_database(url, TEST_DATABASE)
    redis_url = os.environ.get("CRM_REDIS_URL") or state["redis"]["settings"]["redis_url"]
    env["CRM_REDIS_URL"] = redis_url.rsplit("/", 1)[0] + "/1"  # tests keep to their own Redis database
    env["CRM_S3_ENDPOINT"] = os.environ.get("CRM_S3_ENDPOINT") or state["s3"]["settings"]["s3_endpoint"]
    os.environ.update(env)
    from infra.settings import get_settings

    get_settings.cache_clear()
    settings = get_settings()
    from infra.database import app_database_url, migrate

    asyncio.run(migrate(settings))
    import redis

    redis.Redis.from_url(env["CRM_REDIS_URL"]).flushdb()
    yield TestStack(env={**os.environ}, admin_url=admin_url, owner_url=settings.database_url,
                    app_url=app_database_url(settings), redis_url=env["CRM_REDIS_URL"])
    if started:
        local.down()


@contextlib.contextmanager
def serve_product(env: dict[str, str], log_path: Path) -> Iterator[str]:
    """`crm serve all` as a real process on a free port, its output in `log_path`; yields its base URL."""
    from infra.stack import free_port, port_answers, wait_until

    port = free_port()
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "infra.cli", "serve", "all", "--port", str(port)],
                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: port_answers(port) or process.poll() is not None, "test server", timeout=60)
            assert process.poll() is None, log_path.read_text()
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=20)


@pytest.fixture(scope="session")
def server(stack: TestStack) -> Iterator[str]:
    """The whole product, served as it is in production."""
    with serve_product(stack.env, DATA_DIR / "test-server.log") as url:
        yield url


@pytest.fixture
async def client(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        yield http


class TenantUser(msgspec.Struct):
    tenant_id: uuid.UUID
    token: str
    email: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def sign_up(client: httpx.AsyncClient, company: str) -> TenantUser:
    email = f"owner-{uuid.uuid4().hex[:10]}@example.vn"
    password = "mat-khau-that-dai-1"
    response = await client.post("/api/identity/v1/signup",
                                 json={"company_name": company, "email": email, "password": password})
    assert response.status_code == 201, response.text
    body = response.json()
    return TenantUser(tenant_id=uuid.UUID(body["tenant_id"]), token=body["access_token"], email=email,
                      password=password)


@pytest.fixture
async def tenant_a(client: httpx.AsyncClient) -> TenantUser:
    return await sign_up(client, "Công ty An Phát")


@pytest.fixture
async def tenant_b(client: httpx.AsyncClient) -> TenantUser:
    return await sign_up(client, "Công ty Bình Minh")


@pytest.fixture
async def app_conn(stack: TestStack) -> AsyncIterator[asyncpg.Connection]:
    """A raw connection as the app role (RLS applies)."""
    connection = await asyncpg.connect(stack.app_url)
    yield connection
    await connection.close()


@pytest.fixture
async def owner_conn(stack: TestStack) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(stack.owner_url)
    yield connection
    await connection.close()


STRIPE_WEBHOOK_SECRET = "whsec_test_crm_billing"


def stripe_settings(standin: StripeStandIn) -> dict[str, str]:
    """The `stripe` SDK in every test process talks to the stand-in; webhooks are signed with a known secret."""
    return {"CRM_STRIPE_SECRET_KEY": "sk_test_standin", "CRM_STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
            "CRM_STRIPE_API_BASE": standin.url}


@pytest.fixture(scope="session")
def stripe_standin() -> Iterator[StripeStandIn]:
    """Stripe's API at the HTTP boundary (tests/stripe_standin.py); started before the product reads its settings."""
    standin = StripeStandIn()
    yield standin
    standin.stop()
