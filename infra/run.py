"""`crm run` (what `make run` calls): the whole product on this machine until Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from infra.database import migrate
from infra.seed import seed_demo
from infra.settings import get_settings
from infra.stack import Stack, port_answers, wait_until


def run_everything(port: int | None = None) -> int:
    data_dir = Path(os.environ.get("CRM_DATA_DIR", ".crm-data")).resolve()
    stack = Stack(data_dir)
    started = stack.up()
    get_settings.cache_clear()  # the stack may just have recorded new URLs
    settings = get_settings()
    port = port or settings.port
    asyncio.run(migrate(settings))
    login = asyncio.run(seed_demo(settings))
    crm = [sys.executable, "-m", "infra.cli"]
    children = [
        subprocess.Popen([*crm, "serve", "all", "--port", str(port)]),
        subprocess.Popen([*crm, "worker", "--with-scheduler"]),
        subprocess.Popen([*crm, "scheduler"]),
    ]
    try:
        wait_until(lambda: port_answers(port), "the services", timeout=60)
        base = f"http://{settings.host}:{port}"
        print(f"""
CRM is running (Ctrl-C stops everything).
  Admin UI         {base}/
  API docs         {base}/api/identity/docs  /api/contacts/docs  /api/pipeline/docs
                   {base}/api/partners/docs  /api/reporting/docs  /api/webhooks/docs
  Health           {base}/healthz  {base}/readyz
  Demo login       {login.email} / {login.password}   (in the admin UI, or POST {base}/api/identity/v1/login)
  Stack            {", ".join(f"{k}: {v}" for k, v in stack.status().items())}
""", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 1  # a child died on its own
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if started:
            stack.down()
            print("stopped: services, worker and " + ", ".join(started), flush=True)
