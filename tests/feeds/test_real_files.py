"""What real shops' and exporters' files do (issue 13): one test per reported case, and
the whole kind of each case on the official sample."""

from __future__ import annotations

import gzip
import re
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pytest

from salesmanago_idosell import FeedError
from salesmanago_idosell.feeds import (
    CategoryRef,
    FeedSkip,
    OfferProduct,
    Price,
    Size,
    Stock,
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
    to_catalog_product,
)

FIXTURES = Path(__file__).parent / "fixtures"
FULL = (FIXTURES / "full.xml").read_bytes()
LIGHT = (FIXTURES / "light.xml").read_bytes()
CATEGORIES = (FIXTURES / "categories.xml").read_bytes()
OFFER = b'<offer file_format="IOF" version="3.0"><products currency="PLN" language="pol">'
END = b"</products></offer>"


def _feed(*products: str, language: str = "pol") -> bytes:
    head = OFFER.replace(b'language="pol"', f'language="{language}"'.encode())
    return head + "\n".join(products).encode() + END


# -- 1. one unreadable value is a skip, the stream goes on --------------------------------------


def test_a_blank_attribute_written_by_an_exporter_is_absent() -> None:
    data = _feed(
        '<product id="1" vat=""><price gross="10" net=""/></product>',
        '<product id="2" vat="23"/>',
        '<product id="3" vat="  " currency="" type=""/>',
    )
    products = list(iter_offer_products(data))
    assert [(p.id, p.vat) for p in products] == [("1", None), ("2", Decimal(23)), ("3", None)]
    assert products[0].price == Price(gross=Decimal(10))
    assert (products[2].currency, products[2].type) == ("PLN", None)


_READ_ATTRIBUTES = sorted(
    {
        "vat",
        "currency",
        "type",
        "code_on_card",
        "removed",
        "id",
        "name",
        "path",
        "url",
        "gross",
        "net",
        "code",
        "code_producer",
        "iaiext:code_external",
        "weight",
        "quantity",
        "available_stock_quantity",
        "iaiext:priority",
        "xml:lang",
    }
)


@pytest.mark.parametrize("attribute", _READ_ATTRIBUTES)
@pytest.mark.parametrize("blank", ["", "   "])
def test_every_attribute_read_may_be_blank_and_blank_is_absent(attribute: str, blank: str) -> None:
    """On the official sample: every attribute the models read, blanked, reads as absent."""
    pattern = re.compile(rf'(?<=[\s<]){re.escape(attribute)}="[^"]*"'.encode())
    keep_products = b' language="pol"'  # products@language and the ids stay where they matter
    blanked = pattern.sub(f'{attribute}="{blank}"'.encode(), FULL)
    removed = pattern.sub(b"", FULL)
    if attribute == "id":  # a product without id is a skip; blank its children's ids only
        blanked = re.sub(rb'(<product [^>]*)id="[^"]*"', rb"\1", blanked)
        blanked = blanked.replace(b"<product ", b'<product id="x" ')
        removed = re.sub(rb'(<product [^>]*)id="[^"]*"', rb"\1", removed)
        removed = removed.replace(b"<product ", b'<product id="x" ')
    assert keep_products in blanked
    skipped_blank: list[FeedSkip] = []
    skipped_absent: list[FeedSkip] = []
    assert list(iter_offer_products(blanked, on_skip=skipped_blank.append)) == list(
        iter_offer_products(removed, on_skip=skipped_absent.append)
    )
    assert skipped_blank == skipped_absent == []


def test_light_xml_blank_attributes_are_absent() -> None:
    blanked = re.sub(rb'(gross|net|quantity)="[^"]*"', rb'\1=""', LIGHT)
    products = list(iter_light_products(blanked))
    assert products
    assert all(p.price is None for p in products)


# -- 2. what the XSD marks optional is optional -------------------------------------------------


def test_a_size_without_id() -> None:
    data = _feed(
        '<product id="1"><sizes><size code="1-uniw" name="uniw">'
        '<stock id="0" quantity="2"/></size></sizes></product>'
    )
    (product,) = iter_offer_products(data)
    assert product.sizes == (
        Size(code="1-uniw", name="uniw", stocks=(Stock(warehouse_id="0", quantity=Decimal(2)),)),
    )


def test_optional_parts_without_their_required_ids_are_left_out() -> None:
    data = _feed(
        '<product id="1"><producer name="No id"/><category name="No id"/>'
        '<category_idosell path="a &gt; b"/><sizes><size id="1"><stock quantity="3"/>'
        "</size></sizes></product>"
    )
    (product,) = iter_offer_products(data)
    assert (product.producer, product.category, product.idosell_category) == (None, None, None)
    assert product.sizes == (Size(id="1"),)


