"""Property tests: generated products survive the XML round trip, however the bytes arrive."""

from __future__ import annotations

import gzip
import itertools
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmanago_idosell.categories import Category, CategoryId, CategoryTree
from salesmanago_idosell.feeds import (
    OfferProduct,
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
)

from .iofxml import Style, offer_xml
from .strategies import ATTR, PRODUCTS

FIXTURES = Path(__file__).parent / "fixtures"
FULL_BYTES = (FIXTURES / "full.xml").read_bytes()

PRODUCT_LISTS = st.lists(PRODUCTS, max_size=4)
STYLES = st.builds(
    Style,
    rng=st.randoms(use_true_random=False),
    noise=st.booleans(),
    comma=st.booleans(),
    cdata=st.booleans(),
    namespace=st.sampled_from(["none", "default", "prefixed"]),
    blank=st.booleans(),
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _split(data: bytes, cuts: list[int]) -> Iterator[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        yield data[start:end]


@SETTINGS
@given(products=PRODUCT_LISTS, style=STYLES)
def test_generated_products_parse_back_to_the_same_models(
    products: list[OfferProduct], style: Style
) -> None:
    data = offer_xml(products, style=style)
    assert list(iter_offer_products(data)) == products


@SETTINGS
@given(
    products=PRODUCT_LISTS,
    style=STYLES,
    cuts=st.lists(st.integers(min_value=0), max_size=40),
    chunk_size=st.integers(min_value=1, max_value=512),
)
def test_chunk_boundaries_anywhere_give_the_same_result(
    products: list[OfferProduct], style: Style, cuts: list[int], chunk_size: int
) -> None:
    """Whatever the chunks of the source and the parser's own chunk size (where expat is
    stopped and restarted), the same products come out."""
    data = offer_xml(products, style=style)
    expected = list(iter_offer_products(data))
    assert list(iter_offer_products(_split(data, cuts), chunk_size=chunk_size)) == expected
    assert expected == products


@SETTINGS
@given(products=PRODUCT_LISTS, cuts=st.lists(st.integers(min_value=0), max_size=20))
def test_chunk_boundaries_in_gzip_input(products: list[OfferProduct], cuts: list[int]) -> None:
    data = gzip.compress(offer_xml(products))
    assert list(iter_offer_products(_split(data, cuts))) == products


@SETTINGS
@given(products=PRODUCT_LISTS, style=STYLES)
def test_light_reader_agrees_with_the_full_reader(
    products: list[OfferProduct], style: Style
) -> None:
    data = offer_xml(products, style=style)
    light = [(p.id, p.vat, p.currency, p.price, p.srp, p.sizes) for p in iter_light_products(data)]
    assert light == [(p.id, p.vat, p.currency, p.price, p.srp, p.sizes) for p in products]


def _one_byte_chunks(data: bytes) -> Iterator[bytes]:
    for index in range(len(data)):
        yield data[index : index + 1]


def test_one_byte_chunks_of_the_official_sample() -> None:
    expected = list(iter_offer_products(FULL_BYTES))
    assert len(expected) == 8
    assert list(iter_offer_products(_one_byte_chunks(FULL_BYTES), chunk_size=1)) == expected


def test_random_splits_of_the_official_samples() -> None:
    rng = random.Random(4)
    expected = list(iter_offer_products(FULL_BYTES))
    categories = (FIXTURES / "categories.xml").read_bytes()
    tree = parse_category_tree(categories)
    for _ in range(20):
        cuts = [rng.randrange(len(FULL_BYTES)) for _ in range(rng.randrange(1, 200))]
        size = rng.randrange(1, 2048)
        assert list(iter_offer_products(_split(FULL_BYTES, cuts), chunk_size=size)) == expected
        cuts = [rng.randrange(len(categories)) for _ in range(rng.randrange(1, 50))]
        assert parse_category_tree(_split(categories, cuts)) == tree


@st.composite
def _category_trees(draw: st.DrawFn) -> list[Category]:
    """Categories with unique ids, each parent listed before its children."""
    # categories.xsd: ids are strings (IdoSell writes numbers); names per language
    ids = draw(
        st.lists(
            st.integers(0, 2**40) | st.text("abcXYZ_-", min_size=1, max_size=8),
            unique_by=str,
            max_size=12,
        )
    )
    found: list[Category] = []
    for category_id in ids:
        parent = draw(st.none() | st.sampled_from(found)) if found else None
        name, english = draw(ATTR), draw(ATTR)
        names = {"pol": name, "eng": english}
        found.append(Category(category_id, name, parent.id if parent else None, names=names))
    return found


def _category_xml(categories: list[Category], parent_id: CategoryId | None) -> str:
    return "".join(
        f"<category id={quoteattr(str(c.id))} name={quoteattr(c.name)}>"
        f'<name xml:lang="eng">{escape(c.names["eng"])}</name>'
        f"{_category_xml(categories, c.id)}</category>"
        for c in categories
        if c.parent_id == parent_id
    )


@SETTINGS
@given(categories=_category_trees(), cuts=st.lists(st.integers(min_value=0), max_size=10))
def test_generated_category_trees_parse_back(categories: list[Category], cuts: list[int]) -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?><categories file_format="IOF" version="3.0">'
        f"{_category_xml(categories, None)}</categories>"
    ).encode()
    tree = parse_category_tree(_split(data, cuts))
    assert tree == CategoryTree.of(categories)
    for category in categories:
        assert tree.path(category.id)[-1] == category.name
        assert tree.path(category.id, "eng")[-1] == category.names["eng"]
