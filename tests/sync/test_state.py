"""State stores: cursors, delivery states, atomic checkpoints, the run lease, identity.

One suite for every store (parametrised), plus SQLite-only cases: persistence across
instances and processes, all-or-nothing checkpoints, the migration from the 0.1 schema.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from salesmanago_idosell.errors import StateMismatchError, StateStoreError, SyncInProgressError
from salesmanago_idosell.sync.delivery import (
    DeliveryState,
    DeliveryUpdate,
    LeaseHolder,
    email_hash,
    utcnow,
)
from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore

from ..services import postgres_url, unique

SENT, UNCERTAIN, REFUSED = DeliveryState.SENT, DeliveryState.UNCERTAIN, DeliveryState.REFUSED


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened: StateStore
    if request.param == "memory":
        opened = MemoryStateStore()
    elif request.param == "sqlite":
        opened = SQLiteStateStore(tmp_path / "state.sqlite")
    else:
        from salesmanago_idosell.sync.postgres import PostgresStateStore

        opened = PostgresStateStore(postgres_url(), shop=unique("suite"))
    yield opened
    opened.close()


def update(key: str, state: DeliveryState, error: str | None = None) -> DeliveryUpdate:
    return DeliveryUpdate(key=key, state=state, contact=f"c{key}@example.pl", error=error)


def test_cursor_and_delivery_states(store: StateStore) -> None:
    assert isinstance(store, StateStore)
    assert store.cursor("orders") is None
    store.begin("orders", {"1": "a@example.pl", "2": "b@example.pl"})
    assert store.known("orders", ["1", "2"]) == {
        "1": DeliveryState.PENDING,
        "2": DeliveryState.PENDING,
    }
    store.checkpoint(
        "orders", '{"page": 1}', updates=[update("1", SENT), update("2", UNCERTAIN, "500")]
    )
    assert store.cursor("orders") == '{"page": 1}'
    assert store.known("orders", ["1", "2", "3"]) == {"1": SENT, "2": UNCERTAIN}
    assert store.known("customers", ["1"]) == {}
    (row,) = store.deliveries("orders", states=[UNCERTAIN])
    assert (row.key, row.attempts, row.last_error) == ("2", 1, "500")
    assert row.contact_hash == email_hash("c2@example.pl")
    assert "c2@example.pl" not in repr(row)


def test_since_is_kept_while_the_state_stays(store: StateStore) -> None:
    store.record("orders", [update("9", UNCERTAIN, "timeout")])
    (first,) = store.deliveries("orders")
    store.record("orders", [update("9", UNCERTAIN, "reconciliation: not in the export")])
    (second,) = store.deliveries("orders")
    assert second.since == first.since
    assert second.last_error == "reconciliation: not in the export"
    store.record("orders", [update("9", SENT)])
    (third,) = store.deliveries("orders")
    assert third.state is SENT
    assert third.since >= first.since


def test_record_keeps_the_cursor(store: StateStore) -> None:
    store.checkpoint("orders", "c1")
    store.record("orders", [update("5", REFUSED)])
    assert store.cursor("orders") == "c1"
    assert [d.key for d in store.deliveries("orders", states=[REFUSED])] == ["5"]


def test_known_handles_many_keys(store: StateStore) -> None:
    keys = [str(i) for i in range(1500)]
    store.checkpoint("orders", None, updates=[update(k, SENT) for k in keys[::2]])
    assert set(store.known("orders", keys)) == set(keys[::2])


def test_second_holder_is_refused_until_release(store: StateStore) -> None:
    first, second = LeaseHolder.current(), LeaseHolder.current()
    store.acquire_lease(first, ttl=60)
    store.renew_lease(first, ttl=60)
    with pytest.raises(SyncInProgressError) as info:
        store.acquire_lease(second, ttl=60)
    assert f"pid {os.getpid()}" in info.value.holder
    store.release_lease(second)  # not its lease: nothing happens
    with pytest.raises(SyncInProgressError):
        store.acquire_lease(second, ttl=60)
    store.release_lease(first)
    store.acquire_lease(second, ttl=60)


def test_expired_lease_of_another_host_is_taken_over(store: StateStore) -> None:
    other = LeaseHolder(host="elsewhere.invalid", pid=1, started_at=utcnow(), token="x")
    store.acquire_lease(other, ttl=0.0)
    store.acquire_lease(LeaseHolder.current(), ttl=60)


def test_expired_lease_of_a_live_local_process_is_not_taken(store: StateStore) -> None:
    """It may still be sending (a slow page): taking over would send its orders twice."""
    store.acquire_lease(LeaseHolder.current(), ttl=0.0)
    with pytest.raises(SyncInProgressError):
        store.acquire_lease(LeaseHolder.current(), ttl=60)


def test_lease_of_a_dead_process_is_taken_over(store: StateStore) -> None:
    child = multiprocessing.get_context("spawn").Process(target=int)
    child.start()
    child.join()
    assert child.pid is not None
    dead = LeaseHolder.current()
    dead = LeaseHolder(host=dead.host, pid=child.pid, started_at=utcnow(), token="dead")
    store.acquire_lease(dead, ttl=3600)
    store.acquire_lease(LeaseHolder.current(), ttl=60)


def test_lease_of_another_host_holds_until_it_expires(store: StateStore) -> None:
    other = LeaseHolder(host="elsewhere.invalid", pid=1, started_at=utcnow(), token="x")
    store.acquire_lease(other, ttl=3600)
    with pytest.raises(SyncInProgressError, match=r"elsewhere\.invalid"):
        store.acquire_lease(LeaseHolder.current(), ttl=60)


def test_identity_is_bound_once(store: StateStore) -> None:
    store.bind("https://a.example.pl | client1")
    store.bind("https://a.example.pl | client1")
    with pytest.raises(StateMismatchError) as info:
        store.bind("https://b.example.pl | client1")
    assert info.value.stored == "https://a.example.pl | client1"


def _hold(path: str, ready: object, release: object) -> None:  # pragma: no cover - child
    store = SQLiteStateStore(path)
    store.acquire_lease(LeaseHolder.current(), ttl=60)
    ready.set()  # type: ignore[attr-defined]
    release.wait(20)  # type: ignore[attr-defined]


def test_sqlite_lease_holds_across_processes(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    path = str(tmp_path / "s.sqlite")
    child = ctx.Process(target=_hold, args=(path, ready, release))
    child.start()
    try:
        assert ready.wait(20)
        store = SQLiteStateStore(path)
        with pytest.raises(SyncInProgressError, match=f"pid {child.pid}"):
            store.acquire_lease(LeaseHolder.current(), ttl=60)
        release.set()
        child.join(20)
        store.acquire_lease(LeaseHolder.current(), ttl=60)  # the holder is gone
        store.close()
    finally:
        release.set()
        child.join(5)


def test_sqlite_persists_across_instances_and_opens_lazily(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.sqlite"
    first = SQLiteStateStore(path)
    assert not path.exists()
    first.begin("orders", {"7": "x@example.pl"})
    first.checkpoint("customers.export", '{"page": 3}')
    first.bind("shop | client")
    first.close()
    second = SQLiteStateStore(path)
    assert second.cursor("customers.export") == '{"page": 3}'
    assert second.known("orders", ["7"]) == {"7": DeliveryState.PENDING}
    with pytest.raises(StateMismatchError):
        second.bind("other shop | client")
    assert "state.sqlite" in repr(second)
    second.close()


def test_sqlite_checkpoint_is_all_or_nothing(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.checkpoint("orders", "old", updates=[update("1", SENT)])
    unbindable = object()  # fails inside the transaction, after the updates were written
    with pytest.raises(StateStoreError) as info:
        store.checkpoint("orders", unbindable, updates=[update("2", SENT)])  # type: ignore[arg-type]
    assert isinstance(info.value.__cause__, sqlite3.Error)
    assert store.cursor("orders") == "old"
    assert store.known("orders", ["1", "2"]) == {"1": SENT}
    store.close()


def test_sqlite_migrates_the_first_schema(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE cursors (stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE sent (stream TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL,
            at TEXT NOT NULL, PRIMARY KEY (stream, key));
        CREATE TABLE pending (stream TEXT NOT NULL, key TEXT NOT NULL, PRIMARY KEY (stream, key));
        INSERT INTO cursors VALUES ('orders', '{"since": "2026-01-01T00:00:00+00:00"}', 'x');
        INSERT INTO sent VALUES ('orders', '1', 'sent', '2026-01-01T00:00:00+00:00');
        INSERT INTO sent VALUES ('orders', '2', 'uncertain', '2026-01-01T00:00:00+00:00');
        INSERT INTO pending VALUES ('orders', '3');
        """
    )
    db.close()
    store = SQLiteStateStore(path)
    assert store.known("orders", ["1", "2", "3"]) == {
        "1": SENT,
        "2": UNCERTAIN,
        "3": DeliveryState.PENDING,
    }
    assert store.cursor("orders") == '{"since": "2026-01-01T00:00:00+00:00"}'
    store.close()


