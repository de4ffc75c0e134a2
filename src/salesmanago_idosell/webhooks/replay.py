"""Replay memory of webhook deliveries: which event uids were already received.

A :class:`ReplayStore` remembers each delivery's event uid for ``retention`` (7 days by
default, far longer than the receiver's time tolerance, so a replayed delivery is refused both
as stale and as seen). :class:`SQLiteReplayStore` keeps its own table (``webhook_deliveries``)
through its own connection, so it may share the sync state's SQLite file.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_RETENTION", "MemoryReplayStore", "ReplayStore", "SQLiteReplayStore"]

#: How long an event uid is remembered.
DEFAULT_RETENTION = timedelta(days=7)
_PRUNE_EVERY = 500


@runtime_checkable
class ReplayStore(Protocol):
    """Remembers the event uids of accepted deliveries."""

    def remember(self, uid: str, *, at: datetime) -> bool:
        """Record ``uid`` received at ``at``; False when it was already recorded."""

    def forget(self, uid: str) -> None:
        """Drop ``uid`` (its delivery could not be handed over: let a retry through)."""

    def close(self) -> None:
        """Release the store's resources."""


class MemoryReplayStore:
    """A :class:`ReplayStore` in memory (one process; tests)."""

    def __init__(self, *, retention: timedelta = DEFAULT_RETENTION) -> None:
        self.retention = retention
        self._seen: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryReplayStore(uids={len(self._seen)})"

    def remember(self, uid: str, *, at: datetime) -> bool:
        """Record ``uid``; False when already recorded (and not yet expired)."""
        with self._lock:
            if len(self._seen) % _PRUNE_EVERY == 0:
                limit = at - self.retention
                self._seen = {k: v for k, v in self._seen.items() if v >= limit}
            if uid in self._seen:
                return False
            self._seen[uid] = at
            return True

    def forget(self, uid: str) -> None:
        """Drop ``uid``."""
        with self._lock:
            self._seen.pop(uid, None)

    def close(self) -> None:
        """Nothing to release."""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    uid TEXT PRIMARY KEY, received_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_deliveries_received ON webhook_deliveries (received_at);
"""


class SQLiteReplayStore:
    """A :class:`ReplayStore` in a SQLite file (safe to share with the sync state's file).

    Args:
        path: the database file (created when missing).
        retention: how long a uid is remembered.
    """

    def __init__(self, path: str | Path, *, retention: timedelta = DEFAULT_RETENTION) -> None:
        self.path = Path(path)
        self.retention = retention
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._inserts = 0

    def __repr__(self) -> str:
        return f"SQLiteReplayStore({str(self.path)!r})"

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
            self._db = db
        return self._db

    def remember(self, uid: str, *, at: datetime) -> bool:
        """Record ``uid``; False when already recorded (and not yet expired)."""
        with self._lock:
            db = self._conn()
            self._inserts += 1
            if self._inserts % _PRUNE_EVERY == 1:
                limit = (at - self.retention).isoformat()
                db.execute("DELETE FROM webhook_deliveries WHERE received_at < ?", (limit,))
            cursor = db.execute(
                "INSERT OR IGNORE INTO webhook_deliveries (uid, received_at) VALUES (?, ?)",
                (uid, at.isoformat()),
            )
            return cursor.rowcount == 1

    def forget(self, uid: str) -> None:
        """Drop ``uid``."""
        with self._lock:
            self._conn().execute("DELETE FROM webhook_deliveries WHERE uid = ?", (uid,))

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
