"""The edges a break-it review found: each with the value the delivery guarantee requires."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell.errors import StateMismatchError, SyncInProgressError, ValidationError
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.salesmanago.models import BatchEventsResult
from salesmanago_idosell.sync.delivery import DeliveryState, LeaseHolder, utcnow
from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore
from salesmanago_idosell.testing import Faults, Sandbox
from tests.integration.support import make_integration, purchases, sandbox

BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"
EXPORT = "POST /api/contact/export/data"


def orders(box: Sandbox, state: StateStore, **options: Any) -> Integration:
    settings: dict[str, Any] = {"consent_mode": ConsentMode.ALL, "page_size": 10}
    settings.update(options)
    return make_integration(box, state=state, **settings)


def per_order(box: Sandbox) -> Counter[str]:
    return Counter(
        str(e.fields.get("externalId"))
        for e in box.salesmanago.events.values()
        if e.type == "PURCHASE"
    )


def uncertain_orders(box: Sandbox, state: StateStore, n: int = 20) -> Integration:
    """A run whose event requests all failed before the write: every order uncertain."""
    box.salesmanago.set_faults(Faults(error_rate=1.0), endpoint=BATCH_EVENTS)
    integration = orders(box, state)
    integration.sync_orders()
    box.salesmanago.set_faults(None, endpoint=BATCH_EVENTS)
    return integration


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (Faults(fail_after_write_rate=1.0), DeliveryState.POSSIBLY_DUPLICATED),
        (Faults(error_rate=1.0), DeliveryState.POSSIBLY_DUPLICATED),
    ],
    ids=["stored-then-lost", "lost-before-write"],
)
def test_a_failed_forced_resend_stays_listed_never_settles_silently(
    fault: Faults, expected: DeliveryState
) -> None:
    with sandbox(orders=20) as box:
        state = MemoryStateStore()
        integration = uncertain_orders(box, state)
        serial = integration.undelivered()[0].key
        box.salesmanago.set_faults(fault, endpoint=BATCH_EVENTS)
        integration.resend([serial], force=True)
        box.salesmanago.set_faults(None, endpoint=BATCH_EVENTS)
        assert state.known("orders", [serial]) == {serial: expected}
        orders(box, state).sync_orders()  # reconciliation never touches it
        assert state.known("orders", [serial]) == {serial: expected}
        assert serial in {r.key for r in integration.undelivered()}


def test_a_refused_forced_resend_goes_back_to_uncertain() -> None:
    with sandbox(orders=20) as box:
        state = MemoryStateStore()
        integration = uncertain_orders(box, state)
        serial = integration.undelivered()[0].key
        real = integration.salesmanago.events.batch_add

        def refuse(events: Any, **kwargs: Any) -> BatchEventsResult:
            return BatchEventsResult(created=0, failed=len(events),
                                     failed_items=tuple(e.email for e in events))  # fmt: skip

        integration.salesmanago.events.batch_add = refuse  # type: ignore[method-assign]
        integration.resend([serial], force=True)
        integration.salesmanago.events.batch_add = real  # type: ignore[method-assign]
        assert state.known("orders", [serial]) == {serial: DeliveryState.UNCERTAIN}


def test_a_run_that_lost_its_lease_stops_before_sending_more() -> None:
    """A run blocked longer than its lease (here: the clock jumps past ``lease_ttl`` during
    a send) finds another host's run holding it, and sends nothing more."""
    from tests.helpers import FakeClock

    with sandbox(orders=60) as box:
        state = MemoryStateStore()
        clock = FakeClock()
        integration = orders(box, state, event_batch_size=5, clock=clock)
        real = integration.salesmanago.events.batch_add
        calls = 0

        def steal_after_first(events: Any, **kwargs: Any) -> BatchEventsResult:
            nonlocal calls
            calls += 1
            result = real(events, **kwargs)
            clock.now += integration.lease_ttl  # blocked that long: the lease expired...
            thief = LeaseHolder(host="elsewhere.invalid", pid=1, started_at=utcnow(), token="t")
            state._lease = (thief, utcnow().replace(year=2100))  # ...and another host took it
            return result

        integration.salesmanago.events.batch_add = steal_after_first  # type: ignore[method-assign]
        with pytest.raises(SyncInProgressError, match=r"elsewhere\.invalid"):
            integration.sync_orders()
        assert calls == 1
        assert sum(per_order(box).values()) == 5


