"""State stores, schema 3: marks (consent memory, due histories, waiting follow-ups), the
order status kept beside each delivery, and the migration of schema 2 files."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmanago_idosell.sync.delivery import DeliveryState, DeliveryUpdate
from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore

SENT = DeliveryState.SENT


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StateStore]:
    opened: StateStore = (
        MemoryStateStore()
        if request.param == "memory"
        else SQLiteStateStore(tmp_path / "state.sqlite")
    )
    yield opened
    opened.close()


def test_marks_are_set_read_and_removed(store: StateStore) -> None:
    assert store.marks("consent") == {}
    store.mark("consent", {"a@example.pl": "y", "b@example.pl": "n"})
    store.mark("orders.history", {"17": "due"})
    assert store.marks("consent", ["a@example.pl", "zz@example.pl"]) == {"a@example.pl": "y"}
    store.mark("consent", {"a@example.pl": "n", "b@example.pl": None})
    assert store.marks("consent") == {"a@example.pl": "n"}
    assert store.marks("orders.history") == {"17": "due"}
    many = {f"k{i}": "y" for i in range(1200)}
    store.mark("big", many)
    assert store.marks("big", list(many)) == many


def test_delivery_keeps_the_order_status_it_was_sent_for(store: StateStore) -> None:
    store.begin("orders", {"9": "c9@example.pl"})
    store.record("orders", [DeliveryUpdate(key="9", state=SENT, contact=None, status="finished")])
    store.record("orders", [DeliveryUpdate(key="9", state=SENT, error="reconciled")])
    [delivery] = store.deliveries("orders")
    assert (delivery.state, delivery.status, delivery.attempts) == (SENT, "finished", 1)


def test_sqlite_migrates_the_second_schema(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema', '2');
        INSERT INTO meta VALUES ('identity', 'https://sklep.example.pl | c1');
        CREATE TABLE cursors (stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);
        CREATE TABLE deliveries (
            stream TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, contact TEXT,
            since TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
            PRIMARY KEY (stream, key));
        CREATE TABLE lease (
            id INTEGER PRIMARY KEY CHECK (id = 1), host TEXT NOT NULL, pid INTEGER NOT NULL,
            started_at TEXT NOT NULL, token TEXT NOT NULL, expires_at TEXT NOT NULL);
        INSERT INTO deliveries VALUES
            ('orders', '5', 'sent', 'a@example.pl', '2026-01-01T00:00:00+00:00', 1, NULL);
        """
    )
    db.close()
    store = SQLiteStateStore(path)
    [old] = store.deliveries("orders")
    assert (old.key, old.state, old.status, old.attempts) == ("5", SENT, None, 1)
    store.record("orders", [DeliveryUpdate(key="5:cancellation", state=SENT, status="canceled")])
    store.mark("consent", {"a@example.pl": "y"})
    store.bind("https://sklep.example.pl | c1")
    store.close()
    reopened = SQLiteStateStore(path)
    assert {d.key: d.status for d in reopened.deliveries("orders")} == {
        "5": None,
        "5:cancellation": "canceled",
    }
    assert reopened.marks("consent") == {"a@example.pl": "y"}
    version = reopened.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    assert version == ("3",)
    reopened.close()
