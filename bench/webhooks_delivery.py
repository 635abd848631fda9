"""Webhook delivery (Webhooks issue), against a real worker, PostgreSQL, Redis and a local receiver:

- throughput: events fanned out to 4 local endpoints, deliveries per second from the dispatcher's start to the
  last message received, against a raw httpx async loop posting the same bodies with the same concurrency;
- latency: events committed at 200 a second, the 99th percentile from commit to the first delivery attempt;
- emit overhead: a customer created over HTTP, with an endpoint subscribed vs none (the outbox row is written
  either way; the dispatcher and deliveries then run on the worker, alongside)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from bench.harness import ROOT, BenchDatabase, Result, bench_database
from infra.settings import get_settings
from infra.stack import free_port, port_answers, wait_until
from webhooks import delivery, jobs

EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "2500"))  # the full run: 10000
ENDPOINTS = 4
RATE = 200  # events a second, for the latency run
LATENCY_SECONDS = 10
CREATES = 200
ENVELOPE = ('{"type":"customer.deleted","timestamp":"2026-01-15T09:30:00Z",'
            '"data":{"id":"%s","code":"KH-%06d"}}')


class Receiver:
    """A minimal keep-alive HTTP/1.1 receiver on asyncio, in a thread of its own: answers 200, counts ids."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: set[str] = set()
        self.requests = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", self.port, backlog=1024))
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                length, msg_id = 0, ""
                for line in head.decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "webhook-id":
                        msg_id = value.strip()
                await reader.readexactly(length)
                self.requests += 1
                if msg_id:
                    self.ids.add(msg_id)
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.port}/endpoint-{n}"


@contextlib.contextmanager
def _process(args: list[str], env: dict[str, str], log_name: str) -> Iterator[subprocess.Popen[bytes]]:
    log = (ROOT / ".crm-data" / log_name).open("w")
    process = subprocess.Popen([sys.executable, "-m", "infra.cli", *args], env=env, cwd=ROOT, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


async def _wait_for(done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the benchmark's deliveries did not arrive")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def _tenant(db: BenchDatabase, base_url: str) -> AsyncIterator[tuple[uuid.UUID, dict[str, str]]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        signup = await client.post("/api/identity/v1/signup", json={
            "company_name": "Bench Webhooks", "email": f"bench-{uuid.uuid4().hex[:8]}@example.vn",
            "password": "mat-khau-bench-2026"})
        assert signup.status_code == 201, signup.text
        tenant_id = uuid.UUID(signup.json()["tenant_id"])
        owner = await asyncpg.connect(db.owner_url)
        try:
            await owner.execute("UPDATE tenant SET requests_per_minute = 100000000 WHERE id = $1", tenant_id)
        finally:
            await owner.close()
        yield tenant_id, {"Authorization": f"Bearer {signup.json()['access_token']}"}


async def _create_endpoint(base_url: str, headers: dict[str, str], url: str, types: list[str]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/api/webhooks/v1/endpoints", headers=headers,
                                     json={"url": url, "event_types": types})
        assert response.status_code == 201, response.text


async def _insert_events(admin: asyncpg.Connection, tenant_id: uuid.UUID, count: int) -> list[str]:
    """Committed outbox rows, as `emit` writes them; their bodies."""
    bodies = [ENVELOPE % (uuid.uuid4(), n) for n in range(count)]
    await admin.execute(
        "INSERT INTO webhook_outbox (id, tenant_id, event_type, body, created_at, updated_at) "
        "SELECT uuidv7(), $1, 'customer.deleted', body, clock_timestamp(), now() FROM unnest($2::text[]) AS body",
        tenant_id, bodies)
    return bodies


async def _raw_loop(urls: list[str], bodies: list[str]) -> float:
    """Deliveries per second of a bare httpx loop: the same bodies, `CLAIM_BATCH` at a time."""
    posts = [(url, body) for body in bodies for url in urls]
    semaphore = asyncio.Semaphore(delivery.CLAIM_BATCH)
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=delivery.CLAIM_BATCH)) as http:
        async def post(url: str, body: str) -> None:
            async with semaphore:
                response = await http.post(url, content=body, headers={"content-type": "application/json"})
                assert response.status_code == 200
        started = time.monotonic()
        await asyncio.gather(*(post(url, body) for url, body in posts))
        return len(posts) / (time.monotonic() - started)


async def _throughput(db: BenchDatabase, base_url: str, receiver: Receiver) -> tuple[float, float]:
    async with _tenant(db, base_url) as (tenant_id, headers):
        for n in range(ENDPOINTS):
            await _create_endpoint(base_url, headers, receiver.url(n), ["customer.deleted"])
        admin = await asyncpg.connect(db.admin_url)
        try:
            bodies = await _insert_events(admin, tenant_id, EVENTS)
        finally:
            await admin.close()
        before = len(receiver.ids)
        started = time.monotonic()
        jobs.wake_deliverer(tenant_id)
        await _wait_for(lambda: len(receiver.ids) - before >= EVENTS, 600)
        ours = EVENTS * ENDPOINTS / (time.monotonic() - started)
    return ours, await _raw_loop([receiver.url(n) for n in range(ENDPOINTS)], bodies)


