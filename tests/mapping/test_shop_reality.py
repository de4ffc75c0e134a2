"""Shop reality in the pure mapping: consent both ways, degenerate orders, follow-up events."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from salesmanago_idosell.idosell.models import (
    Customer,
    NewsletterConsent,
    Order,
    OrderClient,
    OrderProduct,
    OrderStatus,
    Subscriber,
    SubscriberShop,
)
from salesmanago_idosell.mapping import (
    ConsentMode,
    ConsentSync,
    Decision,
    MappingSettings,
    Purchase,
    Skip,
    consent_decision,
    contact_from_customer,
    contact_from_subscriber,
    follow_up_event_from_order,
    purchase_event_from_order,
)
from salesmanago_idosell.salesmanago import ContactUpsert, EventType

WARSAW = ZoneInfo("Europe/Warsaw")
ONLY = MappingSettings(location="sklep_pl")
ALL = attrs.evolve(ONLY, consent_mode=ConsentMode.ALL)
CONSENTING = Customer(
    id=7,
    email="ala.nowak@example.pl",
    newsletter_consents=(NewsletterConsent(shop_id=1, approved=True),),
)
WITHDRAWN = attrs.evolve(CONSENTING, newsletter_consents=())


def opt_flags(result: ContactUpsert | Skip) -> tuple[bool, bool]:
    assert isinstance(result, ContactUpsert)
    return result.force_opt_in, result.force_opt_out


# -- 1. a withdrawn consent reaches SALESmanago in consented-only mode ----------------------


def test_withdrawal_in_consented_only_mode_opts_the_known_contact_out() -> None:
    decision = consent_decision(consented=False, has_account=True, settings=ONLY, previous=True)
    assert decision == Decision(
        send=False,
        reason="customer without e-mail consent in shop 1",
        opt_out_known=True,
    )
    # the contact is never created from the shop's side
    assert isinstance(contact_from_customer(WITHDRAWN, settings=ONLY, previous=True), Skip)


def test_subscriber_withdrawal_follows_the_same_rule() -> None:
    withdrawn = Subscriber(
        email="ola@example.pl",
        registered=False,
        shops=(SubscriberShop(shop_id=1, approved=False),),
    )
    decision = consent_decision(consented=False, has_account=False, settings=ONLY, previous=True)
    assert decision.opt_out_known
    assert not decision.send
    assert contact_from_subscriber(withdrawn, settings=ONLY, previous=True) == Skip(
        record="ola@example.pl", reason="subscriber without e-mail consent in shop 1"
    )
    passed = contact_from_subscriber(withdrawn, settings=ALL, previous=True)
    assert opt_flags(passed) == (False, True)


def test_never_sent_and_without_consent_is_not_opted_out_in_consented_only_mode() -> None:
    decision = consent_decision(consented=False, has_account=True, settings=ONLY, previous=None)
    assert decision == Decision(send=False, reason="customer without e-mail consent in shop 1")
    again = consent_decision(consented=False, has_account=True, settings=ONLY, previous=False)
    assert not again.opt_out_known


# -- 2. "all" mode: set once from the shop, then only on a change ---------------------------


@pytest.mark.parametrize(
    ("previous", "flags"),
    [
        (None, (False, True)),  # first sent: the shop's status
        (False, (False, False)),  # unchanged: a SALESmanago form's later consent is kept
        (True, (False, True)),  # withdrawn in the shop
    ],
)
def test_all_mode_without_consent_changes_only(
    previous: bool | None, flags: tuple[bool, bool]
) -> None:
    assert opt_flags(contact_from_customer(WITHDRAWN, settings=ALL, previous=previous)) == flags


@pytest.mark.parametrize(
    ("previous", "flags"), [(None, (True, False)), (False, (True, False)), (True, (False, False))]
)
def test_consent_given_opts_in_once(previous: bool | None, flags: tuple[bool, bool]) -> None:
    for settings in (ONLY, ALL):
        result = contact_from_customer(CONSENTING, settings=settings, previous=previous)
        assert opt_flags(result) == flags


def test_shop_wins_sends_the_shops_consent_every_time() -> None:
    wins = attrs.evolve(ALL, consent_sync=ConsentSync.SHOP_WINS)
    for previous in (None, False, True):
        assert opt_flags(contact_from_customer(WITHDRAWN, settings=wins, previous=previous)) == (
            False,
            True,
        )
        assert opt_flags(contact_from_customer(CONSENTING, settings=wins, previous=previous)) == (
            True,
            False,
        )
    only_wins = attrs.evolve(ONLY, consent_sync=ConsentSync.SHOP_WINS)
    decision = consent_decision(
        consented=False, has_account=True, settings=only_wins, previous=None
    )
    assert decision.opt_out_known


def test_without_mirroring_nobody_is_opted_out_from_the_shop() -> None:
    quiet = attrs.evolve(ALL, mirror_consent=False)
    for previous in (None, True):
        assert opt_flags(contact_from_customer(WITHDRAWN, settings=quiet, previous=previous)) == (
            False,
            False,
        )
    decision = consent_decision(
        consented=False,
        has_account=True,
        settings=attrs.evolve(ONLY, mirror_consent=False),
        previous=True,
    )
    assert not decision.opt_out_known


# -- 5. degenerate orders -------------------------------------------------------------------

ORDER = Order(
    id="sklep1-900",
    serial_number=900,
    added_at=datetime(2026, 3, 2, 10, 0, tzinfo=WARSAW),
    status=OrderStatus.FINISHED,
    client=OrderClient(id=7, email="ala.nowak@example.pl"),
    total=Decimal("389.00"),
)


def test_order_without_product_lines_is_a_skip() -> None:
    empty = attrs.evolve(ORDER, products=(), total=Decimal(0))
    assert purchase_event_from_order(empty, settings=ONLY) == Skip(
        record="order 900", reason="order has no product lines"
    )


def test_order_that_bought_nothing_is_a_skip() -> None:
    zero = attrs.evolve(
        ORDER,
        products=(
            OrderProduct(product_id=1, name="Gratis", quantity=Decimal(0)),
            OrderProduct(product_id=2, name="Zwrot", quantity=Decimal(-1)),
        ),
    )
    assert purchase_event_from_order(zero, settings=ONLY) == Skip(
        record="order 900", reason="order bought nothing (every quantity is zero or less)"
    )


def test_order_with_a_negative_value_is_a_skip() -> None:
    lines = (OrderProduct(product_id=1, name="Bon", quantity=Decimal(1)),)
    negative = attrs.evolve(ORDER, products=lines, total=Decimal("-10.00"))
    assert purchase_event_from_order(negative, settings=ONLY) == Skip(
        record="order 900", reason="order value is negative"
    )


def test_two_sizes_of_one_product_are_one_entry_in_every_list() -> None:
    lines = (
        OrderProduct(product_id=17040, size_id="M", name="Sukienka lniana", quantity=Decimal(2)),
        OrderProduct(product_id=2, name="Pasek", quantity=Decimal(1)),
        OrderProduct(product_id=17040, size_id="L", name="Sukienka lniana", quantity=Decimal(2)),
    )
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=ONLY)
    assert isinstance(purchase, Purchase)
    assert purchase.event.products == ("17040", "2")
    assert purchase.event.details[1] == "Sukienka lniana, Pasek"
    assert purchase.event.details[2] == "4/1"
    assert purchase.event.value == Decimal("389.00")


def test_odd_lines_map_consistently() -> None:
    lines = (
        OrderProduct(product_id=5, name=None, code="KOD-5", quantity=Decimal(1)),
        OrderProduct(product_id=6, name="Koszulka, biała", quantity=Decimal("0.5")),
        OrderProduct(product_id=7, name="Nic", quantity=Decimal(0)),  # bought nothing
        OrderProduct(product_id=8, name="", quantity=Decimal(3)),
    )
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=ONLY)
    assert isinstance(purchase, Purchase)
    assert purchase.event.products == ("5", "6", "8")
    assert purchase.event.details[1] == "KOD-5, Koszulka  biała, #8"
    assert purchase.event.details[2] == "1/0.5/3"


def test_a_blank_name_gives_the_code_then_the_id() -> None:
    lines = (
        OrderProduct(product_id=9, name=" \t ", code="  KOD   9 ", quantity=Decimal(1)),
        OrderProduct(product_id=10, name=" Pasek  skórzany ", code="P-10", quantity=Decimal(1)),
        OrderProduct(product_id=11, name=" ", code=" ", quantity=Decimal(2)),
    )
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=ONLY)
    assert isinstance(purchase, Purchase)
    assert purchase.event.details[1] == "KOD 9, Pasek skórzany, #11"


def test_long_names_are_shortened_alike_and_stay_parallel() -> None:
    lines = tuple(
        OrderProduct(product_id=100 + i, name=f"Bardzo długa nazwa produktu {i}" * 3)
        for i in range(20)
    )
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=ONLY)
    assert isinstance(purchase, Purchase)
    names = purchase.event.details[1]
    assert len(names) <= 255
    assert len(names.split(", ")) == len(purchase.event.products) == 20


def test_ids_cut_at_512_leave_their_names_and_quantities_out_too() -> None:
    lines = tuple(
        OrderProduct(product_id=1_000_000 + i, name=f"P{i}", quantity=Decimal(i + 1))
        for i in range(100)
    )
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=ONLY)
    assert isinstance(purchase, Purchase)
    kept = len(purchase.event.products)
    assert kept + len(purchase.dropped_products) == 100
    assert len(purchase.event.details[2].split("/")) == kept
    assert len(purchase.event.details[1].split(", ")) == kept


# -- 3. follow-up events ----------------------------------------------------------------------

LINES = (OrderProduct(product_id=3, name="Buty", quantity=Decimal(1)),)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        ("canceled", EventType.CANCELLATION),
        ("lost", EventType.CANCELLATION),
        ("returned", EventType.RETURN),
    ],
)
def test_follow_up_event_repeats_the_purchase(status: str, kind: EventType) -> None:
    changed = datetime(2026, 3, 9, 8, 30)
    order = attrs.evolve(ORDER, products=LINES, changed_at=changed)
    purchase = purchase_event_from_order(order, settings=ONLY)
    follow = follow_up_event_from_order(
        attrs.evolve(order, status=OrderStatus(status)), settings=ONLY
    )
    assert isinstance(purchase, Purchase)
    assert isinstance(follow, Purchase)
    assert follow.event.type is kind
    assert follow.event.date == changed.replace(tzinfo=WARSAW)
    assert attrs.evolve(follow.event, type=EventType.PURCHASE, date=purchase.event.date) == (
        purchase.event
    )


def test_no_follow_up_for_a_purchase_status_and_return_statuses_are_settings() -> None:
    order = attrs.evolve(ORDER, products=LINES)
    assert follow_up_event_from_order(order, settings=ONLY) == Skip(
        record="order 900", reason="status finished is a purchase"
    )
    lost_is_return = attrs.evolve(ONLY, return_statuses={"LOST"})
    lost = follow_up_event_from_order(
        attrs.evolve(order, status=OrderStatus.LOST), settings=lost_is_return
    )
    assert isinstance(lost, Purchase)
    assert lost.event.type is EventType.RETURN
