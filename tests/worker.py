"""Running per-tenant jobs the way the scheduler does, through a real `crm worker --burst`."""

from __future__ import annotations

import subprocess
import sys

import redis

from infra.jobs import for_each_active_tenant, queue
from tests import conftest


def run_for_each_tenant(stack: conftest.TestStack, job: str) -> None:
    """Enqueue the fan-out of `job` ("module:function") and work the queue until it is empty: the fan-out, then
    one job per tenant, each in its tenant's transaction."""
    queue("default", redis.Redis.from_url(stack.redis_url)).enqueue(for_each_active_tenant, job)
    result = subprocess.run([sys.executable, "-m", "infra.cli", "worker", "--burst", "--queues", "default"],
                            env=stack.env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
