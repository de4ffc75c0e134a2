"""Many shops through a real Celery worker (prefork, 2 processes), Redis and PostgreSQL."""

from __future__ import annotations

import itertools
import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.sync.delivery import DeliveryState
from salesmanago_idosell.testing import Faults, Sandbox

from ..services import postgres_url, unique
from .conftest import Worker
from .shops import duplicated, mismatches, shop_table, write_registry

BATCH_EVENTS = "/api/v2/contact/addBatchContactExtEvent"


def sandboxes(stack: ExitStack, count: int, **size: Any) -> dict[str, Sandbox]:
    boxes = {}
    for seed in range(count):
        boxes[unique(f"shop{seed}")] = stack.enter_context(Sandbox(seed, **size))
    return boxes


def results(handles: list[Any], timeout: float = 180) -> list[dict[str, Any]]:
    got = [h.get(timeout=timeout) for h in handles]
    json.dumps(got)  # JSON-serialisable reports
    return got


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as opened:
        yield opened


def test_fan_out_syncs_every_shop_exactly(worker: Worker, stack: ExitStack) -> None:
    boxes = sandboxes(stack, 20, customers=30, subscribers=10, orders=40, products=5)
    write_registry(worker.registry, {k: shop_table(b) for k, b in boxes.items()})
    fan_out = worker.app.tasks["salesmanago_idosell.fan_out"]
    enqueued = fan_out.delay("sync_changes", list(boxes)).get(timeout=60)
    assert enqueued["enqueued"] == 20
    done = results([worker.app.AsyncResult(i) for i in enqueued["ids"]])
    assert sorted(r["shop"] for r in done) == sorted(boxes)
    assert {r["status"] for r in done} == {"ok"}, [r for r in done if r["status"] != "ok"]
    for key, box in boxes.items():
        assert mismatches(box) == [], key
        assert duplicated(box) == set(), key
    # both worker processes took shops (and reached the fakes in the test process)
    assert len({r["worker"] for r in done}) == 2
    assert all(r["report"]["requests"]["idosell"] > 0 for r in done)


#: A report's start is stamped once the lease is held, but its duration also counts the
#: lease acquisition before it: its computed end is late by that much (a few ms).
SLACK = timedelta(seconds=0.1)


def _interval(result: dict[str, Any]) -> tuple[datetime, datetime]:
    report = result["report"]
    start = datetime.fromisoformat(report["started_at"])
    return start, start + timedelta(seconds=report["duration"]) - SLACK


def test_overlapping_fan_outs_never_run_a_shop_twice_at_once(
    worker: Worker, stack: ExitStack
) -> None:
    slow = Faults(latency=0.05)  # each run lasts well over SLACK
    boxes = {
        unique(f"overlap{seed}"): stack.enter_context(
            Sandbox(seed, customers=40, subscribers=10, orders=60, products=5, idosell_faults=slow)
        )
        for seed in range(4)
    }
    write_registry(worker.registry, {k: shop_table(b, page_size=10) for k, b in boxes.items()})
    first: list[Any] = []
    second: list[Any] = []
    for key in boxes:  # both fan-outs interleaved: each shop is asked for twice at once
        first += worker.shops.enqueue("sync_changes", [key])
        second += worker.shops.enqueue("sync_changes", [key])
    done = results(first + second)
    skipped = [r for r in done if r["status"] == "skipped"]
    assert skipped, "the two fan-outs never overlapped: the test proved nothing"
    assert all(r["reason"].startswith("already running: ") for r in skipped)
    for key, box in boxes.items():
        ok = [r for r in done if r["shop"] == key and r["status"] == "ok"]
        assert ok, key
        assert max(r["report"]["duration"] for r in ok) > 5 * SLACK.total_seconds()
        runs = sorted(_interval(r) for r in ok)
        for (_, end), (start, _) in itertools.pairwise(runs):
            assert start >= end, f"{key} ran twice at once"
        assert mismatches(box) == [], key
        assert duplicated(box) == set(), key
    # a skip is a success, never retried
    assert all(worker.app.AsyncResult(h.id).state == "SUCCESS" for h in first + second)