# -- 3. category names per language, the feed's language, string ids ------------------------------


CATEGORY_XML = """<categories file_format="IOF" version="3.0" language="pol">
<category id="1214554200" name="Obuwie Męskie"><name xml:lang="eng">Men's shoes</name>
<category id="1214554203" name="PÓŁBUTY MĘSKIE"><name xml:lang="eng">MALE SHOES</name>
</category></category>
<category id="shoes-sale"><name xml:lang="pol">Wyprzedaż</name><name xml:lang="eng">Sale</name>
</category></categories>"""


def test_category_tree_keeps_names_per_language() -> None:
    tree = parse_category_tree(CATEGORY_XML.encode())
    node = tree.get(1214554203)
    assert node is not None
    assert node.names == {"eng": "MALE SHOES"}
    assert tree.path(1214554203, "eng") == ("Men's shoes", "MALE SHOES")
    assert tree.path(1214554203) == ("Obuwie Męskie", "PÓŁBUTY MĘSKIE")
    assert tree.path(1214554203, "ger") == ("Obuwie Męskie", "PÓŁBUTY MĘSKIE")


def test_category_string_ids_and_names_from_name_elements() -> None:
    tree = parse_category_tree(CATEGORY_XML.encode())
    assert tree.path("shoes-sale") == ("Wyprzedaż",)  # no @name: the file's language
    assert tree.path("shoes-sale", "eng") == ("Sale",)


def test_official_categories_sample_has_english_names() -> None:
    tree = parse_category_tree(CATEGORIES)
    english = [c.names.get("eng") for c in tree]
    assert any(english)


def test_the_feed_language_chooses_among_category_elements() -> None:
    product = (
        '<product id="1"><category id="7" name="Buty/Półbuty"/>'
        '<category id="7" xml:lang="eng" name="Shoes/Low shoes"/></product>'
    )
    (polish,) = iter_offer_products(_feed(product))
    (english,) = iter_offer_products(_feed(product, language="eng"))
    assert polish.category == CategoryRef(id="7", path="Buty/Półbuty")
    assert english.category == CategoryRef(id="7", path="Shoes/Low shoes", language="eng")


def test_a_string_category_id_maps_through_the_tree() -> None:
    data = _feed(
        '<product id="1"><category id="shoes-sale" name="x"/>'
        '<description><name xml:lang="eng">A</name></description><price gross="5"/></product>'
    )
    (product,) = iter_offer_products(data)
    assert product.category == CategoryRef(id="shoes-sale", path="x")
    tree = parse_category_tree(CATEGORY_XML.encode())
    mapped = to_catalog_product(product, language="eng", category_tree=tree)
    assert not isinstance(mapped, type(None))
    assert getattr(mapped, "categories", None) == ("Sale",)
    assert getattr(mapped, "category_external_id", None) == "shoes-sale"


# -- 4. the whole text content ------------------------------------------------------------


def test_text_with_child_markup_keeps_every_word() -> None:
    data = _feed(
        '<product id="1"><description><name xml:lang="pol">Kurtka <b>zimowa</b> XL</name>'
        '<long_desc xml:lang="pol"><p>Ciepła <i>i <u>lekka</u></i>.</p> Tak.</long_desc>'
        "</description></product>"
    )
    (product,) = iter_offer_products(data)
    assert product.names == {"pol": "Kurtka zimowa XL"}
    assert product.long_descriptions == {"pol": "Ciepła i lekka. Tak."}


# -- 5 and 6. strikethrough prices, size availability in the models and the catalog ----------------


def test_strikethrough_prices_in_the_models() -> None:
    data = _feed(
        '<product id="1"><strikethrough_retail_price gross="12.5" net="10.16"/><sizes>'
        '<size id="1"><strikethrough_retail_price gross="13" net="10.57"/></size></sizes>'
        "</product>"
    )
    (product,) = iter_offer_products(data)
    assert product.strikethrough_price == Price(gross=Decimal("12.5"), net=Decimal("10.16"))
    assert product.sizes[0].strikethrough_price == Price(gross=Decimal(13), net=Decimal("10.57"))


def test_official_sample_strikethrough_prices() -> None:
    products = {p.id: p for p in iter_offer_products(FULL)}
    assert products["34"].strikethrough_price == Price(
        gross=Decimal("56421.49"), net=Decimal("45871.13")
    )
    assert products["33"].sizes[0].strikethrough_price is not None


