"""Sync state for many shops in one PostgreSQL database (the ``postgres`` extra).

:class:`PostgresStateStore` is the :class:`~.state.StateStore` of one shop, keyed by a
**shop key**, in a database shared by every worker and every shop of an agency; the
:class:`PostgresRateLimiter` gives each shop one IdoSell request budget across all workers.

Schema (created on first use, versioned in ``smido_meta``; a database written by a newer
SDK is refused with :class:`~salesmanago_idosell.errors.StateMismatchError`):

==================  =============================================================
``smido_meta``      ``schema`` version
``smido_shops``     shop key -> bound identity (shop host | SALESmanago client id)
``smido_cursors``   (shop, stream) -> cursor
``smido_deliveries``  (shop, stream, key) -> delivery state, contact, since, attempts
``smido_leases``    shop -> run lease holder and expiry (database clock)
``smido_budgets``   shop -> the next free IdoSell request slot (database clock)
==================  =============================================================

**The run lease is a row with an expiry**, not an advisory lock. An advisory lock lives as
long as one database session: the run would have to pin a connection for hours (no pooling,
no PgBouncer in transaction mode), a network blip would silently drop the lock while the run
goes on, and nobody could see who holds it. A row is taken in one short transaction
(``SELECT ... FOR UPDATE``), names its holder in the "already running" message, is renewed
after every page, expires on the *database's* clock (so machines' clocks do not matter) and
is taken over at once when its holder is provably gone (same host, process not alive) —
the same semantics as the SQLite store. The cost: a worker killed on *another* host blocks
its shop until the lease expires (``lease_ttl``; the Celery tasks use 120 s).

Example:
    >>> store = PostgresStateStore("postgresql://sync@db/smido", shop="sklep-a")  # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..errors import StateMismatchError, ValidationError
from .delivery import Delivery, DeliveryState, DeliveryUpdate, LeaseHolder, utcnow
from .state import _mismatch, _refusal

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
    from psycopg_pool import ConnectionPool
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "PostgresStateStore needs the 'postgres' extra: pip install 'salesmanago-idosell[postgres]'"
    ) from exc

__all__ = ["SCHEMA_VERSION", "PostgresRateLimiter", "PostgresStateStore", "shared_pool"]

#: The schema version this SDK writes and understands.
SCHEMA_VERSION = 2
#: ``pg_advisory_xact_lock`` key serialising schema creation (any constant; "smido" in hex).
_MIGRATION_LOCK = 0x736D69646F

#: Version 2's new tables: per-key marks (consent memory) and the product-category cache.
_V2 = [
    """CREATE TABLE IF NOT EXISTS smido_marks (
        shop TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        since TIMESTAMPTZ NOT NULL, PRIMARY KEY (shop, stream, key))""",
    """CREATE TABLE IF NOT EXISTS smido_cache (
        shop TEXT NOT NULL, namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        stored_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (shop, namespace, key))""",
]
_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS smido_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS smido_shops (
        shop TEXT PRIMARY KEY, identity TEXT NOT NULL,
        bound_at TIMESTAMPTZ NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS smido_cursors (
        shop TEXT NOT NULL, stream TEXT NOT NULL, value TEXT,
        updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (shop, stream))""",
    """CREATE TABLE IF NOT EXISTS smido_deliveries (
        shop TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL,
        contact TEXT, since TIMESTAMPTZ NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, status TEXT, PRIMARY KEY (shop, stream, key))""",
    "CREATE INDEX IF NOT EXISTS smido_deliveries_state ON smido_deliveries (shop, stream, state)",
    """CREATE TABLE IF NOT EXISTS smido_leases (
        shop TEXT PRIMARY KEY, host TEXT, pid INTEGER, started_at TIMESTAMPTZ,
        token TEXT, expires_at TIMESTAMPTZ)""",
    """CREATE TABLE IF NOT EXISTS smido_budgets (
        shop TEXT PRIMARY KEY, next_slot DOUBLE PRECISION NOT NULL)""",
    *_V2,
]
#: Migrations from version N to N + 1 (index N - 1): 2 adds the order status beside each
#: delivery, per-key marks (consent memory) and the product-category cache.
_MIGRATIONS: list[list[str]] = [
    ["ALTER TABLE smido_deliveries ADD COLUMN IF NOT EXISTS status TEXT", *_V2],
]

_COLUMNS = "key, state, contact, since, attempts, last_error, status"
_UPSERT = (
    "INSERT INTO smido_deliveries (shop, stream, key, state, contact, since, last_error, status) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (shop, stream, key) DO UPDATE SET "
    "since = CASE WHEN smido_deliveries.state = excluded.state THEN smido_deliveries.since "
    "ELSE excluded.since END, state = excluded.state, "
    "contact = COALESCE(excluded.contact, smido_deliveries.contact), "
    "last_error = COALESCE(excluded.last_error, smido_deliveries.last_error), "
    "status = COALESCE(excluded.status, smido_deliveries.status)"
)

