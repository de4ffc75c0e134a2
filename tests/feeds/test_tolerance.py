"""What real feeds do that the parser must shrug off: order, extensions, namespaces, decimals."""

from __future__ import annotations

import gzip
import tracemalloc
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest

from salesmanago_idosell.feeds import (
    NOT_TRACKED,
    OfferProduct,
    Price,
    ProductType,
    Size,
    Stock,
    iter_offer_products,
)

from .iofxml import IAIEXT_NS, IOF_NS, offer_xml

IAIEXT = f'xmlns:iaiext="{IAIEXT_NS}"'


def _one(products: str, *, offer_attrs: str = "", products_attrs: str = "") -> OfferProduct:
    data = (
        f'<offer file_format="IOF" version="3.0" {IAIEXT} {offer_attrs}>'
        f'<products currency="PLN" language="pol" {products_attrs}>{products}</products></offer>'
    ).encode()
    (product,) = iter_offer_products(data)
    return product


def test_default_iof_namespace_is_accepted() -> None:
    product = _one('<product id="1"><price gross="2" net="1"/></product>', offer_attrs="")
    data = (
        f'<offer xmlns="{IOF_NS}" file_format="IOF" version="3.0"><products currency="PLN">'
        '<product id="1"><price gross="2" net="1"/></product></products></offer>'
    ).encode()
    assert list(iter_offer_products(data)) == [product]


def test_prefixed_iof_elements_and_a_locally_renamed_extension_prefix() -> None:
    data = (
        f'<iof:offer xmlns:iof="{IOF_NS}" file_format="IOF" version="3.0">'
        '<iof:products currency="EUR"><iof:product id="7"><iof:sizes>'
        f'<iof:size xmlns:ext="{IAIEXT_NS}" id="1" ext:code_external="E-1"/>'
        "</iof:sizes></iof:product></iof:products></iof:offer>"
    ).encode()
    (product,) = iter_offer_products(data)
    assert product.currency == "EUR"
    assert product.sizes == (Size(id="1", external_code="E-1"),)


def test_comma_decimals_and_the_minus_one_sentinel_spellings() -> None:
    product = _one(
        '<product id="1" vat="23,0"><price gross="12,50" net=" 10.16 "/><sizes><size id="1">'
        '<stock id="0" quantity="2,5"/><stock id="1" quantity="-1.0"/>'
        '<stock id="2" quantity="-1,00"/><stock id="3" quantity="0"/></size></sizes></product>'
    )
    assert product.vat == Decimal("23.0")
    assert product.price == Price(gross=Decimal("12.50"), net=Decimal("10.16"))
    quantities = [s.quantity for s in product.sizes[0].stocks]
    assert quantities == [Decimal("2.5"), NOT_TRACKED, NOT_TRACKED, Decimal(0)]
    assert [s.tracked for s in product.sizes[0].stocks] == [True, False, False, True]


def test_total_quantity_sums_tracked_warehouses() -> None:
    size = Size(
        id="1", stocks=(Stock(warehouse_id="0", quantity=Decimal(2)), Stock(warehouse_id="1"))
    )
    assert size.total_quantity == Decimal(2)


def test_removed_flag_and_product_types() -> None:
    assert _one('<product id="1" removed="yes"/>').removed is True
    assert _one('<product id="1" removed="no"/>').removed is False
    assert _one('<product id="1" type=" Bundle "/>').type is ProductType.BUNDLE
    assert _one('<product id="1" type="gift_card"/>').type == "gift_card"


def test_texts_default_language_and_typed_names() -> None:
    product = _one(
        '<product id="1"><description><name>Bez języka</name>'
        '<name xml:lang="eng" type="auction">Auction name</name>'
        '<name xml:lang="eng">Plain name</name><name xml:lang="ger" type="x">Nur typed</name>'
        '<iaiext:meta_title xml:lang="pol">meta</iaiext:meta_title>'
        '<version name="v"><name xml:lang="pol">variant label</name></version>'
        "</description></product>"
    )
    assert product.names == {"pol": "Bez języka", "eng": "Plain name", "ger": "Nur typed"}
    assert product.name("eng") == "Plain name"
    assert product.name("fra") == "Bez języka"
    assert product.short_description() is None


def test_images_follow_priority_then_feed_order() -> None:
    product = _one(
        '<product id="1"><images><large>'
        '<image url="u-none-1"/><image url="u3" iaiext:priority="3"/>'
        '<image url="u1" iaiext:priority="1"/><image url="u-bad" iaiext:priority="x"/>'
        '<image iaiext:priority="0"/><image url="u2" iaiext:priority="2"/>'
        "</large></images></product>"
    )
    assert product.images == ("u1", "u2", "u3", "u-none-1", "u-bad")
    assert product.icon_url is None


