"""Crashes, Ctrl-C and API failures: resume without loss, PURCHASE at most once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pytest

from salesmanago_idosell.errors import SalesmanagoAPIError
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.salesmanago.models import BatchEventsResult
from salesmanago_idosell.sync.delivery import UNSETTLED, DeliveryState, DeliveryUpdate
from salesmanago_idosell.sync.state import MemoryStateStore, SQLiteStateStore, StateStore
from salesmanago_idosell.testing import Faults, Sandbox
from tests.integration.support import make_integration, purchases, sandbox

BATCH_UPSERT = "POST /api/contact/batchupsert"
BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"


def crash_on_call(
    target: Any, name: str, call: int, *, after_sending: bool, error: BaseException
) -> list[int]:
    """Make ``target.name`` raise ``error`` on its ``call``-th call (before or after sending).

    Returns the list the wrapper fills with the size of each call's first argument.
    """
    real = getattr(target, name)
    sizes: list[int] = []

    def wrapper(items: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        sizes.append(len(items))
        if len(sizes) != call:
            return real(items, *args, **kwargs)
        if after_sending:
            real(items, *args, **kwargs)
        raise error

    setattr(target, name, wrapper)
    return sizes


def contents(box: Sandbox) -> dict[str, tuple[Any, ...]]:
    """What the fake SALESmanago holds per contact (all synced fields)."""
    return {
        email: (c.name, c.phone, c.external_id, c.birthday, tuple(c.tags), c.email_opt)
        for email, c in box.salesmanago.contacts.items()
    }


def clean_run(**options: Any) -> tuple[dict[str, tuple[Any, ...]], int]:
    """A customer export without faults: the contents and the number of batches."""
    with sandbox() as box:
        make_integration(box, **options).export_customers()
        return contents(box), box.salesmanago.count(BATCH_UPSERT)


@pytest.mark.parametrize("after_sending", [False, True])
def test_customer_export_resumes_after_ctrl_c(after_sending: bool, tmp_path: Any) -> None:
    options: dict[str, Any] = {
        "consent_mode": ConsentMode.ALL,
        "contact_batch_size": 10,
        "page_size": 10,
    }
    expected, batches = clean_run(**options)
    with sandbox() as box:
        state = SQLiteStateStore(tmp_path / "state.sqlite")
        first = make_integration(box, state=state, **options)
        crash_on_call(first.salesmanago.contacts, "batch_upsert", 3,
                      after_sending=after_sending, error=KeyboardInterrupt())  # fmt: skip
        with pytest.raises(KeyboardInterrupt):
            first.export_customers()
        assert box.salesmanago.count(BATCH_UPSERT) == 2 + after_sending
        state.close()
        second = make_integration(box, state=SQLiteStateStore(tmp_path / "state.sqlite"),
                                  **options)  # fmt: skip
        with second:
            report = second.export_customers()
        # pages go downwards: the crashed 3rd batch began on the page before the last two
        # full ones (10 contacts a page and a batch, the last page partial)
        last_page = (len(box.shop.customers) - 1) // 10
        assert report.stream("customers").resumed_from == f"page {last_page - 2}"
        assert contents(box) == expected
        assert box.salesmanago.count(BATCH_UPSERT) <= batches + 1
        assert box.salesmanago.count(BATCH_UPSERT) == batches + after_sending


def test_failed_batch_is_reported_and_the_next_run_finishes() -> None:
    options: dict[str, Any] = {
        "consent_mode": ConsentMode.ALL,
        "contact_batch_size": 10,
        "page_size": 10,
    }
    expected, _ = clean_run(**options)
    faults = {BATCH_UPSERT: Faults(error_rate=1.0, error_statuses=(503,))}
    with sandbox(salesmanago_faults=faults) as box:
        state = MemoryStateStore()
        report = make_integration(box, state=state, **options).export_customers()
        assert not report.ok
        assert report.stream("customers").failed["ServerError"] == 10
        assert "customers: HTTP 503" in report.errors[0]
        box.salesmanago.faults.set(None, endpoint=BATCH_UPSERT)
        assert make_integration(box, state=state, **options).export_customers().ok
        assert contents(box) == expected


def events_per_order(box: Sandbox) -> Counter[str]:
    """How many PURCHASE events each order serial got."""
    return Counter(str(e.fields["externalId"]) for e in box.salesmanago.events.values())


def orders_integration(box: Sandbox, state: StateStore) -> Integration:
    return make_integration(
        box, state=state, consent_mode=ConsentMode.ALL, event_batch_size=1, page_size=8
    )


def test_ctrl_c_while_sending_events_never_sends_an_order_twice() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        first = orders_integration(box, state)
        sizes = crash_on_call(first.salesmanago.events, "batch_add", 2,
                              after_sending=True, error=KeyboardInterrupt())  # fmt: skip
        with pytest.raises(KeyboardInterrupt):
            first.sync_orders()
        report = orders_integration(box, state).sync_orders()
        counts = events_per_order(box)
        assert max(counts.values()) == 1
        assert set(counts) == set(purchases(box.shop))
        # the interrupted batch was uncertain; the next run asked SALESmanago and found it
        assert report.stream("orders").reconciled == sizes[1]
        assert state.deliveries("orders", states=list(UNSETTLED)) == []


def test_event_stored_then_500_is_uncertain_then_reconciled_not_resent() -> None:
    faults = {BATCH_EVENTS: Faults(fail_after_write_rate=1.0)}
    with sandbox(salesmanago_faults=faults) as box:
        state = MemoryStateStore()
        report = orders_integration(box, state).sync_orders()
        first_batch = len(box.salesmanago.events)
        assert first_batch > 0
        assert report.stream("orders").uncertain == first_batch
        uncertain = [p for p in report.problems if p.kind == "uncertain"]
        assert len(uncertain) == first_batch
        assert box.salesmanago.count(BATCH_EVENTS) == first_batch  # one request each, no retry
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        second = orders_integration(box, state).sync_orders()
        assert second.stream("orders").reconciled == first_batch
        assert box.salesmanago.count(BATCH_EVENTS) == first_batch
        counts = events_per_order(box)
        assert max(counts.values()) == 1
        assert set(counts) == set(purchases(box.shop))


def test_refused_batch_is_sent_again_by_the_next_run() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        first = orders_integration(box, state)
        refused = SalesmanagoAPIError(messages=["busy"], status_code=200, endpoint="/x")
        sizes = crash_on_call(first.salesmanago.events, "batch_add", 1, after_sending=False,
                              error=refused)  # fmt: skip
        report = first.sync_orders()
        assert report.stream("orders").failed["SalesmanagoAPIError"] == sizes[0]
        assert box.salesmanago.events == {}
        orders_integration(box, state).sync_orders()
        assert set(events_per_order(box)) == set(purchases(box.shop))
        assert max(events_per_order(box).values()) == 1


class KilledAtCheckpoint(MemoryStateStore):
    """A store whose process 'dies' at the checkpoint after the first events were sent."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = True

    def checkpoint(
        self, stream: str, cursor: str | None, *, updates: Iterable[DeliveryUpdate] = ()
    ) -> None:
        updates = list(updates)
        self._die(updates)
        super().checkpoint(stream, cursor, updates=updates)

    def record(self, stream: str, updates: Iterable[DeliveryUpdate]) -> None:
        # while category tags wait, the states are recorded without moving the cursor
        updates = list(updates)
        self._die(updates)
        super().record(stream, updates)

    def _die(self, updates: list[DeliveryUpdate]) -> None:
        if self.armed and any(u.state is DeliveryState.SENT for u in updates):
            self.armed = False
            raise SystemExit("killed")


