"""Hypothesis: the mapping never raises, and what it returns is always sendable."""

from __future__ import annotations

from datetime import timezone
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

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
)
from salesmanago_idosell.mapping import (
    ConsentMode,
    MappingSettings,
    Purchase,
    Skip,
    TagStyle,
    category_tags,
    contact_from_customer,
    format_tag,
    purchase_event_from_order,
)
from salesmanago_idosell.salesmanago import ContactUpsert, fit_event
from salesmanago_idosell.salesmanago.contacts import checked_email

text = st.none() | st.text(max_size=400)
emails = st.none() | st.text(max_size=30) | st.from_regex(r"[a-z.]{1,12}@[a-z]{1,8}\.pl")
mapping_settings = st.builds(
    MappingSettings,
    consent_mode=st.sampled_from(ConsentMode),
    mirror_consent=st.booleans(),
    tag_style=st.sampled_from(TagStyle),
    category_tag_depth=st.integers(1, 5),
    tag_max_length=st.integers(1, 300),
    location=st.none() | st.from_regex(r"[a-z_]{3,36}", fullmatch=True),
)
customers = st.builds(
    Customer,
    id=st.integers(1, 10**9),
    email=emails,
    first_name=text,
    last_name=text,
    company=text,
    phone=text,
    landline_phone=text,
    billing_address=st.builds(Address, street=text, city=text, country_code=text),
    language=text,
    newsletter_consents=st.lists(
        st.builds(NewsletterConsent, shop_id=st.integers(1, 3), approved=st.booleans()),
        max_size=3,
    ).map(tuple),
)
orders = st.builds(
    Order,
    id=st.text(max_size=300),
    serial_number=st.integers(1, 10**9),
    added_at=st.none() | st.datetimes(timezones=st.just(timezone.utc)) | st.datetimes(),
    status=st.none() | st.sampled_from(OrderStatus),
    client=st.builds(OrderClient, email=emails),
    pickup_point=st.none() | st.builds(PickupPoint, name=text, city=text, street=text),
    source=st.builds(OrderSource, type=st.none() | st.sampled_from(["shop", "pos"])),
    currency=st.none() | st.sampled_from(["PLN", "EUR"]),
    total=st.decimals(min_value=0, max_value=10**9, places=6),
    payment_method=text,
    delivery_method=text,
    stock_id=st.none() | st.integers(1, 9),
    products=st.lists(
        st.builds(
            OrderProduct,
            product_id=st.integers(1, 10**12),
            name=text,
            quantity=st.decimals(min_value=0, max_value=1000, places=3),
        ),
        max_size=150,
    ).map(tuple),
)
names = st.text(min_size=1, max_size=40)
trees = st.lists(
    st.tuples(st.integers(1, 30), names, st.none() | st.integers(1, 30)), max_size=30
).map(lambda rows: CategoryTree.of(Category(i, n, parent_id=p) for i, n, p in rows))


@given(customers, mapping_settings)
def test_customer_mapping_never_raises_and_is_sendable(
    customer: Customer, mapping: MappingSettings
) -> None:
    result = contact_from_customer(customer, settings=mapping)
    if isinstance(result, ContactUpsert):
        assert checked_email(result.email) == result.email
        assert result.tags == (mapping.registration_tag,)
    else:
        assert isinstance(result, Skip)
        assert result.reason


@settings(max_examples=150)
@given(orders, mapping_settings)
def test_order_mapping_never_raises_and_fits_every_limit(
    order: Order, mapping: MappingSettings
) -> None:
    result = purchase_event_from_order(order, settings=mapping)
    if isinstance(result, Skip):
        assert result.reason
        return
    assert isinstance(result, Purchase)
    assert len(",".join(result.event.products)) <= 512
    assert fit_event(result.event) == result.event  # accepted as is under "raise"
    bought = [line for line in order.products if line.quantity > 0]
    ids = list(dict.fromkeys(str(line.product_id) for line in bought))
    assert list(result.event.products) + list(result.dropped_products) == ids
    # every parallel list has one entry per product id, in the same order
    quantities = result.event.details[2].split("/")
    assert len(quantities) == len(result.event.products)
    names = result.event.details.get(1)
    if names is not None:
        assert len(names.split(", ")) == len(result.event.products)
    for product_id, quantity in zip(result.event.products, quantities, strict=True):
        total = sum(line.quantity for line in bought if str(line.product_id) == product_id)
        assert Decimal(quantity) == total


@given(trees, st.lists(st.integers(1, 30), max_size=10), mapping_settings)
def test_category_tags_are_distinct_and_come_from_category_names(
    tree: CategoryTree, ids: list[int], mapping: MappingSettings
) -> None:
    tags = category_tags(ids, tree, settings=mapping)
    assert len(tags) == len(set(tags))
    allowed = {format_tag(c.name, settings=mapping) for c in tree}
    assert set(tags) <= allowed
    assert all(0 < len(t) <= mapping.tag_max_length for t in tags)
