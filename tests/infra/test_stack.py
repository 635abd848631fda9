"""The local stack: started once, reused, recovered after a crash, skipped when external."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def crm(data_dir: Path, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CRM_")}
    env.update({"CRM_DATA_DIR": str(data_dir), **(extra_env or {})})
    return subprocess.run([sys.executable, "-m", "infra.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("stack")
    yield path
    crm(path, "stack", "down")


def test_up_twice_starts_one_copy_and_recovers_from_a_crash(data_dir):
    first = crm(data_dir, "stack", "up")
    assert first.returncode == 0, first.stderr
    assert "started: postgres, redis, s3" in first.stdout
    state = json.loads((data_dir / "stack.json").read_text())
    assert {"postgres", "redis", "s3"} <= state.keys()

    second = crm(data_dir, "stack", "up")
    assert "already running" in second.stdout
    assert json.loads((data_dir / "stack.json").read_text()) == state

    os.killpg(state["redis"]["pid"], signal.SIGKILL)  # a crash: the state file now names a dead process
    time.sleep(0.5)
    assert "stale" in crm(data_dir, "stack", "status").stdout
    third = crm(data_dir, "stack", "up")
    assert "started: redis" in third.stdout, third.stdout + third.stderr
    recovered = json.loads((data_dir / "stack.json").read_text())
    assert recovered["postgres"] == state["postgres"]
    assert recovered["redis"]["pid"] != state["redis"]["pid"]

    down = crm(data_dir, "stack", "down")
    assert "stopped: s3, redis, postgres" in down.stdout
    assert "stopped" in crm(data_dir, "stack", "status").stdout


def test_an_external_service_is_used_and_not_started(data_dir, stack):
    result = crm(data_dir, "stack", "up", extra_env={
        "CRM_DATABASE_URL": stack.owner_url, "CRM_REDIS_URL": stack.redis_url,
        "CRM_S3_ENDPOINT": stack.env["CRM_S3_ENDPOINT"]})
    assert result.returncode == 0, result.stderr
    assert "started: nothing" in result.stdout
    assert "external (CRM_DATABASE_URL)" in result.stdout
    assert json.loads((data_dir / "stack.json").read_text()) == {}
