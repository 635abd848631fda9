"""What every benchmark shares: a fresh database on the local stack, timing, and the result table."""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import msgspec

from infra.database import LOCAL_APP_PASSWORD, bootstrap_database
from infra.stack import Stack, free_port, port_answers, wait_until
from tenants.context import begin_sql

ROOT = Path(__file__).resolve().parent.parent


class Result(msgspec.Struct):
    name: str
    value: float
    unit: str
    goal: str
    met: bool
    note: str = ""


class BenchDatabase(msgspec.Struct):
    admin_url: str  # superuser: bypasses row-level security
    owner_url: str
    app_url: str
    env: dict[str, str]
    redis_url: str = ""  # the stack's Redis


@asynccontextmanager
async def bench_database(name: str) -> AsyncIterator[BenchDatabase]:
    """A fresh, migrated database `name` on the local stack (started if needed, stopped after if so)."""
    stack = Stack(Path(os.environ.get("CRM_DATA_DIR", ROOT / ".crm-data")).resolve())
    started = await asyncio.to_thread(stack.up)  # it runs its own event loop to bootstrap a new database
    try:
        postgres = stack.read_state()["postgres"]
        await bootstrap_database(postgres["admin_url"], name, LOCAL_APP_PASSWORD, fresh=True)
        urls = {key: urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
                for key, url in postgres["settings"].items()}
        env = {**os.environ, "CRM_DATABASE_URL": urls["database_url"], "CRM_APP_DATABASE_URL": urls["app_database_url"]}
        subprocess.run([sys.executable, "-m", "infra.cli", "migrate"], env=env, check=True, cwd=ROOT,
                       capture_output=True)
        yield BenchDatabase(admin_url=urlunsplit(urlsplit(postgres["admin_url"])._replace(path=f"/{name}")),
                            owner_url=urls["database_url"], app_url=urls["app_database_url"], env=env,
                            redis_url=stack.read_state()["redis"]["settings"]["redis_url"])
    finally:
        if started:
            await asyncio.to_thread(stack.down)


@contextmanager
def served(command: list[str], env: dict[str, str]) -> Iterator[str]:
    """A server process (`command` + `--port N`) on a free port, quiet; yields its base URL."""
    port = free_port()
    server = subprocess.Popen([*command, "--port", str(port)], env={**env, "CRM_LOG_LEVEL": "WARNING"}, cwd=ROOT)
    try:
        wait_until(lambda: port_answers(port) or server.poll() is not None, "bench server", timeout=60)
        assert server.poll() is None, "the bench server did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


async def paired_medians(first: Callable[[], Awaitable[float]], second: Callable[[], Awaitable[float]], runs: int,
                         iterations: int, warm: int = 10) -> tuple[list[float], list[float]]:
    """The median of each run of two timed calls made in turn (after `warm` calls of each, for plans and caches),
    one list per call."""
    for _ in range(warm):
        await first()
        await second()
    first_medians, second_medians = [], []
    for _ in range(runs):
        first_times, second_times = [], []
        for _ in range(iterations):
            first_times.append(await first())
            second_times.append(await second())
        first_medians.append(statistics.median(first_times))
        second_medians.append(statistics.median(second_times))
    return first_medians, second_medians


def median_ratio(ratios: list[float]) -> float:
    return statistics.median(ratios)


def print_table(results: list[Result]) -> None:
    header = f"{'benchmark':58} {'value':>12}  {'goal':>10}  met"
    print(header)
    print("-" * len(header))
    for result in results:
        print(f"{result.name:58} {result.value:>8.3f} {result.unit:3}  {result.goal:>10}  "
              f"{'yes' if result.met else 'NO'}")
        if result.note:
            print(f"    {result.note}")


async def timed_tenant_query(connection: asyncpg.Connection, tenant_id: uuid.UUID, sql: str,
                             args: list[object]) -> tuple[float, list[asyncpg.Record]]:
    """`sql` as the app does it, in a transaction naming the tenant (RLS applies): seconds taken, and the rows."""
    started = time.perf_counter()
    await connection.execute(begin_sql(tenant_id))
    rows = await connection.fetch(sql, *args)
    await connection.execute("COMMIT")
    return time.perf_counter() - started, rows