def _available_product(*sizes: str) -> OfferProduct:
    body = "".join(sizes)
    data = _feed(
        f'<product id="1"><description><name xml:lang="pol">A</name></description>'
        f'<price gross="5"/><sizes>{body}</sizes></product>'
    )
    (product,) = iter_offer_products(data)
    return product


def test_sizes_marked_unavailable_without_stock_are_sold_out() -> None:
    product = _available_product(
        '<size id="1" available="unavailable"/>', '<size id="2" available="unavailable"/>'
    )
    assert [s.available for s in product.sizes] == [False, False]
    mapped = to_catalog_product(product, language="pol")
    assert (getattr(mapped, "available", None), getattr(mapped, "quantity", None)) == (False, 0)


@pytest.mark.parametrize(
    ("sizes", "available", "quantity"),
    [
        (
            ['<size id="1" available="unavailable"/>', '<size id="2" available="available"/>'],
            True,
            None,
        ),
        (['<size id="1" available="unavailable"><stock id="0" quantity="5"/></size>'], False, 0),
        (['<size id="1" available="order"/>'], True, None),
        (['<size id="1" available=""><stock id="0" quantity="0"/></size>'], False, 0),
        (['<size id="1"><stock id="0" quantity="-1"/></size>'], True, None),
    ],
)
def test_size_availability_wins_over_stock(
    sizes: list[str], available: bool, quantity: int | None
) -> None:
    mapped = to_catalog_product(_available_product(*sizes), language="pol")
    assert (getattr(mapped, "available", None), getattr(mapped, "quantity", None)) == (
        available,
        quantity,
    )


# -- 7. hostile edges ---------------------------------------------------------------------


class _CountingParser:
    """An expat parser that records, per ``Parse`` call, the bytes expat scans: what it
    holds of an unfinished token plus what it is given.

    It wraps the parser ``xml.parsers.expat.ParserCreate`` returns, so it sees the calls of
    both builds (the compiled driver calls its own methods directly: patching one of them
    would record nothing there).
    """

    def __init__(self, parser: Any, scanned: list[int]) -> None:
        object.__setattr__(self, "_parser", parser)
        object.__setattr__(self, "_scanned", scanned)
        object.__setattr__(self, "_fed", 0)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)

    def __setattr__(self, name: str, value: object) -> None:
        setattr(self._parser, name, value)

    def Parse(self, data: bytes, final: bool = False) -> int:  # noqa: N802  (expat's name)
        index = self._parser.CurrentByteIndex
        held = self._fed - index if index >= 0 else self._fed
        self._scanned.append(held + len(data))
        object.__setattr__(self, "_fed", self._fed + len(data))
        return int(self._parser.Parse(data, final))


