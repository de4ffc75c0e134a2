"""``sync_changes()``: the scheduler's run sends what changed since the last one, once."""

from __future__ import annotations

import dataclasses
from collections import Counter

from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.state import MemoryStateStore
from salesmanago_idosell.testing import Sandbox
from tests.integration.support import (
    expected_customers,
    make_integration,
    purchases,
    sandbox,
    valid,
)

BATCH_UPSERT = "POST /api/contact/batchupsert"
BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"


def per_order(box: Sandbox) -> Counter[str]:
    return Counter(str(e.fields.get("externalId")) for e in box.salesmanago.events.values())


def test_first_sync_changes_sends_everything_then_only_the_changes() -> None:
    with sandbox() as box:
        state = MemoryStateStore()
        first = make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_changes()
        assert first.ok
        assert set(box.salesmanago.contacts) >= set(expected_customers(box.shop, ConsentMode.ALL))
        assert set(per_order(box)) == set(purchases(box.shop))

        # the shop changes: a new customer with an order, a changed customer, a subscriber
        template = box.shop.customers[0]
        newcomer = dataclasses.replace(
            template, id=90_001, login="nowy", email="nowy.klient@example.pl", first_name="Nowy"
        )
        box.idosell.add_customer(newcomer)
        box.idosell.update_customer(newcomer.id, city="Sopot")
        box.idosell.update_customer(box.shop.customers[1].id, city="Gdynia")
        box.idosell.add_subscriber("nowa.subskrybentka@example.pl")
        product = box.shop.products[0].id
        order = box.idosell.add_order(newcomer.id, [(product, 2)])
        upserts, events = box.salesmanago.count(BATCH_UPSERT), box.salesmanago.count(BATCH_EVENTS)

        second = make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_changes()
        assert second.ok
        assert "nowy.klient@example.pl" in box.salesmanago.contacts
        assert "nowa.subskrybentka@example.pl" in box.salesmanago.contacts
        assert (
            box.salesmanago.contacts[box.shop.customers[1].email.lower()].address["city"]
            == "Gdynia"
        )
        assert per_order(box)[str(order.serial)] == 1
        assert second.stream("orders").sent == 1
        assert second.stream("subscribers").sent == 1
        assert box.salesmanago.count(BATCH_EVENTS) == events + 1
        assert box.salesmanago.count(BATCH_UPSERT) > upserts

        # windows are inclusive ("at or after" the last start, to the second): records changed
        # in the very second the last run started are read again - upserts, harmless
        before = {
            e: (c.name, dict(c.address), tuple(c.tags)) for e, c in box.salesmanago.contacts.items()
        }
        third = make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_changes()
        assert third.ok
        assert third.stream("orders").sent == 0
        assert third.stream("customers").read <= 2
        after = {
            e: (c.name, dict(c.address), tuple(c.tags)) for e, c in box.salesmanago.contacts.items()
        }
        assert after == before
        assert max(per_order(box).values()) == 1


def test_an_order_stamped_just_before_the_last_run_ended_is_still_read() -> None:
    """A shop clock a little behind this host's (or a late write): the next window reaches
    back by ``read_overlap`` and finds it; the delivery state keeps it from going twice."""
    from datetime import timedelta

    with sandbox() as box:
        state = MemoryStateStore()
        make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_changes()
        customer = box.shop.customers[0]
        late = box.idosell.add_order(
            customer.id,
            [(box.shop.products[0].id, 1)],
            added=box.idosell.clock() - timedelta(seconds=30),
        )
        for _ in range(2):
            make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_changes()
        assert per_order(box)[str(late.serial)] == 1


def test_an_order_changed_while_the_window_is_read_does_not_hide_another() -> None:
    """Orders are read by modification date from the last page down: an order changed on a
    page read earlier leaves the window without shifting any unread row past a page."""
    import time
    from datetime import datetime, timedelta, timezone

    from salesmanago_idosell.sync.cursor import Cursor

    with sandbox(orders=0) as box:
        state = MemoryStateStore()
        make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_orders()
        state.checkpoint(
            "orders", Cursor(since=datetime.now(timezone.utc) - timedelta(hours=2)).dump()
        )
        buyers = [c for c in box.shop.customers if valid(c.email)]
        placed = box.idosell.clock() - timedelta(hours=1)
        serials = [
            box.idosell.add_order(
                buyers[i % len(buyers)].id, [(box.shop.products[0].id, 1)], added=placed
            ).serial
            for i in range(25)
        ]
        changed: list[int] = []

        def change_once(stream: str, done: int, total: int | None) -> None:
            if stream == "orders" and not changed:  # after the first page read
                changed.append(serials[0])
                time.sleep(1.1)  # shop dates have whole seconds: now past the window's end
                box.idosell.update_order(serials[0], status="packed")

        integration = make_integration(box, state=state, consent_mode=ConsentMode.ALL, page_size=10)
        integration.sync_orders(progress=change_once)
        sent = set(per_order(box))
        assert set(map(str, serials[1:])) <= sent  # none of the others was skipped
        make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_orders()
        assert set(per_order(box)) >= set(map(str, serials))
        assert max(per_order(box).values()) == 1
