"""Where a sync remembers how far it got: cursors, delivery states, the run lease.

A :class:`StateStore` keeps, per stream (``"customers.export"``, ``"orders"``, ...):

* a **cursor** (an opaque string: the engine stores a JSON :class:`~.cursor.Cursor`);
* a **delivery state** per record whose sending is not idempotent (order serial number ->
  :class:`~.delivery.DeliveryState`, with the contact, since when, the last error and the
  order status it was sent for);
* **marks**: small per-record values a stream remembers (the consent last sent to each
  contact, customers whose order history is due, ...): ``key -> text``;

a small **cache** of answers worth keeping between runs (product -> category), each value
with the time it was stored (:meth:`StateStore.cached` / :meth:`StateStore.cache`);

and, for the whole store:

* the **run lease**: one run at a time. :meth:`StateStore.acquire_lease` fails with
  :class:`~salesmanago_idosell.errors.SyncInProgressError` while another run holds it; the
  lease is renewed while the run goes on and taken over when it expired or its holder is
  provably gone (same host, process not alive);
* the **identity** of the shop and SALESmanago account it belongs to (:meth:`bind`): a store
  written for another shop or account is refused with
  :class:`~salesmanago_idosell.errors.StateMismatchError`.

:meth:`StateStore.checkpoint` moves a cursor and records delivery states in one transaction,
so a crash leaves either the old or the new state, never a mix.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..errors import StateMismatchError, StateStoreError, SyncInProgressError
from .delivery import Delivery, DeliveryState, DeliveryUpdate, LeaseHolder, utcnow

__all__ = ["MemoryStateStore", "SQLiteStateStore", "StateStore"]

SCHEMA_VERSION = 3


@runtime_checkable
class StateStore(Protocol):
    """Persistent sync state (see the module docstring)."""

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor, or ``None`` before its first checkpoint."""

    def checkpoint(
        self, stream: str, cursor: str | None, *, updates: Iterable[DeliveryUpdate] = ()
    ) -> None:
        """Atomically: set the stream's cursor and apply the delivery updates."""

    def record(self, stream: str, updates: Iterable[DeliveryUpdate]) -> None:
        """Atomically apply delivery updates (the cursor stays)."""

    def begin(self, stream: str, contacts: Mapping[str, str | None]) -> None:
        """Write ahead: mark these keys (key -> contact e-mail) ``pending``, one attempt more."""

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, DeliveryState]:
        """The delivery state of each of ``keys`` that has one."""

    def marks(self, stream: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The stream's marks (of these keys; all of them for ``None``)."""

    def mark(self, stream: str, values: Mapping[str, str | None]) -> None:
        """Atomically set these marks (``None`` removes one)."""

    def deliveries(
        self, stream: str, *, states: Collection[DeliveryState] | None = None
    ) -> list[Delivery]:
        """The stream's deliveries (in these states), oldest state change first."""

    def cached(self, namespace: str, keys: Iterable[str], *, max_age: float) -> dict[str, str]:
        """The cached values of ``keys`` in ``namespace`` stored at most ``max_age`` seconds
        ago (absent keys: never stored, or expired)."""

    def cache(self, namespace: str, values: Mapping[str, str]) -> None:
        """Store ``values`` (key -> value) in ``namespace``, stamped now, replacing old ones."""

    def acquire_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Take the run lease for ``ttl`` seconds, or raise ``SyncInProgressError``."""

    def renew_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Extend the lease this holder has (raises ``SyncInProgressError`` if it lost it)."""

    def release_lease(self, holder: LeaseHolder) -> None:
        """Give the lease back (nothing happens when another holder has it)."""

    def bind(self, identity: str) -> None:
        """Record the shop/account identity, or raise ``StateMismatchError`` on another one."""

    def close(self) -> None:
        """Release the store's resources."""


def _refusal(
    stored: LeaseHolder | None, expires: datetime | None, holder: LeaseHolder, now: datetime
) -> SyncInProgressError | None:
    """The error refusing ``holder`` the lease, or ``None`` when it may take it."""
    if stored is None or expires is None or stored.token == holder.token:
        return None
    if stored.is_gone():
        return None
    if expires <= now and not stored.is_alive_here():
        return None  # expired, and not a process of this host that is still running
    return SyncInProgressError(
        f"another run holds this state's lease: {stored.describe()} "
        f"(expires {expires.isoformat(timespec='seconds')} unless renewed)",
        holder=stored.describe(),
        expires_at=expires.isoformat(),
    )


def _mismatch(stored: str, current: str) -> StateMismatchError:
    return StateMismatchError(
        f"this state belongs to {stored!r}, not {current!r}: give each shop and account its "
        "own state",
        stored=stored,
        current=current,
    )


def _changed(old: Delivery | None, update: DeliveryUpdate, now: datetime) -> Delivery:
    since = old.since if old is not None and old.state is update.state else now
    return Delivery(
        key=update.key,
        state=update.state,
        contact=update.contact or (old.contact if old else None),
        since=since,
        attempts=old.attempts if old else 0,
        last_error=update.error if update.error is not None else (old.last_error if old else None),
        status=update.status if update.status is not None else (old.status if old else None),
    )


class MemoryStateStore:
    """A :class:`StateStore` in memory (tests, notebooks, one-off runs)."""

    def __init__(self) -> None:
        self._cursors: dict[str, str | None] = {}
        self._deliveries: dict[str, dict[str, Delivery]] = {}
        self._marks: dict[str, dict[str, str]] = {}
        self._lease: tuple[LeaseHolder, datetime] | None = None
        self._identity: str | None = None
        self._cache: dict[str, dict[str, tuple[str, datetime]]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryStateStore(streams={sorted(self._cursors)})"

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor."""
        return self._cursors.get(stream)

    def checkpoint(
        self, stream: str, cursor: str | None, *, updates: Iterable[DeliveryUpdate] = ()
    ) -> None:
        """Set the cursor and apply the updates."""
        self.record(stream, updates)
        self._cursors[stream] = cursor

    def record(self, stream: str, updates: Iterable[DeliveryUpdate]) -> None:
        """Apply delivery updates."""
        rows = self._deliveries.setdefault(stream, {})
        now = utcnow()
        for update in updates:
            rows[update.key] = _changed(rows.get(update.key), update, now)

    def begin(self, stream: str, contacts: Mapping[str, str | None]) -> None:
        """Mark keys pending."""
        rows = self._deliveries.setdefault(stream, {})
        now = utcnow()
        for key, contact in contacts.items():
            old = rows.get(key)
            new = _changed(old, DeliveryUpdate(key=key, state=DeliveryState.PENDING), now)
            rows[key] = Delivery(
                key=key,
                state=new.state,
                contact=contact or new.contact,
                since=new.since,
                attempts=new.attempts + 1,
                last_error=new.last_error,
                status=new.status,
            )

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, DeliveryState]:
        """States of the known keys among ``keys``."""
        rows = self._deliveries.get(stream, {})
        return {k: rows[k].state for k in keys if k in rows}

    def marks(self, stream: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The stream's marks (of these keys)."""
        rows = self._marks.get(stream, {})
        if keys is None:
            return dict(rows)
        return {k: rows[k] for k in keys if k in rows}

    def mark(self, stream: str, values: Mapping[str, str | None]) -> None:
        """Set (or remove, for ``None``) marks."""
        with self._lock:
            rows = self._marks.setdefault(stream, {})
            for key, value in values.items():
                if value is None:
                    rows.pop(key, None)
                else:
                    rows[key] = value

    def deliveries(
        self, stream: str, *, states: Collection[DeliveryState] | None = None
    ) -> list[Delivery]:
        """The stream's deliveries in these states."""
        rows = self._deliveries.get(stream, {}).values()
        chosen = [d for d in rows if states is None or d.state in states]
        return sorted(chosen, key=lambda d: (d.since, d.key))

    def cached(self, namespace: str, keys: Iterable[str], *, max_age: float) -> dict[str, str]:
        """The values stored at most ``max_age`` seconds ago."""
        rows = self._cache.get(namespace, {})
        oldest = utcnow() - timedelta(seconds=max_age)
        found = ((k, rows.get(k)) for k in keys)
        return {k: v[0] for k, v in found if v is not None and v[1] >= oldest}

    def cache(self, namespace: str, values: Mapping[str, str]) -> None:
        """Store the values, stamped now."""
        now = utcnow()
        self._cache.setdefault(namespace, {}).update((k, (v, now)) for k, v in values.items())

    def acquire_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Take the lease."""
        with self._lock:
            now = utcnow()
            stored, expires = self._lease if self._lease else (None, None)
            refusal = _refusal(stored, expires, holder, now)
            if refusal is not None:
                raise refusal
            self._lease = (holder, now + timedelta(seconds=ttl))

    def renew_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Extend the lease."""
        self.acquire_lease(holder, ttl=ttl)

    def release_lease(self, holder: LeaseHolder) -> None:
        """Give the lease back."""
        with self._lock:
            if self._lease is not None and self._lease[0].token == holder.token:
                self._lease = None

    def bind(self, identity: str) -> None:
        """Record or check the identity."""
        if self._identity is None:
            self._identity = identity
        elif self._identity != identity:
            raise _mismatch(self._identity, identity)

    def close(self) -> None:
        """Nothing to release."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursors (
    stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    stream TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, contact TEXT,
    since TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, status TEXT,
    PRIMARY KEY (stream, key));
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (stream, state);
CREATE TABLE IF NOT EXISTS marks (
    stream TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, since TEXT NOT NULL,
    PRIMARY KEY (stream, key));
CREATE TABLE IF NOT EXISTS cache (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, stored_at TEXT NOT NULL,
    PRIMARY KEY (namespace, key));
CREATE TABLE IF NOT EXISTS lease (
    id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT NOT NULL, pid INTEGER NOT NULL,
    started_at TEXT NOT NULL, token TEXT NOT NULL, expires_at TEXT NOT NULL);
"""
#: Version 1 (0.1.0) kept ``sent`` (sent / uncertain) and ``pending`` tables.
_MIGRATE_V1 = """
INSERT OR IGNORE INTO deliveries (stream, key, state, since)
    SELECT stream, key, status, at FROM sent;
INSERT OR REPLACE INTO deliveries (stream, key, state, since)
    SELECT stream, key, 'pending', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') FROM pending;
DROP TABLE sent;
DROP TABLE pending;
"""
#: Version 2 (0.2.0) had no order status beside a delivery (and no marks table).
_MIGRATE_V2 = "ALTER TABLE deliveries ADD COLUMN status TEXT"
_QUERY_CHUNK = 500
#: Seconds a connection waits for another one's lock on the file.
_BUSY = 30.0
_COLUMNS = "key, state, contact, since, attempts, last_error, status"


def _write_ahead_log(db: sqlite3.Connection, *, wait: float = _BUSY) -> None:
    """Switch the file to WAL mode, waiting up to ``wait`` seconds for other connections.

    SQLite answers "database is locked" at once, without its busy wait, when the switch
    would deadlock with a connection writing the file (two runs opening a new state file
    together): the statement is tried again until ``wait`` runs out.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _script(db: sqlite3.Connection, script: str) -> None:
    """Run the statements one by one (``executescript`` would commit the transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _delivery(row: tuple[str, str, str | None, str, int, str | None, str | None]) -> Delivery:
    key, state, contact, since, attempts, error, status = row
    return Delivery(
        key=key,
        state=DeliveryState(state),
        contact=contact,
        since=datetime.fromisoformat(since),
        attempts=attempts,
        last_error=error,
        status=status,
    )


class SQLiteStateStore:
    """A :class:`StateStore` in a SQLite file (the default; stdlib ``sqlite3``, WAL mode).

    The file is opened (and created or migrated) on first use, not in the constructor. Each
    checkpoint is one transaction. Several processes may open the same file: the run lease
    lets one of them run at a time.

    Args:
        path: the database file (created when missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"SQLiteStateStore({str(self.path)!r})"

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (opened and migrated on first use).

        Raises:
            StateStoreError: the file cannot be opened, is not a database, or is read-only.
        """
        if self._db is None:
            with self._errors():
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=_BUSY
                )
                try:
                    _write_ahead_log(db)
                    db.execute("PRAGMA synchronous=FULL")
                    self._migrate(db)
                except BaseException:
                    db.close()
                    raise
            self._db = db
        return self._db

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite and file-system errors as :class:`StateStoreError` naming the file."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise StateStoreError(
                f"cannot use the state file {self.path}: {exc}", path=str(self.path)
            ) from exc

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            _script(db, _SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            version = int(row[0]) if row else 1
            if version > SCHEMA_VERSION:
                raise StateMismatchError(
                    f"the state file has schema {version}; this version of the SDK knows "
                    f"{SCHEMA_VERSION}: upgrade salesmanago-idosell",
                    stored=f"schema {version}",
                    current=f"schema {SCHEMA_VERSION}",
                )
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
            if {"sent", "pending"} <= tables:
                _script(db, _MIGRATE_V1)
            columns = {r[1] for r in db.execute("PRAGMA table_info(deliveries)")}
            if "status" not in columns:
                db.execute(_MIGRATE_V2)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _write(self, statements: list[tuple[str, list[tuple[object, ...]]]]) -> None:
        with self._lock, self._errors():
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                for sql, rows in statements:
                    db.executemany(sql, rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor."""
        with self._lock:
            row = self.db.execute(
                "SELECT value FROM cursors WHERE stream = ?", (stream,)
            ).fetchone()
        return None if row is None else row[0]

    def _upserts(
        self, stream: str, updates: Iterable[DeliveryUpdate], *, attempt: bool = False
    ) -> tuple[str, list[tuple[object, ...]]]:
        """The upsert of ``updates``; ``attempt`` also counts one attempt more for each key
        (in the same statement: this runs for every order sent)."""
        now = utcnow().isoformat()
        tries = 1 if attempt else 0
        rows: list[tuple[object, ...]] = [
            (stream, u.key, u.state._value_, u.contact, now, u.error, u.status, tries)
            for u in updates
        ]
        sql = (
            "INSERT INTO deliveries (stream, key, state, contact, since, last_error, status, "
            "attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (stream, key) DO UPDATE SET "
            "since = CASE WHEN deliveries.state = excluded.state THEN deliveries.since "
            "ELSE excluded.since END, state = excluded.state, "
            "contact = COALESCE(excluded.contact, deliveries.contact), "
            "last_error = COALESCE(excluded.last_error, deliveries.last_error), "
            "status = COALESCE(excluded.status, deliveries.status), "
            "attempts = deliveries.attempts + excluded.attempts"
        )
        return sql, rows

    def checkpoint(
        self, stream: str, cursor: str | None, *, updates: Iterable[DeliveryUpdate] = ()
    ) -> None:
        """Set the cursor and apply the updates, in one transaction."""
        now = utcnow().isoformat()
        self._write(
            [
                self._upserts(stream, updates),
                ("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", [(stream, cursor, now)]),
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
        self._write([self._upserts(stream, updates, attempt=True)])

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, DeliveryState]:
        """States of the known keys among ``keys``."""
        sql = "SELECT key, state FROM deliveries WHERE stream = ? AND key IN"
        return {k: DeliveryState(v) for k, v in self._select_in(sql, [stream], keys)}

    def _select_in(
        self, sql: str, args: list[object], keys: Iterable[str]
    ) -> Iterator[tuple[str, str]]:
        """``sql`` (ending in ``key IN``) for ``keys``, 500 at a time: the (key, value) rows."""
        wanted = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(wanted), _QUERY_CHUNK):
                chunk = wanted[start : start + _QUERY_CHUNK]
                marks = ",".join("?" * len(chunk))
                yield from self.db.execute(f"{sql} ({marks})", (*args, *chunk))

    def marks(self, stream: str, keys: Iterable[str] | None = None) -> dict[str, str]:
        """The stream's marks (of these keys)."""
        if keys is None:
            with self._lock:
                sql = "SELECT key, value FROM marks WHERE stream = ?"
                return dict(self.db.execute(sql, (stream,)).fetchall())
        sql = "SELECT key, value FROM marks WHERE stream = ? AND key IN"
        return dict(self._select_in(sql, [stream], keys))

    def mark(self, stream: str, values: Mapping[str, str | None]) -> None:
        """Set (or remove, for ``None``) marks, in one transaction."""
        now = utcnow().isoformat()
        kept: list[tuple[object, ...]] = [
            (stream, k, v, now) for k, v in values.items() if v is not None
        ]
        gone: list[tuple[object, ...]] = [(stream, k) for k, v in values.items() if v is None]
        self._write(
            [
                ("INSERT OR REPLACE INTO marks VALUES (?, ?, ?, ?)", kept),
                ("DELETE FROM marks WHERE stream = ? AND key = ?", gone),
            ]
        )

    def deliveries(
        self, stream: str, *, states: Collection[DeliveryState] | None = None
    ) -> list[Delivery]:
        """The stream's deliveries in these states, oldest state change first."""
        sql = f"SELECT {_COLUMNS} FROM deliveries WHERE stream = ?"  # noqa: S608
        args: list[str] = [stream]
        if states is not None:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            args += [s.value for s in states]
        with self._lock:
            rows = self.db.execute(sql + " ORDER BY since, key", args).fetchall()
        return [_delivery(r) for r in rows]

    def cached(self, namespace: str, keys: Iterable[str], *, max_age: float) -> dict[str, str]:
        """The values stored at most ``max_age`` seconds ago (500 keys per query)."""
        oldest = (utcnow() - timedelta(seconds=max_age)).isoformat()
        sql = "SELECT key, value FROM cache WHERE namespace = ? AND stored_at >= ? AND key IN"
        return dict(self._select_in(sql, [namespace, oldest], keys))

    def cache(self, namespace: str, values: Mapping[str, str]) -> None:
        """Store the values, stamped now (one transaction)."""
        now = utcnow().isoformat()
        rows: list[tuple[object, ...]] = [(namespace, k, v, now) for k, v in values.items()]
        self._write([("INSERT OR REPLACE INTO cache VALUES (?, ?, ?, ?)", rows)])

    def acquire_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Take the lease in one ``BEGIN IMMEDIATE`` transaction (safe across processes)."""
        with self._lock:
            db = self.db
            db.execute("BEGIN IMMEDIATE")
            try:
                self._take_lease(db, holder, ttl)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _take_lease(db: sqlite3.Connection, holder: LeaseHolder, ttl: float) -> None:
        row = db.execute(
            "SELECT host, pid, started_at, token, expires_at FROM lease WHERE id = 1"
        ).fetchone()
        stored = expires = None
        if row is not None:
            host, pid, started, token, until = row
            stored = LeaseHolder(
                host=host, pid=pid, started_at=datetime.fromisoformat(started), token=token
            )
            expires = datetime.fromisoformat(until)
        now = utcnow()
        refusal = _refusal(stored, expires, holder, now)
        if refusal is not None:
            raise refusal
        db.execute(
            "INSERT OR REPLACE INTO lease VALUES (1, ?, ?, ?, ?, ?)",
            (
                holder.host,
                holder.pid,
                holder.started_at.isoformat(),
                holder.token,
                (now + timedelta(seconds=ttl)).isoformat(),
            ),
        )

    def renew_lease(self, holder: LeaseHolder, *, ttl: float) -> None:
        """Extend the lease (taking it again if it expired and nobody else took it)."""
        self.acquire_lease(holder, ttl=ttl)

    def release_lease(self, holder: LeaseHolder) -> None:
        """Give the lease back."""
        self._write([("DELETE FROM lease WHERE id = 1 AND token = ?", [(holder.token,)])])

    def bind(self, identity: str) -> None:
        """Record or check the identity."""
        with self._lock:
            row = self.db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
            if row is None:
                self._write([("INSERT OR IGNORE INTO meta VALUES ('identity', ?)", [(identity,)])])
            elif row[0] != identity:
                raise _mismatch(row[0], identity)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