def _lease_pid(url: str, shop: str) -> tuple[int | None, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        lease = conn.execute(
            "SELECT pid FROM smido_leases WHERE shop = %s AND token IS NOT NULL", (shop,)
        ).fetchone()
        sent = conn.execute(
            "SELECT count(*) FROM smido_deliveries WHERE shop = %s AND state = 'sent'", (shop,)
        ).fetchone()
    return (lease[0] if lease else None), (sent[0] if sent else 0)


def test_worker_killed_mid_order_sync_is_redelivered_and_exact(
    worker: Worker, stack: ExitStack
) -> None:
    url = postgres_url()
    slow_events = {BATCH_EVENTS: Faults(latency=0.15)}
    box = stack.enter_context(
        Sandbox(7, customers=60, subscribers=10, orders=300, products=5,
                salesmanago_faults=slow_events)
    )  # fmt: skip
    key = unique("killed")
    write_registry(worker.registry, {key: shop_table(box, event_batch_size=10)})
    (handle,) = worker.shops.enqueue("sync_changes", [key])
    deadline = time.monotonic() + 60
    killed = None
    while time.monotonic() < deadline:
        pid, sent = _lease_pid(url, key)
        if pid is not None and sent >= 30:
            os.kill(pid, signal.SIGKILL)
            killed = pid
            break
        time.sleep(0.05)
    assert killed is not None, "the order sync never got going"
    result = handle.get(timeout=180)
    assert result["status"] == "ok", result
    assert result["report"]["streams"]["orders"]["sent"] > 0
    # the redelivered message waited (a retry) before resuming the shop
    assert result["attempts"] == 2
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    store = PostgresStateStore(url, shop=key)
    listed = {d.key for d in store.deliveries("orders", states=[DeliveryState.POSSIBLY_DUPLICATED])}
    assert mismatches(box) == []
    assert duplicated(box) <= listed
    assert worker.process.poll() is None  # the worker replaced its killed process
    assert _lease_pid(url, key)[0] is None  # the redelivered run released the lease


def test_a_transient_failure_is_retried_with_back_off(worker: Worker, stack: ExitStack) -> None:
    down = Faults(error_rate=1.0, error_statuses=(503,))
    box = stack.enter_context(
        Sandbox(3, customers=20, subscribers=5, orders=20, products=3, idosell_faults=down)
    )
    key = unique("flaky")
    write_registry(worker.registry, {key: shop_table(box)})
    (handle,) = worker.shops.enqueue("sync_changes", [key])
    deadline = time.monotonic() + 60
    while handle.state != "RETRY" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert handle.state == "RETRY"  # the run reported 503s: the task waits for its retry
    assert not box.salesmanago.contacts
    box.idosell.set_faults(None)  # the shop is back
    result = handle.get(timeout=120)
    assert (result["status"], result["attempts"]) == ("ok", 2)
    assert mismatches(box) == []


def test_a_shop_that_stays_down_ends_with_its_report_after_the_retries(
    worker: Worker, stack: ExitStack
) -> None:
    down = Faults(error_rate=1.0, error_statuses=(503,))
    box = stack.enter_context(
        Sandbox(4, customers=5, subscribers=2, orders=5, products=3, idosell_faults=down)
    )
    key = unique("down")
    write_registry(worker.registry, {key: shop_table(box)})
    (handle,) = worker.shops.enqueue("export_subscribers", [key])
    result = handle.get(timeout=120)
    assert (result["status"], result["attempts"]) == ("problems", 3)  # max_retries=2
    assert any("ServerError" in e for e in result["report"]["errors"])


def test_offer_sync_task_fills_the_catalog(
    worker: Worker, stack: ExitStack, tmp_path: Path
) -> None:
    box = stack.enter_context(Sandbox(5, customers=5, subscribers=2, orders=5, products=30))
    full, categories = box.write_feeds(tmp_path)
    key, bare = unique("offer"), unique("nofeed")
    table = shop_table(
        box,
        salesmanago_api_v3_key_env="SANDBOX_SM_V3_KEY",
        salesmanago_v3_endpoint=box.salesmanago.url,
    )
    write_registry(
        worker.registry,
        {key: {**table, "offer_feed": str(full), "offer_categories": str(categories)}, bare: table},
    )
    with_feed, without = worker.shops.enqueue("sync_offer", [key, bare])
    result = with_feed.get(timeout=120)
    assert result["status"] == "ok", result
    stored = {p for c in box.salesmanago.catalogs.values() for p in c.products}
    assert stored == {str(p.id) for p in box.shop.products}
    with pytest.raises(ValidationError, match="has no offer_feed setting"):
        without.get(timeout=60)  # a configuration error: raised at once, not retried
    assert without.state == "FAILURE"
