"""Webhook fixtures: a real receiver on loopback, and a real rq worker on the `webhooks` queue."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import msgspec
import pytest
import redis

from infra.jobs import queue
from tests.conftest import DATA_DIR, TestStack
from tests.worker import WorkerProcess as BaseWorkerProcess

# 5 s, 5 min, 30 min... become 0.1 ms, 6 ms, 36 ms...: rq's scheduler (1 s ticks) then sets the pace.
RETRY_SCALE = "0.00002"


class Received(msgspec.Struct, frozen=True):
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = 0.0  # time.monotonic() on arrival


class Server(ThreadingHTTPServer):
    request_queue_size = 512  # a batch of deliveries connects at once
    daemon_threads = True


class Receiver:
    """Answers by path: `/fail/<n>/...` fails (500) the first n times each message comes, then 200;
    `/busy/<n>/<retry-after>/...` answers 429 with that `Retry-After` the first n times, then 200;
    `/slow/...` answers 200 once `release` is set (`arrived` is set meanwhile); `/down/...` answers 500 until
    `back_up` is set, then 200; `/gone/...` answers 410; anything else 200. Every request is kept."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self.arrived, self.release, self.back_up = threading.Event(), threading.Event(), threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                status = receiver._status_for(self.path, headers.get("webhook-id", ""))
                with receiver._lock:
                    receiver.received.append(Received(self.path, headers, body, status, time.monotonic()))
                if self.path.startswith("/slow/"):
                    receiver.arrived.set()
                    receiver.release.wait(timeout=30)
                self.send_response(status)
                if status == 429:
                    self.send_header("retry-after", self.path.strip("/").split("/")[2])
                answer = f"answered {status}".encode()
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = Server(("127.0.0.1", 0), Handler)

    def _status_for(self, path: str, message_id: str) -> int:
        parts = path.strip("/").split("/")
        if parts[0] == "gone":
            return 410
        if parts[0] == "down":
            return 200 if self.back_up.is_set() else 500
        if parts[0] in ("fail", "busy"):
            earlier = sum(1 for r in self.at(path) if r.headers.get("webhook-id") == message_id)
            return (500 if parts[0] == "fail" else 429) if earlier < int(parts[1]) else 200
        return 200

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    async def wait_for(self, path: str, done: Callable[[list[Received]], bool], seconds: float = 45) -> list[Received]:
        for _ in range(int(seconds * 10)):
            if done(received := self.at(path)):
                return received
            await asyncio.sleep(0.1)
        raise AssertionError(f"{path}: still waiting after {seconds} s; got {self.at(path)}")


@pytest.fixture(scope="session")
def receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    thread = threading.Thread(target=receiver.server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    receiver.server.shutdown()


class WorkerProcess(BaseWorkerProcess):
    """`crm worker` on the webhooks queue with rq's scheduler (retries), the retry clock compressed and the POST
    timeout short (so a claim's lease, which outlasts it, runs out within seconds)."""

    def __init__(self, stack: TestStack) -> None:
        super().__init__(stack, ["webhooks"], {"CRM_WEBHOOKS_RETRY_SCALE": RETRY_SCALE,
                                               "CRM_WEBHOOKS_TIMEOUT_SECONDS": "3"}, "test-webhooks-worker.log")


@pytest.fixture(scope="session")
def worker(stack: TestStack) -> Iterator[WorkerProcess]:
    """The webhooks worker, started once for the session.

    Until now no worker ran, so the queue holds a dispatch job for every change the earlier tests made; they
    concern tenants these tests do not watch (their outbox rows stay in PostgreSQL), so they are dropped
    rather than worked through before the first webhook test's event."""
    queue("webhooks", redis.Redis.from_url(stack.redis_url)).empty()
    (DATA_DIR / "test-webhooks-worker.log").write_text("")
    process = WorkerProcess(stack)
    process.start()
    yield process
    process.stop()