_pools: dict[tuple[str, int], ConnectionPool[Any]] = {}
_pools_lock = threading.Lock()
_migrated: set[tuple[str, int]] = set()


def _close_pools() -> None:
    with _pools_lock:
        for (_, pid), pool in list(_pools.items()):
            if pid == os.getpid():
                pool.close()
        _pools.clear()


atexit.register(_close_pools)


def shared_pool(url: str, *, max_size: int = 4) -> ConnectionPool[Any]:
    """This process's connection pool for ``url`` (opened on first use, closed at exit).

    Pools are per process: a forked worker (Celery prefork) opens its own.
    """
    key = (url, os.getpid())
    with _pools_lock:
        pool = _pools.get(key)
        if pool is None:
            pool = ConnectionPool(
                url, min_size=1, max_size=max_size, open=True, name="salesmanago-idosell"
            )
            _pools[key] = pool
        return pool


def masked_url(url: str) -> str:
    """``url`` without its password (for reprs, logs and errors)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unparsable URL)"
    user = parts.get("user")
    host = parts.get("host", "")
    port = parts.get("port")
    where = f"{host}:{port}" if port else str(host)
    who = f"{user}{':***' if parts.get('password') else ''}@" if user else ""
    return f"postgresql://{who}{where}/{parts.get('dbname', '')}"


def _migrate(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        for statement in _SCHEMA[:1]:
            conn.execute(statement)
        row = conn.execute("SELECT value FROM smido_meta WHERE key = 'schema'").fetchone()
        version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise StateMismatchError(
                f"the state database has schema {version}; this version of the SDK knows "
                f"{SCHEMA_VERSION}: upgrade salesmanago-idosell on every worker",
                stored=f"schema {version}",
                current=f"schema {SCHEMA_VERSION}",
            )
        if version == 0:
            for statement in _SCHEMA[1:]:
                conn.execute(statement)
        else:
            for step in _MIGRATIONS[version - 1 :]:
                for statement in step:
                    conn.execute(statement)
        conn.execute(
            "INSERT INTO smido_meta VALUES ('schema', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (str(SCHEMA_VERSION),),
        )


def _delivery(row: tuple[Any, ...]) -> Delivery:
    key, state, contact, since, attempts, error, status = row
    return Delivery(
        key=key,
        state=DeliveryState(state),
        contact=contact,
        since=since,
        attempts=attempts,
        last_error=error,
        status=status,
    )


class _Database:
    """A pool (shared or given) whose schema is checked once per process."""

    def __init__(self, database: str | ConnectionPool[Any]) -> None:
        if isinstance(database, str):
            if not database.startswith(("postgresql://", "postgres://")):
                raise ValidationError(
                    "the state database URL must start with postgresql://", field="state"
                )
            self.url: str | None = database
            self._pool: ConnectionPool[Any] | None = None
        else:
            self.url = None
            self._pool = database

    @property
    def pool(self) -> ConnectionPool[Any]:
        if self._pool is None:
            self._pool = shared_pool(str(self.url))
        key = (self.url or f"pool-{id(self._pool)}", os.getpid())
        if key not in _migrated:
            with self._pool.connection() as conn:
                _migrate(conn)
            _migrated.add(key)
        return self._pool

    def describe(self) -> str:
        return masked_url(self.url) if self.url else repr(self._pool)


def _check_shop(shop: str) -> str:
    if not shop or not shop.strip() or len(shop) > 200:
        raise ValidationError("shop key must be 1-200 characters", field="shop")
    return shop


class PostgresStateStore:
    """A :class:`~.state.StateStore` for one shop in a PostgreSQL database of many shops.

    Nothing is opened in the constructor; the schema is created (or migrated) on first use.
    Every write is one transaction: a checkpoint's cursor and the delivery states of the
    batch it acknowledges commit together.

    Args:
        database: a ``postgresql://`` URL (connections come from this process's shared pool,
            :func:`shared_pool`) or a ``psycopg_pool.ConnectionPool`` you own.
        shop: the shop key (the registry's key; 1-200 characters).

    Raises:
        StateMismatchError: on first use, when the database has a newer schema.
    """

    def __init__(self, database: str | ConnectionPool[Any], *, shop: str) -> None:
        self.shop = _check_shop(shop)
        self._db = _Database(database)

    def __repr__(self) -> str:
        return f"PostgresStateStore({self._db.describe()!r}, shop={self.shop!r})"

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._db.pool.connection() as conn:
            rows: list[tuple[Any, ...]] = conn.execute(sql, args).fetchall()
        return rows

    def _write(self, statements: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
        with self._db.pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            for sql, rows in statements:
                if rows:
                    cur.executemany(sql, rows)

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor."""
        rows = self._read(
            "SELECT value FROM smido_cursors WHERE shop = %s AND stream = %s", (self.shop, stream)
        )
        return rows[0][0] if rows else None

    def _upserts(
        self, stream: str, updates: Iterable[DeliveryUpdate]
    ) -> tuple[str, list[tuple[Any, ...]]]:
        now = utcnow()
        rows = [
            (self.shop, stream, u.key, u.state.value, u.contact, now, u.error, u.status)
            for u in updates
        ]
        return _UPSERT, rows

    def checkpoint(
        self, stream: str, cursor: str | None, *, updates: Iterable[DeliveryUpdate] = ()
    ) -> None:
        """Set the cursor and apply the updates, in one transaction."""
        self._write(
            [
                self._upserts(stream, updates),
                (
                    "INSERT INTO smido_cursors VALUES (%s, %s, %s, now()) "
                    "ON CONFLICT (shop, stream) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at",
                    [(self.shop, stream, cursor)],
                ),
            ]
        )

    def record(self, stream: str, updates: Iterable[DeliveryUpdate]) -> None:
        """Apply delivery updates, in one transaction."""
        self._write([self._upserts(stream, updates)])

    def begin(self, stream: str, contacts: Mapping[str, str | None]) -> None:
        """Mark keys pending, one attempt more each (one transaction)."""
        updates = [
            DeliveryUpdate(key=k, state=DeliveryState.PENDING, contact=c)
            for k, c in contacts.items()
        ]
        bump = (
            "UPDATE smido_deliveries SET attempts = attempts + 1 "
            "WHERE shop = %s AND stream = %s AND key = %s"
        )
        self._write(
            [self._upserts(stream, updates), (bump, [(self.shop, stream, k) for k in contacts])]
        )

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, DeliveryState]:
        """States of the known keys among ``keys`` (one query, ``key = ANY(...)``)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        rows = self._read(
            "SELECT key, state FROM smido_deliveries "
            "WHERE shop = %s AND stream = %s AND key = ANY(%s)",
            (self.shop, stream, wanted),
        )
        return {k: DeliveryState(s) for k, s in rows}

    def marks(self, stream: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The stream's marks (of these keys; all of them for ``None``)."""
        sql = "SELECT key, value FROM smido_marks WHERE shop = %s AND stream = %s"
        if keys is None:
            return dict(self._read(sql, (self.shop, stream)))
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        return dict(self._read(sql + " AND key = ANY(%s)", (self.shop, stream, wanted)))

    def mark(self, stream: str, values: Mapping[str, str | None]) -> None:
        """Set (or remove, for ``None``) marks, in one transaction."""
        now = utcnow()
        kept = [(self.shop, stream, k, v, now) for k, v in values.items() if v is not None]
        gone = [(self.shop, stream, k) for k, v in values.items() if v is None]
        self._write(
            [
                (
                    "INSERT INTO smido_marks VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (shop, stream, key) DO UPDATE SET value = excluded.value, "
                    "since = excluded.since",
                    kept,
                ),
                ("DELETE FROM smido_marks WHERE shop = %s AND stream = %s AND key = %s", gone),
            ]
        )

    def cached(self, namespace: str, keys: Iterable[str], *, max_age: float) -> dict[str, str]:
        """The values stored at most ``max_age`` seconds ago (one query)."""
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        oldest = utcnow() - timedelta(seconds=max_age)
        rows = self._read(
            "SELECT key, value FROM smido_cache WHERE shop = %s AND namespace = %s "
            "AND stored_at >= %s AND key = ANY(%s)",
            (self.shop, namespace, oldest, wanted),
        )
        return dict(rows)

    def cache(self, namespace: str, values: Mapping[str, str]) -> None:
        """Store the values, stamped now (one transaction)."""
        now = utcnow()
        rows = [(self.shop, namespace, k, v, now) for k, v in values.items()]
        self._write(
            [
                (
                    "INSERT INTO smido_cache VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (shop, namespace, key) DO UPDATE SET value = excluded.value, "
                    "stored_at = excluded.stored_at",
                    rows,
                )
            ]
        )

    def deliveries(
        self, stream: str, *, states: Collection[DeliveryState] | None = None
    ) -> list[Delivery]:
        """The stream's deliveries in these states, oldest state change first."""
        sql = f"SELECT {_COLUMNS} FROM smido_deliveries WHERE shop = %s AND stream = %s"  # noqa: S608
        args: tuple[Any, ...] = (self.shop, stream)
        if states is not None:
            sql += " AND state = ANY(%s)"
            args += ([s.value for s in states],)
        return [_delivery(r) for r in self._read(sql + " ORDER BY since, key", args)]

    def acquire_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Take the shop's lease in one transaction (row lock; expiry on the database clock).

        Raises:
            SyncInProgressError: another live run holds it.
        """
        with self._db.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO smido_leases (shop) VALUES (%s) ON CONFLICT DO NOTHING", (self.shop,)
            )
            row = conn.execute(
                "SELECT host, pid, started_at, token, expires_at, clock_timestamp() "
                "FROM smido_leases WHERE shop = %s FOR UPDATE",
                (self.shop,),
            ).fetchone()
            if row is None:  # pragma: no cover - inserted above in this transaction
                raise RuntimeError("the lease row vanished")
            host, pid, started, token, expires, now = row
            stored = (
                LeaseHolder(host=host, pid=pid, started_at=started, token=token)
                if token is not None
                else None
            )
            refusal = _refusal(stored, expires, holder, now)
            if refusal is not None:
                raise refusal
            conn.execute(
                "UPDATE smido_leases SET host = %s, pid = %s, started_at = %s, token = %s, "
                "expires_at = %s WHERE shop = %s",
                (
                    holder.host,
                    holder.pid,
                    holder.started_at,
                    holder.token,
                    now + timedelta(seconds=ttl),
                    self.shop,
                ),
            )

    def renew_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Extend the lease (taking it again if it expired and nobody else took it)."""
        self.acquire_lease(holder, ttl=ttl)

    def release_lease(self, holder: LeaseHolder) -> None:
        """Give the lease back (nothing happens when another holder has it)."""
        self._write(
            [
                (
                    "UPDATE smido_leases SET host = NULL, pid = NULL, started_at = NULL, "
                    "token = NULL, expires_at = NULL WHERE shop = %s AND token = %s",
                    [(self.shop, holder.token)],
                )
            ]
        )

    def lease(self) -> tuple[LeaseHolder, datetime] | None:
        """The current lease holder and its expiry, or ``None`` (for ``shops list``)."""
        rows = self._read(
            "SELECT host, pid, started_at, token, expires_at FROM smido_leases "
            "WHERE shop = %s AND token IS NOT NULL AND expires_at > clock_timestamp()",
            (self.shop,),
        )
        if not rows:
            return None
        host, pid, started, token, expires = rows[0]
        return LeaseHolder(host=host, pid=pid, started_at=started, token=token), expires

    def bind(self, identity: str) -> None:
        """Record or check the shop's identity."""
        with self._db.pool.connection() as conn, conn.transaction():
            conn.execute(
                "INSERT INTO smido_shops (shop, identity) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (self.shop, identity),
            )
            row = conn.execute(
                "SELECT identity FROM smido_shops WHERE shop = %s", (self.shop,)
            ).fetchone()
        if row is not None and row[0] != identity:
            raise _mismatch(row[0], identity)

    def close(self) -> None:
        """Nothing to release per store: connections go back to the pool after each call."""