def test_hard_kill_between_ack_and_checkpoint_is_reconciled_not_repeated() -> None:
    with sandbox() as box:
        state = KilledAtCheckpoint()
        with pytest.raises(SystemExit):
            orders_integration(box, state).sync_orders()
        in_flight = len(state.deliveries("orders", states=[DeliveryState.PENDING]))
        assert in_flight == len(box.salesmanago.events) > 0
        report = orders_integration(box, state).sync_orders()
        counts = events_per_order(box)
        assert max(counts.values()) == 1
        assert set(counts) == set(purchases(box.shop))
        assert report.stream("orders").reconciled == in_flight
        assert state.deliveries("orders", states=list(UNSETTLED)) == []


def test_partially_refused_events_are_reported_as_failed() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        integration = orders_integration(box, state)
        real: Callable[..., BatchEventsResult] = integration.salesmanago.events.batch_add

        def refuse_first(events: Sequence[Any], **kwargs: Any) -> BatchEventsResult:
            result = real(events[1:], **kwargs)
            return BatchEventsResult(created=result.created, failed=1,
                                     failed_items=(events[0].email,))  # fmt: skip

        integration.salesmanago.events.batch_add = refuse_first  # type: ignore[method-assign,assignment]
        report = integration.sync_orders()
        assert report.stream("orders").failed["refused by SALESmanago"] >= 1
        assert not report.ok
