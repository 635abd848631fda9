"""Running per-tenant jobs the way the scheduler does, through a real `crm worker`: in a burst, or as a long-lived
process that a test can SIGKILL; and small tenant jobs that tests enqueue (the worker imports them from here)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import msgspec
import redis
from rq.job import Job
from rq.scheduler import RQScheduler

from infra.jobs import enqueue_for_tenant, for_each_active_tenant, queue, redis_connection
from services.contacts.jobs import count_customers
from tenants.context import current_tenant_id
from tests import conftest


def work(stack: conftest.TestStack, *queues: str, failing: bool = False) -> None:
    """A real `crm worker --burst`: works the queues (default: `default`) until they are empty; a job fails
    only when `failing` says one should."""
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst",
                             "--queues", *(queues or ("default",))],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert failing or "Traceback" not in result.stderr, result.stderr


def run_for_each_tenant(stack: conftest.TestStack, job: str) -> None:
    """Enqueue the fan-out of `job` ("module:function") and work the queue until it is empty: the fan-out, then
    one job per tenant, each in its tenant's transaction."""
    queue("default", redis.Redis.from_url(stack.redis_url)).enqueue(for_each_active_tenant, job)
    work(stack)


async def failed_run(stack: conftest.TestStack, owner_conn: asyncpg.Connection, tenant: conftest.TenantUser) -> Job:
    """A tenant job that fails for a transient reason: the app role may not read customers while it runs."""
    await owner_conn.execute("REVOKE SELECT ON customer FROM crm_app")
    try:
        job = enqueue_for_tenant(tenant.tenant_id, count_customers, connection=redis.Redis.from_url(stack.redis_url))
        work(stack, failing=True)
    finally:
        await owner_conn.execute("GRANT SELECT ON customer TO crm_app")
    job.refresh()
    assert job.get_status() == "failed"
    return job


class WorkerProcess:
    """`crm worker --with-scheduler` on `queues` with `env` added to the stack's, logging to `log_name` in the data
    directory. Its own process group, so `kill` takes the work horse down with it."""

    def __init__(self, stack: conftest.TestStack, queues: list[str], env: dict[str, str] | None = None,
                 log_name: str = "test-worker.log") -> None:
        self.env = {**stack.env, **(env or {})}
        self.queues = queues
        self.log_path = conftest.DATA_DIR / log_name
        self.redis_url = stack.redis_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "worker", "--queues", *self.queues, "--with-scheduler"],
            env=self.env, cwd=conftest.ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL the worker, its work horse and its scheduler (rq gives them process groups of their own).
        The dead scheduler's lock would hold the next worker's scheduler off until it expires (the reaper
        covers that gap in production, within minutes); a test does not wait for it."""
        assert self.process is not None
        for child in self._children():
            os.kill(child, signal.SIGKILL)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)
        redis.Redis.from_url(self.redis_url).delete(*(RQScheduler.get_locking_key(name) for name in self.queues))

    def _children(self) -> list[int]:
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue  # it ended meanwhile
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=20)


class Span(msgspec.Struct, frozen=True):
    label: str
    tenant_id: str
    started: float
    ended: float


SPANS = "test:job-spans"


async def hold(label: str, seconds: float) -> int:
    """A tenant job that takes `seconds` and notes when it ran (in `SPANS`)."""
    started = time.time()
    await asyncio.sleep(seconds)
    span = Span(label, str(current_tenant_id()), started, time.time())
    await asyncio.to_thread(redis_connection().rpush, SPANS, msgspec.json.encode(span))
    return 0


async def flaky(key: str, failures: int, transient: bool) -> int:
    """A tenant job that fails its first `failures` attempts (counted in Redis under `key`): with a serialization
    failure when `transient`, else with a plain bug."""
    attempt = await asyncio.to_thread(redis_connection().incr, key)
    if attempt <= failures:
        if transient:
            raise asyncpg.SerializationError("could not serialize access due to concurrent update")
        raise ValueError(f"a bug, attempt {attempt}")
    return 1


def spans(stack: conftest.TestStack) -> list[Span]:
    return [msgspec.json.decode(raw, type=Span) for raw in redis.Redis.from_url(stack.redis_url).lrange(SPANS, 0, -1)]