def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    created = SQLiteStateStore(path)
    created.cursor("orders")  # opens and creates the file
    created.close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    db.commit()
    db.close()
    store = SQLiteStateStore(path)
    with pytest.raises(StateMismatchError, match="schema 99"):
        store.cursor("orders")
    store.close()


def test_lease_holder_describes_itself() -> None:
    holder = LeaseHolder.current()
    assert holder.describe().startswith(f"{holder.host} pid {os.getpid()} since ")
    assert not holder.is_gone()
    assert holder.started_at - utcnow() < timedelta(seconds=1)


@pytest.mark.parametrize("kind", ["directory", "not-a-database"])
def test_sqlite_unusable_file_is_a_typed_error_naming_it(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "state.sqlite"
    if kind == "directory":
        path.mkdir()
    else:
        path.write_bytes(b"this is no SQLite database, just some text " * 20)
    store = SQLiteStateStore(path)
    with pytest.raises(StateStoreError, match="cannot use the state file") as info:
        store.cursor("orders")
    assert info.value.path == str(path)
    store.close()


def test_cache_answers_until_it_expires(store: StateStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.cache("products", {"1": "10", "2": ""})
    store.cache("other", {"1": "99"})
    assert store.cached("products", ["1", "2", "3"], max_age=60) == {"1": "10", "2": ""}
    store.cache("products", {"1": "11"})  # replaced, stamped again
    assert store.cached("products", ["1"], max_age=60) == {"1": "11"}
    later = utcnow() + timedelta(seconds=120)
    monkeypatch.setattr("salesmanago_idosell.sync.state.utcnow", lambda: later)
    if type(store).__name__ == "PostgresStateStore":  # the same clock in that module
        monkeypatch.setattr("salesmanago_idosell.sync.postgres.utcnow", lambda: later)
    assert store.cached("products", ["1", "2"], max_age=60) == {}
    assert store.cached("products", ["1", "2"], max_age=600) == {"1": "11", "2": ""}


def test_cache_handles_many_keys(store: StateStore) -> None:
    store.cache("products", {str(n): str(n % 7) for n in range(1200)})
    found = store.cached("products", (str(n) for n in range(0, 1300)), max_age=60)
    assert len(found) == 1200
    assert found["1199"] == str(1199 % 7)


def test_a_descending_cursor_survives_the_store() -> None:
    from salesmanago_idosell.sync.cursor import Cursor

    cursor = Cursor(page=7, descending=True, started=utcnow(), until=utcnow())
    again = Cursor.load(cursor.dump())
    assert again == cursor
    assert again.after(7) == 6
    assert again.at_page(-1).page is None  # past page 0: nothing left to read
    assert Cursor.load(Cursor(page=3).dump()).after(3) == 4


class _LockedAtFirst:
    """A connection whose WAL switch is refused as a deadlock ``refusals`` times."""

    def __init__(self, refusals: int, message: str = "database is locked") -> None:
        self.refusals, self.message, self.tries = refusals, message, 0

    def execute(self, sql: str) -> None:
        self.tries += 1
        if self.tries <= self.refusals:
            raise sqlite3.OperationalError(self.message)


def test_opening_a_file_another_run_is_creating_waits_for_it() -> None:
    from salesmanago_idosell.sync.state import _write_ahead_log

    db = _LockedAtFirst(3)
    _write_ahead_log(db, wait=5)  # type: ignore[arg-type]
    assert db.tries == 4
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _write_ahead_log(_LockedAtFirst(10**6), wait=0.1)  # type: ignore[arg-type]
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        _write_ahead_log(_LockedAtFirst(1, "disk I/O error"), wait=5)  # type: ignore[arg-type]