def test_counts_that_do_not_add_up_leave_the_batch_uncertain() -> None:
    with sandbox(orders=30) as box:
        state = MemoryStateStore()
        integration = orders(box, state, event_batch_size=100)
        real = integration.salesmanago.events.batch_add

        def odd_answer(events: Any, **kwargs: Any) -> BatchEventsResult:
            result = real(events[2:], **kwargs)  # two events silently not stored
            return BatchEventsResult(created=result.created, failed=2,
                                     failed_items=("c0ffee-contact-id",))  # fmt: skip

        integration.salesmanago.events.batch_add = odd_answer  # type: ignore[method-assign]
        report = integration.sync_orders()
        assert not report.ok
        assert state.deliveries("orders", states=[DeliveryState.SENT]) == []
        orders(box, state).sync_orders()  # reconciliation finds the two missing ones
        assert set(per_order(box)) == set(purchases(box.shop))
        assert max(per_order(box).values()) == 1


def test_an_order_listed_twice_by_idosell_is_sent_once() -> None:
    with sandbox(orders=40) as box:
        integration = orders(box, MemoryStateStore(), event_batch_size=1000)
        real = integration.idosell.call
        first_rows: list[Any] = []

        def shifted(method: str, path: str, **kwargs: Any) -> Any:
            answer = real(method, path, **kwargs)
            if path == "/orders/orders/search" and answer and answer.get("Results"):
                page = kwargs["body"]["params"]["resultsPage"]
                if page == 0:
                    first_rows.extend(answer["Results"])
                elif page == 1:  # a row shifted onto the next page while paging
                    answer["Results"].insert(0, first_rows[-1])
            return answer

        integration.idosell.call = shifted  # type: ignore[method-assign]
        report = integration.sync_orders()
        assert max(per_order(box).values()) == 1
        assert report.stream("orders").skipped["listed twice by IdoSell in this run"] == 1


def test_reconciliation_only_counts_purchase_events() -> None:
    with sandbox(orders=10) as box:
        state = MemoryStateStore()
        integration = uncertain_orders(box, state)
        row = integration.undelivered()[0]
        assert row.contact is not None
        integration.salesmanago.events.add(  # another integration's CANCELLATION, same id
            _cancellation(row.contact, row.key)
        )
        orders(box, state).sync_orders()
        assert per_order(box)[row.key] == 1  # the PURCHASE was still sent


def _cancellation(email: str, serial: str) -> Any:
    from salesmanago_idosell.salesmanago import EventType, ExternalEvent

    return ExternalEvent(
        email=email, type=EventType.CANCELLATION, date=utcnow(), external_id=serial
    )


def test_operator_resend_ignores_the_attempts_bound_and_runs_try_once_each() -> None:
    with sandbox(orders=10) as box:
        state = MemoryStateStore()
        integration = orders(box, state)
        real = integration.salesmanago.events.batch_add

        def refuse(events: Any, **kwargs: Any) -> Any:
            from salesmanago_idosell.errors import SalesmanagoAPIError

            raise SalesmanagoAPIError(messages=["busy"], status_code=200, endpoint="/x")

        integration.salesmanago.events.batch_add = refuse  # type: ignore[method-assign]
        for _ in range(4):
            integration.sync_orders()
        rows = integration.undelivered()
        assert {r.attempts for r in rows} == {3}  # one attempt per run, then the bound
        integration.salesmanago.events.batch_add = real  # type: ignore[method-assign]
        integration.sync_orders()
        assert per_order(box) == Counter()
        integration.resend([r.key for r in rows])
        assert set(per_order(box)) == {r.key for r in rows}


