"""Where a sync remembers how far it got: cursors, sent orders and the in-flight batch.

A :class:`StateStore` keeps, per stream (``"customers.export"``, ``"orders"``, ...):

* a **cursor** (an opaque string: the engine stores JSON);
* the set of **sent keys** (order serial numbers already sent as PURCHASE events), each
  marked ``sent`` or ``uncertain`` (the request may have reached SALESmanago, but no answer
  came back: never sent again automatically);
* the **pending** batch: a write-ahead record of the keys being sent right now. It is cleared
  by the checkpoint that follows SALESmanago's acknowledgement; finding it at the start of a
  run means the previous run was killed between sending and checkpointing.

:meth:`StateStore.checkpoint` moves the cursor, records the sent keys and clears the pending
batch in one transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

__all__ = ["MemoryStateStore", "SQLiteStateStore", "SentStatus", "StateStore"]

SentStatus = Literal["sent", "uncertain"]


@runtime_checkable
class StateStore(Protocol):
    """Persistent sync state (see the module docstring)."""

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor, or ``None`` before its first checkpoint."""

    def checkpoint(
        self,
        stream: str,
        cursor: str | None,
        *,
        sent: Iterable[str] = (),
        uncertain: Iterable[str] = (),
    ) -> None:
        """Atomically: set the cursor, record sent/uncertain keys, clear the pending batch."""

    def begin(self, stream: str, keys: Sequence[str]) -> None:
        """Record the batch about to be sent (write-ahead)."""

    def pending(self, stream: str) -> tuple[str, ...]:
        """The keys of a batch that was being sent when a previous run stopped."""

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, SentStatus]:
        """Which of ``keys`` were already sent (or possibly sent), with their status."""

    def close(self) -> None:
        """Release the store's resources."""


class MemoryStateStore:
    """A :class:`StateStore` in memory (tests, notebooks, one-off runs)."""

    def __init__(self) -> None:
        self._cursors: dict[str, str | None] = {}
        self._sent: dict[str, dict[str, SentStatus]] = {}
        self._pending: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return f"MemoryStateStore(streams={sorted(self._cursors)})"

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor."""
        return self._cursors.get(stream)

    def checkpoint(
        self,
        stream: str,
        cursor: str | None,
        *,
        sent: Iterable[str] = (),
        uncertain: Iterable[str] = (),
    ) -> None:
        """Set the cursor, record keys and clear the pending batch."""
        keys = self._sent.setdefault(stream, {})
        keys.update(dict.fromkeys(uncertain, "uncertain"))
        keys.update(dict.fromkeys(sent, "sent"))
        self._cursors[stream] = cursor
        self._pending.pop(stream, None)

    def begin(self, stream: str, keys: Sequence[str]) -> None:
        """Record the in-flight batch."""
        self._pending[stream] = tuple(keys)

    def pending(self, stream: str) -> tuple[str, ...]:
        """The in-flight batch of a previous run."""
        return self._pending.get(stream, ())

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, SentStatus]:
        """Already sent keys among ``keys``."""
        stored = self._sent.get(stream, {})
        return {k: stored[k] for k in keys if k in stored}

    def close(self) -> None:
        """Nothing to release."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS cursors (
    stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sent (
    stream TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (stream, key));
CREATE TABLE IF NOT EXISTS pending (
    stream TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (stream, key));
"""
_QUERY_CHUNK = 500


class SQLiteStateStore:
    """A :class:`StateStore` in a SQLite file (the default; stdlib ``sqlite3``, WAL mode).

    The file is opened on first use, not in the constructor. Each checkpoint is one
    transaction, so a crash leaves either the old or the new state, never a mix.

    Args:
        path: the database file (created when missing).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None

    def __repr__(self) -> str:
        return f"SQLiteStateStore({str(self.path)!r})"

    @property
    def db(self) -> sqlite3.Connection:
        """The open connection (opened and migrated on first use)."""
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def cursor(self, stream: str) -> str | None:
        """The stream's cursor."""
        row = self.db.execute("SELECT value FROM cursors WHERE stream = ?", (stream,)).fetchone()
        return None if row is None else row[0]

    def checkpoint(
        self,
        stream: str,
        cursor: str | None,
        *,
        sent: Iterable[str] = (),
        uncertain: Iterable[str] = (),
    ) -> None:
        """Set the cursor, record keys and clear the pending batch, in one transaction."""
        now = datetime.now(timezone.utc).isoformat()
        rows = [(stream, k, "uncertain", now) for k in uncertain]
        rows += [(stream, k, "sent", now) for k in sent]
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?)", rows)
            db.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?)", (stream, cursor, now))
            db.execute("DELETE FROM pending WHERE stream = ?", (stream,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def begin(self, stream: str, keys: Sequence[str]) -> None:
        """Record the in-flight batch (replacing any older one)."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM pending WHERE stream = ?", (stream,))
            db.executemany(
                "INSERT OR IGNORE INTO pending VALUES (?, ?)", [(stream, k) for k in keys]
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def pending(self, stream: str) -> tuple[str, ...]:
        """The in-flight batch of a previous run."""
        rows = self.db.execute("SELECT key FROM pending WHERE stream = ? ORDER BY key", (stream,))
        return tuple(r[0] for r in rows)

    def known(self, stream: str, keys: Iterable[str]) -> dict[str, SentStatus]:
        """Already sent keys among ``keys``."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, SentStatus] = {}
        for start in range(0, len(wanted), _QUERY_CHUNK):
            chunk = wanted[start : start + _QUERY_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT key, status FROM sent WHERE stream = ? AND key IN ({marks})",  # noqa: S608
                (stream, *chunk),
            )
            found.update(dict(rows))
        return found

    def close(self) -> None:
        """Close the database connection."""
        if self._db is not None:
            self._db.close()
            self._db = None
