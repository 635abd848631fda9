"""One typed settings object, read from `CRM_*` environment variables.

Values not given in the environment fall back to what `crm stack up` recorded for the local stack
(`<data_dir>/stack.json`), then to the defaults below. A bad value stops start-up with a message that
names the variable.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from functools import cache
from pathlib import Path
from typing import Any, Literal

import msgspec

PREFIX = "CRM_"
DEFAULT_DATA_DIR = ".crm-data"


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Every setting, with its default. `crm settings` prints them; the README documents them."""

    env: Literal["local", "test", "production"] = "local"
    data_dir: str = DEFAULT_DATA_DIR
    # The owner role's URL: migrations run as it. Set it to use an external PostgreSQL.
    database_url: str = ""
    # The app role's URL: every service connects as it (not owner, no BYPASSRLS).
    app_database_url: str = ""
    app_db_password: str = "crm_app_local"  # noqa: S105 - local stack default
    db_pool_min: int = 1
    db_pool_max: int = 10
    redis_url: str = ""
    s3_endpoint: str = ""
    s3_access_key: str = "crmlocal"
    s3_secret_key: str = "crmlocalsecret"  # noqa: S105 - local stack default
    s3_region: str = "us-east-1"
    s3_bucket: str = "crm"
    presign_ttl_seconds: int = 300
    jwt_secret: str = ""
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 2_592_000  # 30 days
    password_reset_ttl_seconds: int = 3600
    invitation_ttl_seconds: int = 604_800  # 7 days
    public_url: str = "http://127.0.0.1:8000"  # where links in mails point
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "CRM <no-reply@crm.local>"
    host: str = "127.0.0.1"
    port: int = 8000
    max_body_bytes: int = 1_048_576
    readiness_timeout_seconds: float = 2.0
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    webhooks_allow_private: bool = False  # webhook URLs on private, loopback and link-local addresses
    webhooks_retry_scale: float = 1.0  # multiplies the webhook retry schedule; tests compress the clock
    stripe_secret_key: str = ""  # empty: billing runs in local mode and nothing calls Stripe
    stripe_webhook_secret: str = ""  # verifies `Stripe-Signature` on Stripe's webhooks
    stripe_api_base: str = ""  # empty: Stripe's own API; tests point it at a local stand-in
    billing_grace_days: int = 7  # days a past-due company keeps writing before it becomes read-only
    webhooks_timeout_seconds: float = 15.0  # one webhook POST, connect to last byte
    webhooks_disable_after_days: float = 5.0  # an endpoint failing this long without a success is disabled
    jobs_tenant_concurrency: int = 2  # a tenant's jobs running at once, across every worker
    jobs_lease_seconds: float = 60.0  # a running tenant job's slot lease, renewed while it runs; a dead one frees it
    jobs_busy_delay_seconds: float = 5.0  # a tenant job with no free slot goes to the back this much later
    jobs_retry_scale: float = 1.0  # multiplies the retry back-off of transient errors (10 s, 1 min, 5 min)
    job_runs_keep_days: int = 30  # finished job runs older than this are pruned daily

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).resolve()


class SettingsError(Exception):
    """A setting has a bad value; the message names the environment variable."""


def _env_name(field: str) -> str:
    return PREFIX + field.upper()


def _stack_values(data_dir: str) -> dict[str, str]:
    """URLs that `crm stack up` recorded, so every command finds the running stack."""
    state_file = Path(data_dir) / "stack.json"
    if not state_file.exists():
        return {}
    state = json.loads(state_file.read_text())
    values: dict[str, str] = {}
    for service in state.values():
        values.update(service.get("settings", {}))
    return values


def _local_jwt_secret(data_dir: str) -> str:
    """A per-machine secret for local runs, kept in the data folder so tokens survive restarts."""
    path = Path(data_dir) / "jwt-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    fields = set(Settings.__struct_fields__)
    given = {name.removeprefix(PREFIX).lower(): value for name, value in environ.items() if name.startswith(PREFIX)}
    unknown = sorted(_env_name(name) for name in given if name not in fields)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    data_dir = given.get("data_dir", DEFAULT_DATA_DIR)
    raw: dict[str, Any] = {**_stack_values(data_dir), **given}
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        match = re.search(r"\$\.(\w+)", str(exc))
        name = _env_name(match.group(1)) if match else "a CRM_ variable"
        raise SettingsError(f"{name}: {exc}") from None
    if not settings.jwt_secret:
        if settings.env == "production":
            raise SettingsError(f"{_env_name('jwt_secret')} must be set in production")
        settings = msgspec.structs.replace(settings, jwt_secret=_local_jwt_secret(data_dir))
    return settings


@cache
def get_settings() -> Settings:
    return load_settings()


def describe() -> list[tuple[str, str]]:
    """(variable, default) pairs, for `crm settings` and the README."""
    defaults = Settings()
    return [(_env_name(name), repr(getattr(defaults, name))) for name in Settings.__struct_fields__]