def test_a_failed_reconciliation_makes_the_report_not_ok() -> None:
    with sandbox(orders=10) as box:
        state = MemoryStateStore()
        uncertain_orders(box, state)
        box.salesmanago.set_faults(Faults(error_rate=1.0), endpoint=EXPORT)
        report = orders(box, state).reconcile()
        assert not report.ok
        assert any("could not be reconciled" in e for e in report.errors)
        assert report.stream("orders").uncertain == len(state.deliveries("orders"))


def test_identity_ignores_the_api_version_and_guards_operator_tools(tmp_path: Path) -> None:
    with sandbox(orders=5) as box:
        path = tmp_path / "s.sqlite"
        orders(box, SQLiteStateStore(path)).sync_orders()
        newer = orders(box, SQLiteStateStore(path), idosell_api_version="v7")
        assert newer.identity == orders(box, MemoryStateStore()).identity
        other = orders(box, SQLiteStateStore(path), salesmanago_client_id="someoneelse")
        with pytest.raises(StateMismatchError):
            other.undelivered()
        with pytest.raises(StateMismatchError):
            other.mark_delivered(["1"])


def test_orders_of_a_migrated_state_file_are_reconciled(tmp_path: Path) -> None:
    with sandbox(orders=10) as box:
        serials = sorted(purchases(box.shop), key=int)[:3]
        orders(box, MemoryStateStore()).export_customers()  # the contacts exist, without events
        path = tmp_path / "old.sqlite"
        db = sqlite3.connect(path)
        db.executescript(
            "CREATE TABLE cursors (stream TEXT PRIMARY KEY, value TEXT, updated_at TEXT NOT NULL);"
            "CREATE TABLE sent (stream TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL,"
            " at TEXT NOT NULL, PRIMARY KEY (stream, key));"
            "CREATE TABLE pending (stream TEXT NOT NULL, key TEXT NOT NULL,"
            " PRIMARY KEY (stream, key));"
        )
        db.executemany(
            "INSERT INTO sent VALUES ('orders', ?, 'uncertain', '2026-01-01T00:00:00+00:00')",
            [(s,) for s in serials],
        )
        db.commit()
        db.close()
        integration = orders(box, SQLiteStateStore(path))
        integration.sync_orders()
        assert integration.undelivered() == []
        assert set(per_order(box)) == set(purchases(box.shop))
        assert max(per_order(box).values()) == 1


def test_resend_refuses_what_is_not_a_serial_and_reports_unknown_ones() -> None:
    with sandbox(orders=5) as box:
        integration = orders(box, MemoryStateStore())
        with pytest.raises(ValidationError, match="not order serial numbers"):
            integration.resend(["abc", " 1", "-5"])
        report = integration.resend(["99999"])
        assert report.stream("orders").skipped["not re-sent: unknown order"] == 1


def test_missing_is_believed_only_after_the_settle_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request of a run killed a moment ago may still be processed by SALESmanago: an
    uncertain order the export does not show yet is not re-sent before ``reconcile_settle``."""
    from datetime import timedelta

    from salesmanago_idosell.sync import recovery

    with sandbox(orders=10) as box:
        state = MemoryStateStore()
        uncertain_orders(box, state)
        waiting = orders(box, state, reconcile_settle=300)
        report = waiting.reconcile()
        assert box.salesmanago.events == {}
        assert report.stream("orders").reconciled == 0
        assert all("in flight" in (r.last_error or "") for r in waiting.undelivered())
        later = utcnow() + timedelta(seconds=301)
        monkeypatch.setattr(recovery, "utcnow", lambda: later)
        waiting.reconcile()
        assert set(per_order(box)) == set(purchases(box.shop))
        assert max(per_order(box).values()) == 1
