"""Mapping rules: contacts, consent, category tags, purchase events."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest

from salesmanago_idosell.categories import Category, CategoryTree
from salesmanago_idosell.idosell.models import (
    Address,
    Customer,
    NewsletterConsent,
    Order,
    OrderClient,
    OrderProduct,
    OrderSource,
    OrderStatus,
    PickupPoint,
    Subscriber,
    SubscriberShop,
)
from salesmanago_idosell.mapping import (
    ConsentMode,
    MappingSettings,
    Purchase,
    Skip,
    TagStyle,
    category_tags,
    consent_decision,
    contact_from_customer,
    contact_from_subscriber,
    format_tag,
    purchase_event_from_order,
)
from salesmanago_idosell.salesmanago import ContactState, ContactUpsert, EventType
from salesmanago_idosell.salesmanago import models as sm

WARSAW = ZoneInfo("Europe/Warsaw")
SETTINGS = MappingSettings(location="sklep_pl", shop_domain="sklep.example.pl")
ALL = attrs.evolve(SETTINGS, consent_mode=ConsentMode.ALL)

CUSTOMER = Customer(
    id=1024,
    login="jkowalski",
    email="  Jan.Kowalski@example.pl ",
    first_name="Jan",
    last_name="Kowalski",
    company="Kowalski  Sp. z o.o.",
    birth_date=date(1985, 3, 7),
    phone=None,
    landline_phone="+48 22 100 200",
    billing_address=Address(
        street="ul. Długa 1/2",
        zip_code="00-001",
        city="Warszawa",
        country_code="pl",
        province="mazowieckie",
    ),
    language="pol",
    newsletter_consents=(NewsletterConsent(shop_id=1, approved=True),),
)


def test_customer_with_consent_maps_every_field() -> None:
    contact = contact_from_customer(CUSTOMER, settings=SETTINGS)
    assert contact == ContactUpsert(
        email="Jan.Kowalski@example.pl",
        name="Jan Kowalski",
        company="Kowalski Sp. z o.o.",
        phone="+48 22 100 200",
        birthday=date(1985, 3, 7),
        address=sm.Address(
            street="ul. Długa 1/2", zip_code="00-001", city="Warszawa", country="PL"
        ),
        province="mazowieckie",
        lang="pl",
        external_id="1024",
        state=ContactState.CUSTOMER,
        tags=["rejestracja"],
        force_opt_in=True,
    )


def test_cell_phone_comes_first_and_names_fall_back_to_billing() -> None:
    customer = attrs.evolve(
        CUSTOMER,
        phone="+48 600 100 200",
        first_name=None,
        last_name=None,
        billing_address=Address(first_name="Anna", last_name="Nowak"),
    )
    contact = contact_from_customer(customer, settings=SETTINGS)
    assert isinstance(contact, ContactUpsert)
    assert contact.phone == "+48 600 100 200"
    assert contact.name == "Anna Nowak"
    assert contact.address == sm.Address()


@pytest.mark.parametrize("email", [None, "", "   ", "jan@", "jan kowalski@x.pl"])
def test_invalid_email_is_a_skip_not_an_exception(email: str | None) -> None:
    result = contact_from_customer(attrs.evolve(CUSTOMER, email=email), settings=SETTINGS)
    assert isinstance(result, Skip)
    assert "e-mail" in result.reason


def test_consented_only_skips_customers_without_consent_in_the_shop() -> None:
    other_shop = (NewsletterConsent(shop_id=2, approved=True),)
    customer = attrs.evolve(CUSTOMER, newsletter_consents=other_shop)
    result = contact_from_customer(customer, settings=SETTINGS)
    assert result == Skip(
        record="Jan.Kowalski@example.pl", reason="customer without e-mail consent in shop 1"
    )
    assert isinstance(
        contact_from_customer(customer, settings=attrs.evolve(SETTINGS, shop_id=2)), ContactUpsert
    )


def test_all_mode_passes_customers_without_consent_opted_out() -> None:
    customer = attrs.evolve(CUSTOMER, newsletter_consents=())
    contact = contact_from_customer(customer, settings=ALL)
    assert isinstance(contact, ContactUpsert)
    assert (contact.force_opt_in, contact.force_opt_out) == (False, True)
    unchanged = contact_from_customer(customer, settings=attrs.evolve(ALL, mirror_consent=False))
    assert isinstance(unchanged, ContactUpsert)
    assert (unchanged.force_opt_in, unchanged.force_opt_out) == (False, False)


def test_consent_decision_table() -> None:
    for mode in ConsentMode:
        settings = attrs.evolve(SETTINGS, consent_mode=mode)
        for has_account in (True, False):
            assert consent_decision(consented=True, has_account=has_account, settings=settings)
            decision = consent_decision(consented=False, has_account=has_account, settings=settings)
            assert decision.send is (mode is ConsentMode.ALL)
            assert (decision.reason is None) is decision.send


SUBSCRIBER = Subscriber(
    email="ola@example.pl",
    registered=False,
    language="eng",
    shops=(SubscriberShop(shop_id=1, approved=True),),
)


def test_subscriber_without_account() -> None:
    assert contact_from_subscriber(SUBSCRIBER, settings=SETTINGS) == ContactUpsert(
        email="ola@example.pl", lang="en", tags=["newsletter"], force_opt_in=True
    )


def test_subscriber_rules() -> None:
    registered = attrs.evolve(SUBSCRIBER, registered=True)
    assert isinstance(contact_from_subscriber(registered, settings=ALL), Skip)
    unapproved = attrs.evolve(SUBSCRIBER, shops=(SubscriberShop(shop_id=1, approved=False),))
    assert isinstance(contact_from_subscriber(unapproved, settings=SETTINGS), Skip)
    passed = contact_from_subscriber(unapproved, settings=ALL)
    assert isinstance(passed, ContactUpsert)
    assert passed.force_opt_out is True
    assert isinstance(
        contact_from_subscriber(attrs.evolve(SUBSCRIBER, email="x@"), settings=ALL), Skip
    )


def test_unknown_language_is_not_sent() -> None:
    contact = contact_from_subscriber(attrs.evolve(SUBSCRIBER, language="xyz"), settings=SETTINGS)
    assert isinstance(contact, ContactUpsert)
    assert contact.lang is None


TREE = CategoryTree.of(
    [
        Category(1, "Odzież"),
        Category(2, "Buty  damskie", parent_id=1),
        Category(3, "Szpilki / czółenka", parent_id=2),
        Category(4, "Na bal & wesele", parent_id=3),
        Category(5, "Akcesoria"),
        Category(6, "Torebki", parent_id=5),
    ]
)


def test_category_tags_one_per_level_default_depth_three() -> None:
    tags = category_tags([4, 6, 3, 404], TREE, settings=SETTINGS)
    assert tags == ("Odzież", "Buty damskie", "Szpilki / czółenka", "Akcesoria", "Torebki")


def test_category_tags_salesmanago_style_depth_and_length() -> None:
    settings = attrs.evolve(
        SETTINGS, tag_style=TagStyle.SALESMANAGO, category_tag_depth=2, tag_max_length=8
    )
    assert category_tags([4], TREE, settings=settings) == ("ODZIEŻ", "BUTY_DAM")


def test_format_tag_blank() -> None:
    assert format_tag("   ", settings=SETTINGS) is None


ORDER = Order(
    id="sklep1-4711",
    serial_number=4711,
    added_at=datetime(2025, 11, 3, 12, 15, 42, tzinfo=WARSAW),
    status=OrderStatus.FINISHED,
    client=OrderClient(id=1024, email="jan.kowalski@example.pl"),
    pickup_point=PickupPoint(
        id="WAW123M", name="Paczkomat WAW123M", city="Warszawa", street="ul. Puławska 2"
    ),
    source=OrderSource(type="shop", shop_id=1),
    currency="PLN",
    total=Decimal("412.49"),
    payment_method="prepaid",
    delivery_method="InPost Paczkomaty",
    products=(
        OrderProduct(product_id=501, name="Kurtka zimowa", quantity=Decimal(2)),
        OrderProduct(product_id=77, name="Czapka", quantity=Decimal("1.5")),
        OrderProduct(product_id=501, name="Kurtka zimowa", quantity=Decimal(1)),
    ),
)


def test_purchase_event_from_order() -> None:
    purchase = purchase_event_from_order(ORDER, settings=SETTINGS)
    assert isinstance(purchase, Purchase)
    event = purchase.event
    assert event == sm.ExternalEvent(
        type=EventType.PURCHASE,
        date=datetime(2025, 11, 3, 11, 15, 42, tzinfo=timezone.utc),
        email="jan.kowalski@example.pl",
        products=["501", "77"],
        value=Decimal("412.49"),
        location="sklep_pl",
        shop_domain="sklep.example.pl",
        external_id="4711",
        description="Kurtka zimowa, Czapka",
        details={  # one entry per product id: the two lines of 501 are summed
            1: "Kurtka zimowa, Czapka",
            2: "3/1.5",
            3: "PLN",
            4: "prepaid",
            5: "InPost Paczkomaty",
            6: "Paczkomat WAW123M, ul. Puławska 2, Warszawa",
            7: "sklep1-4711",
        },
    )
    assert purchase.dropped_products == ()


def test_naive_order_date_is_read_in_the_shop_timezone() -> None:
    naive = attrs.evolve(ORDER, added_at=datetime(2025, 7, 1, 12, 0))
    purchase = purchase_event_from_order(naive, settings=SETTINGS)
    assert isinstance(purchase, Purchase)
    utc = purchase.event.date.astimezone(timezone.utc)
    assert utc == datetime(2025, 7, 1, 10, 0, tzinfo=timezone.utc)


def test_store_order_reports_its_place_and_total_is_rounded_to_cents() -> None:
    order = attrs.evolve(
        ORDER,
        pickup_point=None,
        source=OrderSource(type="pos"),
        stock_id=3,
        total=Decimal("30.499999"),
    )
    purchase = purchase_event_from_order(order, settings=SETTINGS)
    assert isinstance(purchase, Purchase)
    assert purchase.event.details[6] == "store 3"
    assert purchase.event.value == Decimal("30.50")


def test_long_product_lists_are_cut_between_ids_and_reported() -> None:
    lines = tuple(OrderProduct(product_id=1_000_000 + i) for i in range(100))
    purchase = purchase_event_from_order(attrs.evolve(ORDER, products=lines), settings=SETTINGS)
    assert isinstance(purchase, Purchase)
    joined = ",".join(purchase.event.products)
    assert len(joined) <= 512
    assert purchase.event.products + purchase.dropped_products == tuple(
        str(line.product_id) for line in lines
    )
    assert len(purchase.event.products) == 64


@pytest.mark.parametrize("status", ["canceled", "lost", "returned", "false", "missing"])
def test_cancelled_lost_returned_orders_are_not_purchases(status: str) -> None:
    result = purchase_event_from_order(
        attrs.evolve(ORDER, status=OrderStatus(status)), settings=SETTINGS
    )
    assert result == Skip(record="order 4711", reason=f"status {status} is not a purchase")


def test_purchase_status_set_is_configurable() -> None:
    settings = attrs.evolve(SETTINGS, non_purchase_statuses={"NEW"})
    assert isinstance(
        purchase_event_from_order(attrs.evolve(ORDER, status=OrderStatus.NEW), settings=settings),
        Skip,
    )
    canceled = attrs.evolve(ORDER, status=OrderStatus.CANCELED)
    assert isinstance(purchase_event_from_order(canceled, settings=settings), Purchase)


def test_order_without_email_or_date_is_skipped() -> None:
    no_email = attrs.evolve(ORDER, client=OrderClient(id=1))
    skip = purchase_event_from_order(no_email, settings=SETTINGS)
    assert isinstance(skip, Skip)
    assert skip.record == "order 4711"
    no_date = purchase_event_from_order(attrs.evolve(ORDER, added_at=None), settings=SETTINGS)
    assert no_date == Skip(record="order 4711", reason="order has no add date")
