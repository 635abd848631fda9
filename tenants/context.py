"""The tenant context and the tenant transaction (DESIGN §3, invariant 3).

All tenant work of a request or a job runs inside `tenant_transaction(tenant_id)`: one transaction whose
first statement sets `app.tenant_id` locally, sent in the same round trip as `BEGIN`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from typing import Any

from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

_current_tenant: ContextVar[uuid.UUID | None] = ContextVar("current_tenant", default=None)
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_commit", default=None)


class NoTenantError(RuntimeError):
    """Tenant work was attempted outside a tenant transaction."""


def current_tenant_id() -> uuid.UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise NoTenantError("no tenant is set: run this inside tenant_transaction()")
    return tenant_id


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current tenant transaction has committed, and never if it rolls back: a job
    enqueued earlier could run before the rows it needs are visible."""
    callbacks = _after_commit.get()
    if callbacks is None:
        raise NoTenantError("after_commit() needs an open tenant_transaction()")
    callbacks.append(callback)


def begin_sql(tenant_id: uuid.UUID) -> str:
    """BEGIN and the tenant setting in one statement, so one round trip. The id is a parsed UUID, so its
    text form is safe to write into the statement."""
    return f"BEGIN; SELECT set_config('app.tenant_id', '{uuid.UUID(str(tenant_id))}', true)"


class TenantTransaction(PostgresTransaction):
    """A Piccolo transaction that sets the tenant in the same round trip as BEGIN, and only when the work
    first touches the database: a request that never queries (a cached answer, a 401, a 429) costs no
    connection and no round trip. `TenantEngine` begins it before the first query."""

    def __init__(self, engine: PostgresEngine, tenant_id: uuid.UUID) -> None:
        super().__init__(engine, allow_nested=False)
        self._begin_sql = begin_sql(tenant_id)
        self._begun = False

    async def __aenter__(self) -> TenantTransaction:
        self.context = self.engine.current_transaction.set(self)
        return self

    async def ensure_begun(self) -> None:
        if not self._begun:
            self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
            self._begun = True  # from here on the connection is ours to release
            await self.connection.execute(self._begin_sql)

    async def begin(self) -> None:
        await self.ensure_begun()

    async def commit(self) -> None:
        if self._begun:
            await self.connection.execute("COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        if self._begun:
            await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def savepoint(self, name: str | None = None) -> Any:
        await self.ensure_begun()
        return await super().savepoint(name)

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        try:
            if exception and not self._rolled_back:
                await self.rollback()
            elif not exception and not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            if self._begun:
                await self._release()
            self.engine.current_transaction.reset(self.context)
        return exception is None

    async def _release(self) -> None:
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


class TenantEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, beginning a lazy tenant transaction before its first query."""

    async def run_querystring(self, querystring: Any, in_pool: bool = True) -> Any:
        current = self.current_transaction.get()
        if isinstance(current, TenantTransaction):
            await current.ensure_begun()
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        current = self.current_transaction.get()
        if isinstance(current, TenantTransaction):
            await current.ensure_begun()
        return await super().run_ddl(ddl, in_pool)


def engine() -> PostgresEngine:
    db = Finder().get_engine()
    assert isinstance(db, PostgresEngine)
    return db


def _forget_finished_transaction(db: PostgresEngine) -> None:
    """Drop a finished transaction the context still names. It happens: uvicorn resumes reading a large request
    body from inside the request's task, so the connection's later requests start in a copy of that request's
    context, transaction included, and Piccolo would take it for an open one ("nested transactions")."""
    current = db.current_transaction.get()
    if isinstance(current, TenantTransaction) and (current._committed or current._rolled_back):
        db.current_transaction.set(None)


@contextlib.asynccontextmanager
async def tenant_transaction(tenant_id: uuid.UUID) -> AsyncIterator[TenantTransaction]:
    """Run the block in one transaction scoped to `tenant_id`; commit on success, roll back on error."""
    _forget_finished_transaction(engine())
    token = _current_tenant.set(tenant_id)
    callbacks: list[Callable[[], None]] = []
    callbacks_token = _after_commit.set(callbacks)
    try:
        transaction = TenantTransaction(engine(), tenant_id)
        async with transaction:
            yield transaction
    finally:
        _after_commit.reset(callbacks_token)
        _current_tenant.reset(token)
    if transaction._committed:
        for callback in callbacks:
            callback()


@contextlib.asynccontextmanager
async def separate_tenant_transaction(tenant_id: uuid.UUID) -> AsyncIterator[TenantTransaction]:
    """A tenant transaction of its own even inside another one, committed when the block ends: for a long job
    that commits batch by batch so its progress shows, while the job's own (lazy) transaction stays unused."""
    current = engine().current_transaction
    token = current.set(None)
    try:
        async with tenant_transaction(tenant_id) as transaction:
            yield transaction
    finally:
        current.reset(token)