async def _latency_p99(db: BenchDatabase, base_url: str, receiver: Receiver) -> float:
    """Events committed one by one at `RATE` a second (each followed by the deliverer's wake-up, as `emit`
    does after commit); the 99th percentile of commit to first attempt, in seconds."""
    async with _tenant(db, base_url) as (tenant_id, headers):
        await _create_endpoint(base_url, headers, receiver.url(9), ["customer.deleted"])
        admin = await asyncpg.connect(db.admin_url)
        try:
            started = time.monotonic()
            for n in range(RATE * LATENCY_SECONDS):
                await _insert_events(admin, tenant_id, 1)
                jobs.wake_deliverer(tenant_id)
                await asyncio.sleep(max(0.0, started + (n + 1) / RATE - time.monotonic()))
            query = ("SELECT count(*) FROM webhook_delivery WHERE tenant_id = $1 AND status = 'succeeded'")
            await _wait_for_rows(admin, query, tenant_id, RATE * LATENCY_SECONDS)
            return float(await admin.fetchval(
                "SELECT extract(epoch FROM percentile_cont(0.99) WITHIN GROUP (ORDER BY first - o.created_at)) "
                "FROM (SELECT d.event_id, min(a.attempted_at) AS first FROM webhook_delivery d "
                "      JOIN webhook_attempt a ON a.tenant_id = d.tenant_id AND a.delivery_id = d.id "
                "      WHERE d.tenant_id = $1 GROUP BY d.event_id) f "
                "JOIN webhook_outbox o ON o.tenant_id = $1 AND o.id = f.event_id", tenant_id))
        finally:
            await admin.close()


async def _wait_for_rows(admin: asyncpg.Connection, query: str, tenant_id: uuid.UUID, count: int) -> None:
    deadline = time.monotonic() + 300
    while await admin.fetchval(query, tenant_id) < count:
        if time.monotonic() > deadline:
            raise TimeoutError("the latency run's deliveries did not all succeed")
        await asyncio.sleep(0.2)


async def _create_latencies(base_url: str, headers: dict[str, str]) -> float:
    """Median latency of a customer create over HTTP, in seconds."""
    samples = []
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        for n in range(CREATES):
            t0 = time.perf_counter()
            response = await client.post("/api/contacts/v1/customers", headers=headers, json={"name": f"KH {n}"})
            samples.append(time.perf_counter() - t0)
            assert response.status_code == 201, response.text
    return statistics.median(samples[CREATES // 5:])  # the first fifth warms up


async def _emit_overhead(db: BenchDatabase, base_url: str, receiver: Receiver) -> tuple[float, float]:
    async with _tenant(db, base_url) as (_, headers):
        without = await _create_latencies(base_url, headers)
        await _create_endpoint(base_url, headers, receiver.url(8), ["customer.created"])
        with_endpoint = await _create_latencies(base_url, headers)
    return without, with_endpoint


def _own_redis_database() -> str:
    """Redis database 1 of the stack for this benchmark's queue and wake-up keys, so that a test run's worker on
    the same stack (database 0) and this benchmark's worker never take each other's jobs."""
    redis_url = urlunsplit(urlsplit(get_settings().redis_url)._replace(path="/1"))
    os.environ["CRM_REDIS_URL"] = redis_url
    get_settings.cache_clear()
    jobs._redis.cache_clear()
    return redis_url


async def run() -> list[Result]:
    async with bench_database("crm_bench_webhooks") as db:
        env = {**db.env, "CRM_WEBHOOKS_ALLOW_PRIVATE": "true", "CRM_LOG_LEVEL": "WARNING",
               "CRM_REDIS_URL": _own_redis_database()}
        port = free_port()
        receiver = Receiver()
        with _process(["serve", "all", "--port", str(port)], env, "bench-webhooks-serve.log") as server, \
                _process(["worker", "--queues", "webhooks", "--with-scheduler"], env, "bench-webhooks-worker.log"):
            wait_until(lambda: port_answers(port) or server.poll() is not None, "bench server", timeout=60)
            base_url = f"http://127.0.0.1:{port}"
            ours, raw = await _throughput(db, base_url, receiver)
            p99 = await _latency_p99(db, base_url, receiver)
            without, with_endpoint = await _emit_overhead(db, base_url, receiver)
    ratio = ours / raw
    return [
        Result(f"Webhooks: deliveries/s, {EVENTS} events x {ENDPOINTS} endpoints vs raw httpx", ratio, "x",
               ">= 0.7", ratio >= 0.7,
               f"ours {ours:.0f}/s (claim, sign, POST, record; rq worker) vs raw httpx loop {raw:.0f}/s, "
               f"concurrency {delivery.CLAIM_BATCH}"),
        Result(f"Webhooks: p99 commit -> first attempt at {RATE} events/s", p99, "s", "< 2", p99 < 2,
               f"{RATE * LATENCY_SECONDS} events over {LATENCY_SECONDS} s, one endpoint"),
        Result("Webhooks: customer create with an endpoint vs none", with_endpoint / without, "x", "info", True,
               f"median {without * 1000:.1f} ms without, {with_endpoint * 1000:.1f} ms with (over HTTP, "
               f"{CREATES} creates each)"),
    ]


if __name__ == "__main__":
    from bench.harness import print_table

    print_table(asyncio.run(run()))
