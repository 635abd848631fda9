"""PostgreSQL: the Piccolo engine, database and role bootstrap, and migrations.

Two roles (DESIGN §3): the owner runs migrations and owns the tables; the app role, which every service
connects as, is neither owner nor superuser nor BYPASSRLS, so row-level security always applies to it.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from infra.settings import Settings, get_settings

APP_ROLE = "crm_app"
OWNER_ROLE = "crm_owner"


def app_database_url(settings: Settings) -> str:
    """The app role's URL: given, or the owner URL with the app role's name and password."""
    if settings.app_database_url:
        return settings.app_database_url
    if not settings.database_url:
        raise RuntimeError("no database configured: run `crm stack up` or set CRM_DATABASE_URL")
    parts = urlsplit(settings.database_url)
    netloc = f"{APP_ROLE}:{settings.app_db_password}@{parts.hostname}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def create_engine(settings: Settings | None = None) -> PostgresEngine:
    settings = settings or get_settings()
    from tenants.context import TenantEngine

    return TenantEngine(config={"dsn": app_database_url(settings)}, extensions=())


async def start_pool(engine: PostgresEngine, settings: Settings) -> None:
    await engine.start_connection_pool(min_size=settings.db_pool_min, max_size=settings.db_pool_max)


# -- bootstrap (superuser, local stack and tests) ----------------------------------------------------


def _quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


async def bootstrap_database(admin_url: str, database: str, app_password: str, fresh: bool) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        for role, password, extra in ((OWNER_ROLE, OWNER_ROLE, ""), (APP_ROLE, app_password, " NOINHERIT")):
            exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
            verb = "ALTER" if exists else "CREATE"
            await admin.execute(f"{verb} ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB{extra} "
                                f"PASSWORD {_quote_literal(password)}")
        if fresh:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}" OWNER {OWNER_ROLE} ENCODING \'UTF8\'')
    finally:
        await admin.close()
    target = await asyncpg.connect(urlunsplit(urlsplit(admin_url)._replace(path=f"/{database}")))
    try:
        await target.execute(f"REVOKE ALL ON SCHEMA public FROM PUBLIC; "
                             f"GRANT ALL ON SCHEMA public TO {OWNER_ROLE}; "
                             f"GRANT USAGE ON SCHEMA public TO {APP_ROLE};")
    finally:
        await target.close()


LOCAL_APP_PASSWORD = "crm_app_local"  # noqa: S105 - the local stack's default (CRM_APP_DB_PASSWORD)


def bootstrap_local_database(admin_url: str, database: str, app_password: str = LOCAL_APP_PASSWORD,
                             fresh: bool = False) -> None:
    """Create the two roles and the database (owned by the owner role) if they are missing."""
    asyncio.run(bootstrap_database(admin_url, database, app_password, fresh))


# -- migrations ---------------------------------------------------------------------------------


async def migrate(settings: Settings) -> list[str]:
    """Run every service's Piccolo migrations as the owner, then apply the tenancy rules."""
    from piccolo.apps.migrations.commands.forwards import run_forwards
    from piccolo.conf.apps import Finder

    from tenants.rls import apply_tenancy

    if not settings.database_url:
        raise RuntimeError("no database configured: run `crm stack up` or set CRM_DATABASE_URL")
    engine = Finder().get_engine()
    assert isinstance(engine, PostgresEngine)
    app_config: dict[str, Any] = engine.config
    # Migrations run as the owner: point the shared engine at the owner role for their duration.
    engine.config = {"dsn": settings.database_url}
    try:
        response = await run_forwards(app_name="all", migration_id="all", fake=False)
        if not response.success:
            raise RuntimeError(f"migrations failed: {response.message}")
    finally:
        engine.config = app_config
    owner = await asyncpg.connect(settings.database_url)
    try:
        await _ensure_app_role(owner, settings)
        return await apply_tenancy(owner)
    finally:
        await owner.close()


async def _ensure_app_role(owner: asyncpg.Connection, settings: Settings) -> None:
    if await owner.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", APP_ROLE):
        return
    try:
        await owner.execute(f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT "
                            f"PASSWORD {_quote_literal(settings.app_db_password)}")
    except asyncpg.InsufficientPrivilegeError:
        raise RuntimeError(f"role {APP_ROLE} is missing and the owner role may not create it: "
                           f"create it (LOGIN NOSUPERUSER NOBYPASSRLS) and set CRM_APP_DB_PASSWORD") from None
