"""The example ERP consumer (examples/erp_consumer.py), run as the ERP would run it, against real deliveries:
it verifies every message with `standardwebhooks`, applies each `webhook-id` once, and refuses a forgery."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infra.stack import free_port
from tests.conftest import ROOT
from tests.webhooks.test_delivery import settled_deliveries_of
from tests.webhooks.test_endpoints import API, create_endpoint

pytestmark = pytest.mark.usefixtures("worker")


class Consumer:
    def __init__(self, port: int, db: Path) -> None:
        self.port, self.url, self.db = port, f"http://127.0.0.1:{port}/crm-webhooks", db

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        with sqlite3.connect(self.db) as db:
            return db.execute(sql).fetchall()


@pytest.fixture
def start_consumer() -> Iterator[object]:
    processes: list[subprocess.Popen[str]] = []

    async def start(consumer: Consumer, secret: str) -> None:
        processes.append(subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "erp_consumer.py"), "--port", str(consumer.port), "--db",
             str(consumer.db)],
            env={"CRM_WEBHOOK_SECRETS": secret, "PATH": "/usr/bin:/bin"}, stdout=subprocess.PIPE, text=True))
        assert processes[-1].stdout is not None
        assert (await asyncio.to_thread(processes[-1].stdout.readline)).startswith("listening on")

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


async def test_the_example_consumer_verifies_and_applies_each_message_once(
        client, tenant_a, start_consumer, tmp_path):
    consumer = Consumer(free_port(), tmp_path / "erp.sqlite")
    endpoint = await create_endpoint(client, tenant_a, consumer.url, event_types=["customer.created"])
    await start_consumer(consumer, endpoint["secret"])  # the ERP is configured with the secret shown once
    created = (await client.post("/api/contacts/v1/customers", headers=tenant_a.headers,
                                 json={"name": "Công ty Kế Toán"})).json()
    [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
    assert delivery["status"] == "succeeded"
    resent = await client.post(f"{API}/deliveries/{delivery['id']}/resend", headers=tenant_a.headers)
    assert resent.status_code == 202
    for _ in range(100):
        [delivery] = await settled_deliveries_of(client, tenant_a, endpoint)
        if delivery["attempt_count"] == 1 and delivery["status"] == "succeeded" and delivery["delivered_at"]:
            logged = (await client.get(f"{API}/deliveries/{delivery['id']}", headers=tenant_a.headers)).json()
            if len(logged["attempts"]) == 2:
                break
        await asyncio.sleep(0.1)
    assert [a["status_code"] for a in logged["attempts"]] == [204, 200]  # handled, then recognised as a duplicate
    assert consumer.rows("SELECT webhook_id, type FROM handled_message") == [
        (delivery["message_id"], "customer.created")]
    assert consumer.rows("SELECT id, code, name FROM customer") == [(created["id"], created["code"], created["name"])]
    async with httpx.AsyncClient() as http:
        forged = await http.post(consumer.url, content=b'{"type":"customer.created"}', headers={
            "webhook-id": "msg_forged", "webhook-timestamp": "1700000000", "webhook-signature": "v1,AAAA"})
    assert forged.status_code == 400
    assert len(consumer.rows("SELECT * FROM handled_message")) == 1
