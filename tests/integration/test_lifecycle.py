"""Consent changes and the order lifecycle on the sandbox, through the delivery guarantees."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest

from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode, ConsentSync
from salesmanago_idosell.salesmanago import exports
from salesmanago_idosell.sync.consent import HISTORY_KEY
from salesmanago_idosell.sync.delivery import DeliveryState
from salesmanago_idosell.sync.lifecycle import WAITING_KEY
from salesmanago_idosell.sync.orders import ORDERS_KEY
from salesmanago_idosell.sync.state import MemoryStateStore, StateStore
from salesmanago_idosell.testing import Faults, Sandbox
from salesmanago_idosell.testing.shop import Customer, Order
from tests.integration.support import consented, make_integration, sandbox, valid

BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"


def integration(box: Sandbox, state: StateStore, **options: Any) -> Integration:
    settings: dict[str, Any] = {"consent_mode": ConsentMode.ALL}
    settings.update(options)
    return make_integration(box, state=state, **settings)


def customer(box: Sandbox, *, consent: bool) -> Customer:
    return next(
        c
        for c in box.shop.customers
        if valid(c.email) and consented(c) is consent and c.email == c.email.strip().lower()
    )


def events_of(box: Sandbox, order: Order) -> Counter[str]:
    return Counter(
        e.type
        for e in box.salesmanago.events.values()
        if e.fields["externalId"] == str(order.serial)
    )


def opt_status(box: Sandbox, email: str) -> str:
    return box.salesmanago.contacts[email].email_opt


def bought(box: Sandbox, buyer: Customer, status: str = "finished") -> Order:
    past = box.shop.generated - timedelta(days=2)
    return box.idosell.add_order(
        buyer.id, [(box.shop.products[0].id, 1)], status=status, added=past
    )


# -- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sync", "after"), [(ConsentSync.CHANGES, "in"), (ConsentSync.SHOP_WINS, "out")]
)
def test_a_consent_given_in_salesmanago_survives_the_next_export(
    sync: ConsentSync, after: str
) -> None:
    with sandbox(customers=20, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        person = customer(box, consent=False)
        email = person.email.lower()
        assert integration(box, state, consent_sync=sync).export_customers().ok
        assert box.salesmanago.contacts[email].email_opt == "out"  # set from the shop once
        box.salesmanago.contacts[email].email_opt = "in"  # a SALESmanago form, later
        assert integration(box, state, consent_sync=sync).export_customers().ok
        assert box.salesmanago.contacts[email].email_opt == after


def test_withdrawal_in_consented_only_mode_never_creates_a_contact() -> None:
    with sandbox(customers=20, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        options = {"consent_mode": ConsentMode.CONSENTED_ONLY}
        person = customer(box, consent=True)
        email = person.email.lower()
        assert integration(box, state, **options).sync_changes().ok
        contact = box.salesmanago.find_contact(email)
        assert contact is not None
        box.salesmanago.remove_contact(contact)  # deleted in SALESmanago meanwhile
        box.idosell.update_customer(person.id, newsletter_since=None)
        report = integration(box, state, **options).sync_changes()
        assert report.ok
        assert email not in box.salesmanago.contacts
        reason = "without e-mail consent in shop 1: opted out if known"
        assert report.stream("customers").skipped[reason] == 1


def test_late_consent_brings_the_history_exactly_once() -> None:
    with sandbox(customers=20, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        options = {"consent_mode": ConsentMode.CONSENTED_ONLY}
        person = customer(box, consent=False)
        first, second = bought(box, person), bought(box, person)
        bought(box, person, status="canceled")
        assert integration(box, state, **options).sync_changes().ok
        assert box.salesmanago.events == {}
        box.idosell.update_customer(person.id, newsletter_since=box.idosell.clock())
        report = integration(box, state, **options).sync_changes()
        assert report.ok
        events = sorted(box.salesmanago.events.values(), key=lambda e: e.fields["externalId"])
        assert [(e.type, e.fields["externalId"]) for e in events] == [
            ("PURCHASE", str(first.serial)),
            ("PURCHASE", str(second.serial)),
        ]
        for event, order in zip(events, (first, second), strict=True):
            assert event.date is not None
            assert event.date.replace(tzinfo=None) <= order.added  # the original (UTC) date
        path = box.shop.category_path(box.shop.products[0].category_id)
        assert set(path[:3]) <= set(box.salesmanago.contacts[person.email.lower()].tags)
        assert state.marks(HISTORY_KEY) == {}
        box.idosell.update_customer(person.id, city="Gniezno")
        assert integration(box, state, **options).sync_changes().ok
        assert len(box.salesmanago.events) == 2


# -- the order lifecycle through the delivery guarantees ---------------------------------------


def test_an_uncertain_cancellation_is_reconciled_by_type_not_sent_twice() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        order = bought(box, customer(box, consent=True))
        assert integration(box, state).sync_changes().ok
        box.idosell.update_order(order.serial, status="canceled")
        box.salesmanago.faults.set(Faults(fail_after_write_rate=1.0), endpoint=BATCH_EVENTS)
        uncertain = integration(box, state).sync_changes()
        assert uncertain.stream("orders").uncertain == 1
        key = f"{order.serial}:cancellation"
        assert state.known(ORDERS_KEY, [key]) == {key: DeliveryState.UNCERTAIN}
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        settled = integration(box, state).sync_changes()
        assert settled.ok
        assert settled.stream("orders").reconciled == 1
        assert state.known(ORDERS_KEY, [key]) == {key: DeliveryState.SENT}
        assert events_of(box, order) == Counter({"PURCHASE": 1, "CANCELLATION": 1})


def test_a_refused_return_is_sent_again() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        order = bought(box, customer(box, consent=True))
        assert integration(box, state).sync_changes().ok
        box.idosell.update_order(order.serial, status="returned")
        box.salesmanago.faults.set(Faults(error_rate=1.0), endpoint=BATCH_EVENTS)
        integration(box, state).sync_changes()  # 5xx: nothing stored, uncertain
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        assert integration(box, state).sync_changes().ok  # reconciled: missing, sent again
        key = f"{order.serial}:return"
        assert state.known(ORDERS_KEY, [key]) == {key: DeliveryState.SENT}
        assert events_of(box, order) == Counter({"PURCHASE": 1, "RETURN": 1})


def test_a_cancellation_waits_for_an_uncertain_purchase(monkeypatch: pytest.MonkeyPatch) -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        order = bought(box, customer(box, consent=True))
        box.salesmanago.faults.set(Faults(fail_after_write_rate=1.0), endpoint=BATCH_EVENTS)
        integration(box, state).sync_changes()  # the PURCHASE is stored, the answer lost
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        box.idosell.update_order(order.serial, status="canceled")
        with monkeypatch.context() as patch:  # the export cannot be read: still uncertain
            patch.setattr(exports, "EVENT_SECTIONS", ("someUnknownSection",))
            waiting = integration(box, state).sync_changes()
        reason = "left a purchase status while its PURCHASE is unsettled: waits for reconciliation"
        assert waiting.stream("orders").skipped[reason] == 1
        assert state.marks(WAITING_KEY) == {str(order.serial): "due"}
        assert events_of(box, order) == Counter({"PURCHASE": 1})
        assert integration(box, state).sync_changes().ok  # settled: sent, then followed up
        assert events_of(box, order) == Counter({"PURCHASE": 1, "CANCELLATION": 1})
        assert state.marks(WAITING_KEY) == {}


def test_a_targeted_sync_follows_the_order_up_and_the_poll_does_not_repeat_it() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        order = bought(box, customer(box, consent=True))
        assert integration(box, state).sync_orders_by_serial([order.serial]).ok
        box.idosell.update_order(order.serial, status="returned")
        assert integration(box, state).sync_orders_by_serial([order.serial]).ok
        assert events_of(box, order) == Counter({"PURCHASE": 1, "RETURN": 1})
        assert integration(box, state).sync_changes().ok
        assert events_of(box, order) == Counter({"PURCHASE": 1, "RETURN": 1})


def test_an_operator_can_resend_a_refused_follow_up_by_its_key() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        order = bought(box, customer(box, consent=True))
        assert integration(box, state).sync_orders_by_serial([order.serial]).ok
        box.idosell.update_order(order.serial, status="canceled")
        refused = Faults(error_rate=1.0, error_statuses=(500,))
        box.salesmanago.faults.set(refused, endpoint=BATCH_EVENTS)
        integration(box, state).sync_orders_by_serial([order.serial])
        box.salesmanago.faults.set(None, endpoint=BATCH_EVENTS)
        key = f"{order.serial}:cancellation"
        [listed] = integration(box, state).undelivered()
        assert listed.key == key
        assert integration(box, state).resend([key]).ok  # uncertain: not without force
        assert events_of(box, order) == Counter({"PURCHASE": 1})
        assert integration(box, state).resend([key], force=True).ok
        assert events_of(box, order) == Counter({"PURCHASE": 1, "CANCELLATION": 1})
        assert state.known(ORDERS_KEY, [key]) == {key: DeliveryState.POSSIBLY_DUPLICATED}


def test_a_cancellation_reaches_a_contact_whose_consent_was_withdrawn_meanwhile() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        options = {"consent_mode": ConsentMode.CONSENTED_ONLY}
        person = customer(box, consent=True)
        order = bought(box, person)
        assert integration(box, state, **options).sync_changes().ok
        box.idosell.update_customer(person.id, newsletter_since=None)
        box.idosell.update_order(order.serial, status="canceled")
        assert integration(box, state, **options).sync_changes().ok
        assert events_of(box, order) == Counter({"PURCHASE": 1, "CANCELLATION": 1})
        assert box.salesmanago.contacts[person.email.lower()].email_opt == "out"


def test_consent_memory_ignores_the_case_of_the_address() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        options = {"consent_mode": ConsentMode.CONSENTED_ONLY}
        person = customer(box, consent=True)
        box.idosell.update_customer(person.id, email="  Ala.Wielka@Example.PL ")
        assert integration(box, state, **options).sync_changes().ok
        assert opt_status(box, "ala.wielka@example.pl") == "in"
        box.idosell.update_customer(person.id, newsletter_since=None)
        report = integration(box, state, **options).sync_changes()
        assert opt_status(box, "ala.wielka@example.pl") == "out"
        reason = "without e-mail consent in shop 1: opted out if known"
        assert report.stream("customers").skipped[reason] == 1


def test_a_failed_opt_out_stops_the_stream_and_the_next_run_completes_it() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        state = MemoryStateStore()
        options = {"consent_mode": ConsentMode.CONSENTED_ONLY}
        person = customer(box, consent=True)
        email = person.email.lower()
        assert integration(box, state, **options).sync_changes().ok
        box.idosell.update_customer(person.id, newsletter_since=None)
        box.salesmanago.faults.set(Faults(error_rate=1.0), endpoint="POST /api/contact/basic")
        failed = integration(box, state, **options).sync_changes()
        assert not failed.ok
        assert failed.stream("customers").failed == {"ServerError": 1}
        assert opt_status(box, email) == "in"
        box.salesmanago.faults.set(None, endpoint="POST /api/contact/basic")
        assert integration(box, state, **options).sync_changes().ok
        assert opt_status(box, email) == "out"


def test_a_refused_cancellation_does_not_block_the_return_that_follows() -> None:
    """PURCHASE sent; cancelled, but the CANCELLATION was never stored (reconciled as
    refused); then returned: the RETURN is sent, once."""
    batch = "POST /api/v2/contact/addBatchContactExtEvent"
    with sandbox(orders=0) as box:
        state = MemoryStateStore()
        customer = next(c for c in box.shop.customers if valid(c.email))
        order = box.idosell.add_order(customer.id, [(box.shop.products[0].id, 1)])

        def run() -> None:
            make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_orders()

        run()
        box.idosell.update_order(order.serial, status="canceled")
        box.salesmanago.set_faults(Faults(error_rate=1.0), endpoint=batch)
        run()  # the CANCELLATION's request fails before the write: uncertain
        box.salesmanago.set_faults(None, endpoint=batch)
        box.idosell.update_order(order.serial, status="returned")
        for _ in range(3):
            run()
        kinds = Counter(
            e.type for e in box.salesmanago.events.values()
            if str(e.fields.get("externalId")) == str(order.serial)
        )  # fmt: skip
        assert kinds["PURCHASE"] == 1
        assert kinds["CANCELLATION"] + kinds["RETURN"] == 1
        assert kinds["RETURN"] == 1