def test_images_follow_priorities_of_any_size_exactly() -> None:
    # integers past a float's 53 bits and past its range are ordered as integers (the
    # compiled build once turned them into floats: a tie, or a TypeError ending the stream)
    big = 2**53
    product = _one(
        '<product id="1"><images><large>'
        f'<image url="u-huge" iaiext:priority="{10**400}"/>'
        f'<image url="u-big+1" iaiext:priority="{big + 1}"/>'
        f'<image url="u-big" iaiext:priority="{big}"/>'
        '<image url="u-none"/><image url="u-neg" iaiext:priority=" -1 "/>'
        "</large></images></product>"
    )
    assert product.images == ("u-neg", "u-big", "u-big+1", "u-huge", "u-none")


def test_odd_shapes_first_element_wins_text_is_ignored() -> None:
    product = _one(
        '<product id="1"><price gross="1" net="1"/><price gross="2" net="2"/>'
        "<srp>12.00</srp><card/><category_idosell id='5'/></product>"
    )
    assert product.price == Price(gross=Decimal(1), net=Decimal(1))
    assert product.srp is None
    assert product.card_url is None
    assert product.idosell_category is not None
    assert product.idosell_category.levels == ()


def test_unknown_elements_anywhere_are_ignored() -> None:
    product = _one(
        '<iaiext:stats count="3"/><product id="1">'
        '<iaiext:navigation><iaiext:site id="1"/></iaiext:navigation>'
        '<bundled><product id="99"/></bundled><unknown>text</unknown>'
        '<price gross="2" net="1"><iaiext:x/></price></product><other id="2"/>',
        products_attrs='iaiext:extra="1"',
    )
    assert product.id == "1"
    assert product.price == Price(gross=Decimal(2), net=Decimal(1))


def test_eight_bit_encodings_and_bom() -> None:
    body = (
        '<offer file_format="IOF" version="3.0"><products language="pol">'
        '<product id="1"><producer id="1" name="Łódź Żółć"/></product></products></offer>'
    )
    encoded = [
        f'<?xml version="1.0" encoding="{name}"?>{body}'.encode(name)
        for name in ("ISO-8859-2", "windows-1250", "UTF-16")
    ]
    bom = b"\xef\xbb\xbf" + f'<?xml version="1.0" encoding="UTF-8"?>{body}'.encode()
    for data in [*encoded, bom]:
        (product,) = iter_offer_products(data)
        assert product.producer is not None
        assert product.producer.name == "Łódź Żółć"


def _many_products(count: int, *, rich: bool) -> bytes:
    product = OfferProduct(id="1", price=Price(gross=Decimal(1)))
    if rich:
        product = attrs.evolve(
            product,
            names={"pol": "Nazwa " * 20},
            long_descriptions={"pol": "<p>Opis</p>" * 50},
            sizes=tuple(
                Size(id=str(n), stocks=(Stock(warehouse_id="0", quantity=Decimal(n)),))
                for n in range(5)
            ),
            images=tuple(f"https://x/{n}.jpg" for n in range(5)),
        )
    # Whitespace between products (indentation) must not pile up either; make it count.
    gap = b"</product>\n" + b" " * 250 + b"<product"
    return offer_xml([product] * count).replace(b"</product><product", gap)


def _peak(data: bytes) -> int:
    def chunks() -> Iterator[bytes]:
        view = memoryview(data)
        for start in range(0, len(data), 65536):
            yield bytes(view[start : start + 65536])

    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_offer_products(chunks()))
        assert count > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("rich", "small", "large"), [(True, 200, 2000), (False, 500, 8000)])
def test_peak_memory_does_not_grow_with_the_number_of_products(
    rich: bool, small: int, large: int
) -> None:
    small_data, large_data = _many_products(small, rich=rich), _many_products(large, rich=rich)
    assert len(large_data) > 2**20
    small_peak, large_peak = _peak(small_data), _peak(large_data)
    # Many times the products (megabytes more XML) may not add more than noise to the peak.
    assert large_peak < small_peak + 512 * 1024
    assert large_peak < len(large_data) / 4


@pytest.mark.parametrize("encoding", ["utf8", "UTF8", "utf_8", "U8", "cp65001"])
@pytest.mark.parametrize("chunk_size", [16384, 7, 1])
def test_utf8_under_another_name_is_read_as_utf8(encoding: str, chunk_size: int) -> None:
    # expat knows "UTF-8" only: any other name went through Python's codecs as a single-byte
    # encoding, and the first Polish letter was "not well-formed (invalid token)"
    data = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<offer file_format="IOF" version="3.0" {IAIEXT}><products language="pol">'
        '<product id="1"><description><name xml:lang="pol">Zażółć gęślą jaźń</name>'
        "</description></product></products></offer>"
    ).encode()
    for source in (data, gzip.compress(data)):
        (product,) = iter_offer_products(source, chunk_size=chunk_size)
        assert product.names == {"pol": "Zażółć gęślą jaźń"}
