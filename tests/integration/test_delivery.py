"""Delivery guarantees: one run at a time, exact batches, recovery of unsettled orders."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell.errors import (
    PartialBatchError,
    ServerError,
    StateMismatchError,
    SyncInProgressError,
)
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.salesmanago import exports
from salesmanago_idosell.sync.delivery import DeliveryState, LeaseHolder
from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore
from salesmanago_idosell.testing import Faults, Sandbox
from tests.integration.support import make_integration, purchases, sandbox

BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"


def orders(box: Sandbox, state: StateStore, **options: Any) -> Integration:
    settings: dict[str, Any] = {"consent_mode": ConsentMode.ALL, "page_size": 10}
    settings.update(options)
    return make_integration(box, state=state, **settings)


def per_order(box: Sandbox) -> Counter[str]:
    return Counter(str(e.fields.get("externalId")) for e in box.salesmanago.events.values())


def test_second_run_on_the_same_state_is_refused(tmp_path: Path) -> None:
    with sandbox() as box:
        path = tmp_path / "s.sqlite"
        holder = LeaseHolder.current()
        other = SQLiteStateStore(path)
        other.bind(orders(box, MemoryStateStore()).identity)
        other.acquire_lease(holder, ttl=60)
        with pytest.raises(SyncInProgressError, match="another run holds"):
            orders(box, SQLiteStateStore(path)).sync_orders()
        assert box.salesmanago.events == {}
        other.release_lease(holder)
        assert orders(box, SQLiteStateStore(path)).sync_orders().ok
        other.close()


def test_wait_takes_the_lease_once_the_other_run_ends() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        holder = LeaseHolder.current()
        state.acquire_lease(holder, ttl=60)
        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            state.release_lease(holder)

        integration = orders(box, state, sleep=sleep)
        assert integration.sync_orders(wait=30).ok
        assert waits[0] == 5.0  # then only the sandbox's own retry back-offs


def test_two_threads_overlapping_send_each_order_once(tmp_path: Path) -> None:
    with sandbox(orders=120) as box:
        path = tmp_path / "s.sqlite"
        outcomes: list[str] = []

        def run() -> None:
            try:
                orders(box, SQLiteStateStore(path), event_batch_size=5).sync_orders()
                outcomes.append("ran")
            except SyncInProgressError:
                outcomes.append("refused")

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert max(per_order(box).values()) == 1
        assert "ran" in outcomes
        orders(box, SQLiteStateStore(path)).sync_orders()
        assert set(per_order(box)) == set(purchases(box.shop))


def test_state_of_another_shop_is_refused() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        state.bind("https://another-shop.example.pl/api/admin/v6 | someone")
        with pytest.raises(StateMismatchError):
            orders(box, state).sync_orders()


def test_batches_never_exceed_event_batch_size() -> None:
    with sandbox(orders=90) as box:
        integration = orders(box, MemoryStateStore(), event_batch_size=7)
        real = integration.salesmanago.events.batch_add
        sizes: list[int] = []

        def counted(events: list[Any], **kwargs: Any) -> Any:
            sizes.append(len(events))
            return real(events, **kwargs)

        integration.salesmanago.events.batch_add = counted  # type: ignore[method-assign,assignment]
        integration.sync_orders()
        assert sizes
        assert max(sizes) == 7
        assert box.salesmanago.count(BATCH_EVENTS) == len(sizes)
        assert sum(sizes) == len(purchases(box.shop))


def test_partially_acknowledged_batch_records_each_chunk() -> None:
    with sandbox(orders=60) as box:
        state = MemoryStateStore()
        integration = orders(box, state, event_batch_size=10)
        real = integration.salesmanago.events.batch_add
        calls = 0

        def two_chunks(events: list[Any], **kwargs: Any) -> Any:
            nonlocal calls
            calls += 1
            if calls != 1:
                return real(events, **kwargs)
            real(events[:6], chunk_size=6)
            raise PartialBatchError(
                "second chunk failed",
                acknowledged=6,
                failed_start=6,
                failed_end=len(events),
                certain=False,
                cause=ServerError("500", status_code=500, method="POST", url="x", body_excerpt=""),
            )

        integration.salesmanago.events.batch_add = two_chunks  # type: ignore[method-assign,assignment]
        report = integration.sync_orders()
        assert report.stream("orders").uncertain == 4
        uncertain = state.deliveries("orders", states=[DeliveryState.UNCERTAIN])
        assert len(uncertain) == 4
        # the next run reconciles: the four were never stored, so they go exactly once
        second = orders(box, state).sync_orders()
        assert second.stream("orders").reconciled == 4
        assert max(per_order(box).values()) == 1
        assert set(per_order(box)) == set(purchases(box.shop))


def test_unreadable_export_leaves_orders_uncertain_and_listed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    faults = {BATCH_EVENTS: Faults(error_rate=1.0)}  # 5xx before the write: nothing stored
    with sandbox(orders=30, salesmanago_faults=faults) as box:
        state = MemoryStateStore()
        orders(box, state).sync_orders()
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        monkeypatch.setattr(exports, "EVENT_SECTIONS", ("someUnknownSection",))
        report = orders(box, state).sync_orders()
        assert box.salesmanago.events == {}  # nothing guessed, nothing re-sent
        rows = orders(box, state).undelivered()
        assert {r.key for r in rows} == set(purchases(box.shop))
        assert all(r.state is DeliveryState.UNCERTAIN for r in rows)
        assert all(r.last_error and r.last_error.startswith("reconciliation:") for r in rows)
        assert report.stream("orders").reconciled == 0


def test_operator_resend_and_mark_delivered() -> None:
    faults = {BATCH_EVENTS: Faults(error_rate=1.0)}
    with sandbox(orders=30, salesmanago_faults=faults) as box:
        state = MemoryStateStore()
        integration = orders(box, state)
        integration.sync_orders()
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        serials = sorted(r.key for r in integration.undelivered())
        first, rest = serials[0], serials[1:]
        integration.resend([first])  # uncertain without force: not sent
        assert box.salesmanago.events == {}
        integration.resend([first], force=True)
        assert per_order(box) == Counter({first: 1})
        assert state.known("orders", [first]) == {first: DeliveryState.POSSIBLY_DUPLICATED}
        assert integration.mark_delivered([first, "12345678"]) == [first]
        assert state.known("orders", [first]) == {first: DeliveryState.SENT}
        assert {r.key for r in integration.undelivered()} == set(rest)


def test_reconcile_takes_the_oldest_uncertain_orders_first_up_to_the_limit() -> None:
    faults = {BATCH_EVENTS: Faults(error_rate=1.0)}
    with sandbox(orders=30, salesmanago_faults=faults) as box:
        state = MemoryStateStore()
        integration = orders(box, state, event_batch_size=3)
        integration.sync_orders()
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        before = integration.undelivered()
        report = integration.reconcile(limit=4)
        assert report.stream("orders").reconciled == 4
        settled = {r.key for r in before} - {r.key for r in integration.undelivered()}
        assert settled == {r.key for r in before[:4]}
        assert set(per_order(box)) == settled  # the four were missing, so they went once
