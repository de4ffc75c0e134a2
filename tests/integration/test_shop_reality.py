"""A shop that changes its mind: full run, the shop changes, ``sync_changes()``, compared with
a fresh full run of the changed shop (its own SALESmanago, its own state)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from salesmanago_idosell.mapping import ConsentMode, ConsentSync
from salesmanago_idosell.sync.delivery import DeliveryState
from salesmanago_idosell.sync.orders import ORDERS_KEY
from salesmanago_idosell.sync.state import MemoryStateStore
from salesmanago_idosell.testing import FakeSalesmanago, Sandbox
from salesmanago_idosell.testing.shop import Customer
from tests.integration.support import consented, make_integration, sandbox, valid

Snapshot = tuple[dict[str, dict[str, Any]], Counter[tuple[Any, ...]]]


def snapshot(fake: FakeSalesmanago) -> Snapshot:
    """What SALESmanago holds, without ids and timestamps."""
    contacts = {
        email: {
            "opt": c.email_opt,
            "name": c.name,
            "phone": c.phone,
            "company": c.company,
            "external_id": c.external_id,
            "state": c.state,
            "address": dict(c.address),
            "birthday": c.birthday,
            "lang": c.lang,
            "tags": frozenset(c.tags),
        }
        for email, c in fake.contacts.items()
    }
    events: Counter[tuple[Any, ...]] = Counter(
        (
            e.email.lower(),
            e.type,
            str(e.fields.get("externalId")),
            e.fields.get("products"),
            e.fields.get("value"),
            e.fields.get("detail1"),
            e.fields.get("detail2"),
            e.fields.get("date") if e.type == "PURCHASE" else None,
        )
        for e in fake.events.values()
    )
    return contacts, events


@contextmanager
def fresh_salesmanago() -> Iterator[FakeSalesmanago]:
    fake = FakeSalesmanago(seed=5)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def against(fake: FakeSalesmanago) -> dict[str, Any]:
    """Settings pointing an integration at another fake SALESmanago."""
    return {
        "salesmanago_client_id": fake.client_id,
        "salesmanago_api_secret": fake.api_secret,
        "salesmanago_owner": fake.owner,
        "salesmanago_endpoint": fake.url,
        "salesmanago_api_v3_key": fake.api_v3_key,
        "salesmanago_v3_endpoint": fake.url,
    }


def pick(customers: list[Customer], *, consent: bool, skip: set[int]) -> Customer:
    return next(
        c
        for c in customers
        if valid(c.email) and consented(c) is consent and c.id not in skip and c.email.islower()
    )


@dataclasses.dataclass
class Scene:
    """What the test changed in the shop."""

    withdrawn: str
    given: str
    subscriber_withdrawn: str
    left: dict[str, str]  # serial -> the follow-up event type expected
    flapping: int


def prepare(box: Sandbox) -> dict[str, Customer]:
    """Before the full run: orders in known statuses of chosen customers."""
    shop, fake = box.idosell, box.shop
    chosen: dict[str, Customer] = {}
    used: set[int] = set()
    for role, consent in (
        ("buyer", True),
        ("withdraws", True),
        ("gives", False),
        ("changes", True),
    ):
        chosen[role] = pick(fake.customers, consent=consent, skip=used)
        used.add(chosen[role].id)
    past = fake.generated - timedelta(days=3)
    products = [p.id for p in fake.products if len(p.sizes) >= 2][:2] or [fake.products[0].id]
    buyer, gives = chosen["buyer"].id, chosen["gives"].id
    shop.add_order(buyer, [(products[0], 1)], status="canceled", added=past)
    shop.add_order(buyer, [(products[0], 2)], status="finished", added=past)
    shop.add_order(buyer, [(products[-1], 1)], status="finished", added=past)
    shop.add_order(gives, [(products[0], 1), (products[-1], 3)], status="finished", added=past)
    shop.add_order(gives, [], status="finished", added=past)  # no product lines
    return chosen


def change(box: Sandbox, chosen: dict[str, Customer]) -> Scene:
    """The shop changes after the full run."""
    shop, data = box.idosell, box.shop
    template = chosen["buyer"]
    newcomer = dataclasses.replace(
        template,
        id=91_001,
        login="nowa.klientka",
        email="nowa.klientka@example.pl",
        first_name="Nowa",
        newsletter_since=shop.clock(),
    )
    shop.add_customer(newcomer)
    shop.update_customer(newcomer.id, city="Sopot")
    shop.update_customer(chosen["changes"].id, city="Gdynia", first_name="Zmieniona")
    shop.update_customer(chosen["withdraws"].id, newsletter_since=None)
    shop.update_customer(chosen["gives"].id, newsletter_since=shop.clock())
    shop.add_subscriber("nowy.subskrybent@example.pl")
    leaving = next(s for s in data.subscribers if s.approved and valid(s.email))
    shop.update_subscriber(leaving.email, approved=False)
    product = data.products[0]
    sizes = [0, 1] if len(product.sizes) > 1 else None
    shop.add_order(newcomer.id, [(product.id, 2), (product.id, 2)], sizes=sizes)
    mine = [o for o in data.orders if o.client_id == template.id]
    canceled, finished, returned = mine[-3], mine[-2], mine[-1]
    shop.update_order(canceled.serial, status="finished")
    shop.update_order(finished.serial, status="canceled")
    shop.update_order(returned.serial, status="returned")
    return Scene(
        withdrawn=chosen["withdraws"].email.lower(),
        given=chosen["gives"].email.lower(),
        subscriber_withdrawn=leaving.email.lower(),
        left={str(finished.serial): "CANCELLATION", str(returned.serial): "RETURN"},
        flapping=finished.serial,
    )


@pytest.mark.parametrize("sync", [ConsentSync.CHANGES, ConsentSync.SHOP_WINS])
@pytest.mark.parametrize("mode", [ConsentMode.CONSENTED_ONLY, ConsentMode.ALL])
def test_sync_changes_equals_a_fresh_full_run_plus_follow_up_events(
    mode: ConsentMode, sync: ConsentSync
) -> None:
    with sandbox(customers=40, subscribers=10, orders=30) as box:
        state = MemoryStateStore()
        options: dict[str, Any] = {"consent_mode": mode, "consent_sync": sync}
        chosen = prepare(box)
        assert make_integration(box, state=state, **options).sync_changes().ok
        scene = change(box, chosen)
        report = make_integration(box, state=state, **options).sync_changes()
        assert report.ok, report.errors

        with fresh_salesmanago() as other:
            fresh_run = make_integration(box, state=MemoryStateStore(), **options, **against(other))
            assert fresh_run.sync_changes().ok
            fresh_contacts, fresh_events = snapshot(other)
        contacts, events = snapshot(box.salesmanago)

        # contacts: the same, except those the fresh run never creates (consented-only
        # withdrawals), which are opted out
        extra = set(contacts) - set(fresh_contacts)
        assert set(fresh_contacts) <= set(contacts)
        if mode is ConsentMode.ALL:
            assert extra == set()
        else:
            assert extra == {scene.withdrawn, scene.subscriber_withdrawn}
            assert {contacts[e]["opt"] for e in extra} == {"out"}
        followed = {e[0] for e in events if e[1] != "PURCHASE"}
        for email, fresh in fresh_contacts.items():
            mine = dict(contacts[email])
            if email in followed:  # tags of a cancelled purchase stay (never withdrawn)
                assert mine.pop("tags") >= fresh.pop("tags")
            assert mine == fresh, email
        assert contacts[scene.given]["opt"] == "in"
        assert contacts[scene.withdrawn]["opt"] == "out"
        assert contacts[scene.subscriber_withdrawn]["opt"] == "out"

        # events: the fresh run's, plus each left order's PURCHASE and its follow-up event
        kept = Counter({e: n for e, n in events.items() if e[0] not in extra})
        left = Counter({e: n for e, n in kept.items() if e[2] in scene.left})
        assert kept - left == Counter(dict(fresh_events.items()))
        assert sorted((e[2], e[1]) for e in left.elements()) == sorted(
            (serial, kind) for serial, follow in scene.left.items() for kind in ("PURCHASE", follow)
        )
        for serial in scene.left:
            pair = [e for e in left if e[2] == serial]
            assert len({(e[3], e[4], e[5], e[6]) for e in pair}) == 1  # same products, value
        assert max(Counter(e[1:3] for e in events.elements()).values()) == 1

        # the state keeps each delivered event's order status
        sent = {d.key: d.status for d in state.deliveries(ORDERS_KEY)}
        for serial, kind in scene.left.items():
            assert sent[f"{serial}:{kind.lower()}"] in ("canceled", "returned")
            assert sent[serial] == "finished"

        # a flapping status repeats nothing
        before = Counter(events)
        box.idosell.update_order(scene.flapping, status="finished")
        assert make_integration(box, state=state, **options).sync_changes().ok
        box.idosell.update_order(scene.flapping, status="canceled")
        again = make_integration(box, state=state, **options).sync_changes()
        assert again.ok
        assert snapshot(box.salesmanago)[1] == before
        assert again.stream("orders").sent == 0


def test_follow_ups_can_be_switched_off() -> None:
    with sandbox(customers=20, subscribers=2, orders=10) as box:
        state = MemoryStateStore()
        options: dict[str, Any] = {"consent_mode": ConsentMode.ALL, "follow_up_events": False}
        buyer = pick(box.shop.customers, consent=True, skip=set())
        order = box.idosell.add_order(buyer.id, [(box.shop.products[0].id, 1)], status="finished")
        assert make_integration(box, state=state, **options).sync_changes().ok
        box.idosell.update_order(order.serial, status="canceled")
        assert make_integration(box, state=state, **options).sync_changes().ok
        types = Counter(e.type for e in box.salesmanago.events.values())
        assert set(types) == {"PURCHASE"}
        assert state.known(ORDERS_KEY, [str(order.serial)]) == {
            str(order.serial): DeliveryState.SENT
        }


def test_degenerate_and_two_size_orders_on_the_sandbox() -> None:
    with sandbox(customers=10, subscribers=0, orders=0) as box:
        buyer = pick(box.shop.customers, consent=True, skip=set())
        product = next(p for p in box.shop.products if len(p.sizes) >= 2)
        other = next(p for p in box.shop.products if p.id != product.id)
        box.idosell.add_order(buyer.id, [])
        two = box.idosell.add_order(
            buyer.id, [(product.id, 2), (other.id, 1), (product.id, 2)], sizes=[0, 0, 1]
        )
        report = make_integration(box, state=MemoryStateStore()).sync_orders()
        assert report.ok
        [event] = box.salesmanago.events.values()
        assert event.fields["externalId"] == str(two.serial)
        assert event.fields["products"] == f"{product.id},{other.id}"
        assert event.fields["detail2"] == "4/1"
        assert len(event.fields["detail1"].split(", ")) == 2
        assert event.fields["value"] == float(
            two.products_cost + two.delivery_cost + Decimal("0.00")
        )
        assert report.stream("orders").skipped == {"order has no product lines": 1}
