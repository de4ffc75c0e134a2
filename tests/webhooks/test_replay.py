"""The replay memories: in memory and in SQLite (beside the sync state, in the same file)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from salesmanago_idosell.sync.delivery import DeliveryState, DeliveryUpdate
from salesmanago_idosell.sync.state import SQLiteStateStore
from salesmanago_idosell.webhooks import MemoryReplayStore, ReplayStore, SQLiteReplayStore

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReplayStore]:
    chosen: ReplayStore = (
        MemoryReplayStore(retention=timedelta(hours=1))
        if request.param == "memory"
        else SQLiteReplayStore(tmp_path / "state.sqlite", retention=timedelta(hours=1))
    )
    yield chosen
    chosen.close()


def test_remember_once_then_refuse(store: ReplayStore) -> None:
    assert store.remember("a", at=T0) is True
    assert store.remember("a", at=T0 + timedelta(minutes=1)) is False
    assert store.remember("b", at=T0) is True
    store.forget("a")
    assert store.remember("a", at=T0) is True


def test_concurrent_deliveries_of_one_uid_get_in_once(store: ReplayStore) -> None:
    wins: list[bool] = []
    threads = [
        threading.Thread(target=lambda: wins.append(store.remember("same", at=T0)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert sorted(wins) == [False] * 7 + [True]


def test_sqlite_memory_survives_a_restart_and_shares_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    state = SQLiteStateStore(path)
    sent = DeliveryUpdate(key="1", state=DeliveryState.SENT)
    state.checkpoint("orders", '{"since": "x"}', updates=[sent])
    first = SQLiteReplayStore(path)
    assert first.remember("evt", at=T0)
    first.close()
    second = SQLiteReplayStore(path)
    assert second.remember("evt", at=T0) is False
    assert state.cursor("orders") == '{"since": "x"}'
    assert state.known("orders", ["1"]) == {"1": DeliveryState.SENT}
    second.close()
    state.close()


def test_old_uids_are_pruned(tmp_path: Path) -> None:
    store = SQLiteReplayStore(tmp_path / "r.sqlite", retention=timedelta(hours=1))
    assert store.remember("old", at=T0)
    store.close()
    store = SQLiteReplayStore(tmp_path / "r.sqlite", retention=timedelta(hours=1))
    assert store.remember("new", at=T0 + timedelta(hours=2))  # the first insert prunes
    assert store.remember("old", at=T0 + timedelta(hours=2)) is True
    store.close()
    memory = MemoryReplayStore(retention=timedelta(hours=1))
    assert memory.remember("old", at=T0)
    for n in range(499):
        memory.remember(f"filler-{n}", at=T0 + timedelta(hours=2))
    memory.remember("trigger", at=T0 + timedelta(hours=2))
    assert memory.remember("old", at=T0 + timedelta(hours=2)) is True