def _scanned_bytes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record, per Parse call, the bytes expat scans (see :class:`_CountingParser`)."""
    scanned: list[int] = []
    create = expat.ParserCreate

    def counting(*args: Any, **kwargs: Any) -> Any:
        return _CountingParser(create(*args, **kwargs), scanned)

    monkeypatch.setattr(expat, "ParserCreate", counting)
    return scanned


@pytest.mark.parametrize(
    "token",
    [
        pytest.param('<product id="1" note="{}"/>', id="attribute"),
        pytest.param("<!--{}-->", id="comment"),
        pytest.param("<?pi {}?>", id="processing instruction"),
    ],
)
def test_a_single_huge_token_is_read_in_linear_time(
    monkeypatch: pytest.MonkeyPatch, token: str
) -> None:
    scanned = _scanned_bytes(monkeypatch)
    huge = token.format("x" * 8_000_000)
    data = _feed(huge, '<product id="2"/>')
    ids = [p.id for p in iter_offer_products(data, chunk_size=16384)]
    assert ids[-1] == "2"
    assert len(scanned) > 1  # the Parse calls were seen, on either build
    # 16 KiB chunks fed one by one would rescan the token ~490 times (~2 GB scanned)
    assert sum(scanned) < 3 * len(data)


def test_a_start_tag_with_millions_of_attributes_fails_cleanly_in_bounded_memory() -> None:
    attributes = " ".join(f'a{i}=""' for i in range(600_000))
    data = _feed('<product id="1"/>', f'<product id="2" {attributes}/>')
    tracemalloc.start()
    try:
        products = iter_offer_products(data)
        assert next(products).id == "1"
        with pytest.raises(FeedError, match="more than 1000 attributes") as info:
            next(products)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.line == 2
    assert peak < len(data) + 16 * 2**20  # the input itself, plus little


def test_attributes_with_markup_characters_in_values_are_still_counted() -> None:
    attributes = " ".join(f"a{i}='>=\"'" for i in range(5_000))
    data = _feed('<product id="1"/>', f'<product id="2" {attributes}/>')
    with pytest.raises(FeedError, match="more than 1000 attributes"):
        list(iter_offer_products(data, chunk_size=1024))


def test_many_attributes_below_the_limit_are_fine() -> None:
    attributes = " ".join(f'a{i}="{"=" * 3}"' for i in range(900))
    data = _feed(f'<product id="1" {attributes}/>')
    assert [p.id for p in iter_offer_products(data, chunk_size=512)] == ["1"]


@pytest.mark.parametrize(
    "page",
    [
        b"<!DOCTYPE html>\n<html><head><title>Log in</title></head><body></body></html>",
        b'\n<!doctype HTML PUBLIC "-//W3C//DTD HTML 4.01//EN"><html></html>',
        b'<html lang="pl"><body>404</body></html>',
        b'<?xml version="1.0"?><!DOCTYPE html><html/>',
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
    ],
)
def test_an_html_page_served_instead_of_the_feed(page: bytes) -> None:
    with pytest.raises(FeedError, match="this is an HTML page, not an IOF feed"):
        list(iter_offer_products(page))


@pytest.mark.parametrize(
    "body", [b'{"error": "token expired"}', b'\xef\xbb\xbf [{"id": 1}]', b"  {}"]
)
def test_json_served_instead_of_the_feed(body: bytes) -> None:
    with pytest.raises(FeedError, match="this is JSON, not an IOF XML feed") as info:
        list(iter_offer_products(body))
    assert info.value.line == 1


def test_truncated_gzip_says_where_the_feed_stopped() -> None:
    compressed = gzip.compress(FULL)
    truncated = compressed[: len(compressed) // 2]
    with pytest.raises(FeedError, match="truncated gzip data") as info:
        list(iter_offer_products(truncated))
    assert info.value.line is not None
    assert info.value.line > 1
    assert info.value.column is not None
    assert f"line {info.value.line}" in str(info.value)


def test_corrupt_gzip_says_where_the_feed_stopped() -> None:
    compressed = bytearray(gzip.compress(FULL))
    compressed[-6] ^= 0xFF  # the CRC-32 of the trailer: found once everything is read
    with pytest.raises(FeedError, match="corrupt gzip data") as info:
        list(iter_offer_products(bytes(compressed)))
    assert info.value.line is not None


def test_an_attribute_bomb_right_after_a_huge_token_is_still_counted() -> None:
    """The batch grown for a long comment must not carry a whole crafted tag past the scan."""
    attributes = " ".join(f'a{i}=""' for i in range(60_000))  # ~0.6 MB: fits in the batch
    comment = "<!--" + "x" * 3_000_000 + "-->"
    data = _feed('<product id="1"/>', comment + f'<product id="2" {attributes}/>')
    tracemalloc.start()
    try:
        with pytest.raises(FeedError, match="more than 1000 attributes"):
            list(iter_offer_products(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(data)  # the input and its batches; expat building them: 5x


@pytest.mark.skipif(
    not hasattr(expat.ParserCreate(), "SetReparseDeferralEnabled"),
    reason="expat before 2.6 never defers reparsing (nothing to switch off)",
)
def test_expat_does_not_defer_reparsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # expat 2.6+ (Python 3.13) holds an unfinished token back until more input arrives: the
    # attribute count of a crafted start tag then began in the wrong place, and the bomb
    # above cost 5x its size (a 9 MiB one: 120 MiB); the test above fails there without this
    created: list[Any] = []
    create = expat.ParserCreate

    def recording(*args: Any, **kwargs: Any) -> Any:
        created.append(create(*args, **kwargs))
        return created[-1]

    monkeypatch.setattr(expat, "ParserCreate", recording)
    assert [p.id for p in iter_offer_products(_feed('<product id="1"/>'))] == ["1"]
    assert [parser.GetReparseDeferralEnabled() for parser in created] == [False]


def test_an_item_with_millions_of_small_kept_elements_is_cut_off() -> None:
    stocks = '<stock id="0"/>' * 150_000  # 2 MB of input, a dict each once kept
    data = _feed(
        '<product id="1"/>',
        f'<product id="2"><sizes><size id="1">{stocks}</size></sizes></product>',
    )
    tracemalloc.start()
    try:
        with pytest.raises(FeedError, match="more than 100000 elements to read") as info:
            list(iter_offer_products(data))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.item == "#1 (id 2)"
    assert peak < 64 * 2**20
