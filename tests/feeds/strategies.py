"""Hypothesis strategies for feed models that survive an XML round trip."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from salesmanago_idosell.feeds import (
    NOT_TRACKED,
    CategoryRef,
    IdosellCategoryRef,
    OfferProduct,
    Price,
    Producer,
    ProductType,
    Quantity,
    Size,
    Stock,
)

# Characters XML 1.0 can carry (no C0 controls, surrogates or non-characters), plus the ones
# that need escaping or trip naive parsers.
_CHARS = st.characters(exclude_categories=("Cs", "Cc", "Cn")) | st.sampled_from(
    list("&<>/\"'\n\t]ąęłóżźćńśĄĘŁÓŻŹĆŃŚ")
)
_RAW_TEXT = st.text(_CHARS, min_size=1, max_size=30)
# Element text is stripped by the parser, so generate it already stripped and non-empty.
TEXT = _RAW_TEXT.map(str.strip).filter(bool) | st.just("a ]]> b") | st.just("x\r\ny")
# Attribute values are stripped by the parser and a blank one means absent: generate them
# stripped and non-empty (optional ones are ``None`` when absent).
ATTR = st.text(_CHARS, min_size=1, max_size=30).map(str.strip).filter(bool)
IDENT = st.text("abcXYZ0123456789-_", min_size=1, max_size=12)
LANGS = st.sampled_from(["pol", "eng", "ger", "cze"])

MONEY = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
AMOUNT = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
QUANTITY: st.SearchStrategy[Quantity] = st.one_of(st.just(NOT_TRACKED), AMOUNT)


def _optional(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.none() | strategy


# A price element with neither value reads as no price at all.
PRICES = st.builds(Price, gross=st.none() | MONEY, net=MONEY) | st.builds(Price, gross=MONEY)

STOCKS = st.builds(
    Stock,
    warehouse_id=IDENT,
    quantity=st.none() | QUANTITY,
    available_quantity=st.none() | QUANTITY,
)

SIZES = st.builds(
    Size,
    id=st.none() | IDENT,
    name=st.none() | ATTR,
    code=st.none() | IDENT,
    producer_code=st.none() | IDENT,
    external_code=st.none() | IDENT,
    weight=st.none() | AMOUNT,
    price=st.none() | PRICES,
    srp=st.none() | PRICES,
    strikethrough_price=st.none() | PRICES,
    available=st.none() | st.booleans(),
    stocks=st.lists(STOCKS, max_size=3).map(tuple),
)

TEXTS = st.dictionaries(LANGS, TEXT, max_size=3)
URLS = st.builds(lambda s: f"https://shop.example.pl/{s}.jpg", IDENT)

PRODUCTS = st.builds(
    OfferProduct,
    id=IDENT,
    type=st.none() | st.sampled_from(list(ProductType)),
    vat=st.none() | st.sampled_from([Decimal("23.0"), Decimal("8"), Decimal("0"), Decimal("5.5")]),
    currency=st.sampled_from(["PLN", "EUR", "CZK"]),
    removed=st.booleans(),
    code_on_card=st.none() | IDENT,
    producer=st.none() | st.builds(Producer, id=IDENT, name=st.none() | ATTR),
    category=st.none()
    | st.builds(CategoryRef, id=IDENT | st.integers(0, 2**40).map(str), path=ATTR),
    idosell_category=st.none() | st.builds(IdosellCategoryRef, id=IDENT, path=ATTR),
    card_url=st.none() | URLS,
    names=TEXTS,
    short_descriptions=TEXTS,
    long_descriptions=TEXTS,
    price=st.none() | PRICES,
    srp=st.none() | PRICES,
    strikethrough_price=st.none() | PRICES,
    sizes=st.lists(SIZES, max_size=3).map(tuple),
    images=st.lists(URLS, max_size=4, unique=True).map(tuple),
    icon_url=st.none() | URLS,
)
