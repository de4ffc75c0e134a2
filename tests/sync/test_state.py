"""State stores: persistence, atomic checkpoints, the write-ahead batch."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened: StateStore = (
        MemoryStateStore()
        if request.param == "memory"
        else SQLiteStateStore(tmp_path / "state.sqlite")
    )
    yield opened
    opened.close()


def test_cursor_sent_and_pending(store: StateStore) -> None:
    assert isinstance(store, StateStore)
    assert store.cursor("orders") is None
    store.begin("orders", ["1", "2"])
    assert store.pending("orders") == ("1", "2")
    store.checkpoint("orders", '{"page": 1}', sent=["1"], uncertain=["2"])
    assert store.cursor("orders") == '{"page": 1}'
    assert store.pending("orders") == ()
    assert store.known("orders", ["1", "2", "3"]) == {"1": "sent", "2": "uncertain"}
    assert store.known("customers", ["1"]) == {}
    store.checkpoint("orders", None, sent=["2"])
    assert store.known("orders", ["2"]) == {"2": "sent"}
    assert store.cursor("orders") is None


def test_known_handles_many_keys(store: StateStore) -> None:
    keys = [str(i) for i in range(1500)]
    store.checkpoint("orders", None, sent=keys[::2])
    assert set(store.known("orders", keys)) == set(keys[::2])


def test_sqlite_persists_across_instances_and_opens_lazily(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "state.sqlite"
    first = SQLiteStateStore(path)
    assert not path.exists()
    first.begin("orders", ["7"])
    first.checkpoint("customers.export", '{"page": 3}', sent=["a"])
    first.close()
    second = SQLiteStateStore(path)
    assert second.cursor("customers.export") == '{"page": 3}'
    assert second.pending("orders") == ("7",)
    assert second.known("customers.export", ["a"]) == {"a": "sent"}
    assert "state.sqlite" in repr(second)
    second.close()


def test_sqlite_checkpoint_is_all_or_nothing(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite")
    store.checkpoint("orders", "old", sent=["1"])

    unbindable = object()  # fails inside the transaction, after the keys were inserted
    with pytest.raises(sqlite3.Error):
        store.checkpoint("orders", unbindable, sent=["2"])  # type: ignore[arg-type]
    assert store.cursor("orders") == "old"
    assert store.known("orders", ["1", "2"]) == {"1": "sent"}
    store.close()
