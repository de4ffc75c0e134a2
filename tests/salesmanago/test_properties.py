"""Hypothesis: wire round-trips of the models; chunking never loses or exceeds."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import attrs
from hypothesis import given
from hypothesis import strategies as st

from salesmanago_idosell._chunks import chunked
from salesmanago_idosell.salesmanago import (
    Address,
    CatalogProduct,
    ContactState,
    ContactUpsert,
    EventType,
    ExternalEvent,
    SystemDetails,
)
from salesmanago_idosell.salesmanago._wire import make_salesmanago_converter

text = st.text(st.characters(blacklist_categories=["Cs", "Cc", "Zs"]), min_size=1, max_size=20)
maybe = st.none() | text
emails = st.from_regex(r"[a-z]{1,10}@[a-z]{1,10}\.pl", fullmatch=True)
ms_datetimes = st.integers(min_value=0, max_value=4_102_444_800_000).map(
    lambda ms: datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
)
money = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)

contacts = st.builds(
    ContactUpsert,
    email=emails,
    name=maybe,
    phone=maybe,
    company=maybe,
    external_id=maybe,
    state=st.none() | st.sampled_from(ContactState),
    address=st.none() | st.builds(Address, street=text, zip_code=maybe, city=maybe),
    birthday=st.none() | st.dates(),
    lang=maybe,
    tags=st.lists(text, max_size=3),
    remove_tags=st.lists(text, max_size=2),
    properties=st.dictionaries(text, text, max_size=2),
    force_opt_in=st.booleans(),
    force_phone_opt_out=st.booleans(),
)
events = st.builds(
    ExternalEvent,
    type=st.sampled_from(EventType) | st.sampled_from(["ENGAGEMENT", "PACKED"]),
    contact_id=st.none() | st.uuids().map(str),
    force_opt_in=st.booleans(),
    date=ms_datetimes,
    email=emails,
    products=st.lists(st.from_regex(r"[A-Za-z0-9-]{1,8}", fullmatch=True), max_size=5),
    description=maybe,
    value=st.none() | money,
    details=st.dictionaries(st.integers(1, 20), text, max_size=3),
    external_id=maybe,
).map(
    # the wire carries one identifier: contactId wins over email
    lambda e: attrs.evolve(e, email=None) if e.contact_id else e
)

products = st.builds(
    CatalogProduct,
    product_id=text,
    name=maybe,
    categories=st.lists(text, max_size=3),
    price=st.none() | money,
    quantity=st.none() | st.integers(0, 10**6),
    available=st.none() | st.booleans(),
    system_details=st.none() | st.builds(SystemDetails, brand=text),
)


@given(contacts)
def test_contact_round_trip(contact: ContactUpsert) -> None:
    converter = make_salesmanago_converter(strict=True)
    assert converter.structure(converter.unstructure(contact), ContactUpsert) == contact


@given(events)
def test_event_round_trip(event: ExternalEvent) -> None:
    converter = make_salesmanago_converter(strict=True)
    assert converter.structure(converter.unstructure(event), ExternalEvent) == event


@given(products)
def test_product_round_trip(product: CatalogProduct) -> None:
    converter = make_salesmanago_converter(strict=True)
    assert converter.structure(converter.unstructure(product), CatalogProduct) == product


@given(st.lists(st.integers(), max_size=300), st.integers(min_value=1, max_value=120))
def test_chunking_never_exceeds_loses_or_duplicates(items: list[int], size: int) -> None:
    chunks = list(chunked(items, size))
    assert all(1 <= len(c) <= size for c in chunks)
    assert [x for c in chunks for x in c] == items


def test_decimal_value_is_exact_on_the_wire() -> None:
    converter = make_salesmanago_converter()
    event = ExternalEvent(type=EventType.PURCHASE, date=datetime.now(timezone.utc),
                          email="a@b.pl", value=Decimal("0.10"))  # fmt: skip
    assert converter.unstructure(event)["contactEvent"]["value"] == 0.1