class PostgresRateLimiter:
    """One IdoSell request budget per shop, shared by every worker through the database.

    Each :meth:`acquire` reserves the shop's next free slot in one atomic statement
    (``next_slot = GREATEST(next_slot, now) + interval``, on the database's clock) and
    sleeps until the slot starts, so ``per_second`` holds however many processes and
    machines call the shop. A reservation never holds a lock or a connection while waiting.

    Args:
        database: a ``postgresql://`` URL or a ``psycopg_pool.ConnectionPool``.
        shop: the shop key.
        per_second: the shop's request rate (requests per second, > 0).
        sleep: the sleep function (injected in tests).
    """

    def __init__(
        self,
        database: str | ConnectionPool[Any],
        *,
        shop: str,
        per_second: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValidationError("rate limit must be positive", field="rate_limit")
        self.shop = _check_shop(shop)
        self.interval = 1.0 / per_second
        self._db = _Database(database)
        self._sleep = sleep

    def __repr__(self) -> str:
        return (
            f"PostgresRateLimiter({self._db.describe()!r}, shop={self.shop!r}, "
            f"per_second={1.0 / self.interval:g})"
        )

    def reserve(self) -> float:
        """Reserve the next slot; returns the seconds to wait before it starts."""
        with self._db.pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO smido_budgets AS b (shop, next_slot) "
                "VALUES (%(shop)s, extract(epoch FROM clock_timestamp()) + %(interval)s) "
                "ON CONFLICT (shop) DO UPDATE SET next_slot = "
                "GREATEST(b.next_slot, extract(epoch FROM clock_timestamp())) + %(interval)s "
                "RETURNING next_slot - %(interval)s - extract(epoch FROM clock_timestamp())",
                {"shop": self.shop, "interval": self.interval},
            ).fetchone()
        return max(0.0, float(row[0])) if row is not None else 0.0

    def acquire(self) -> None:
        """Block until this shop's next request may start."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
