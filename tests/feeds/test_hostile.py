"""Hostile and broken input: DTDs, entity bombs, external entities, malformed XML, versions."""

from __future__ import annotations

import http.server
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell import FeedError, SalesmanagoIdosellError
from salesmanago_idosell.feeds import (
    FeedSkip,
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
    parse_gateway,
)

FIXTURES = Path(__file__).parent / "fixtures"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
OFFER = '<offer file_format="IOF" version="3.0">'


def _feed(products: str, *, doctype: str = "", offer: str = OFFER) -> bytes:
    return f'{HEAD}{doctype}{offer}<products currency="PLN">{products}</products></offer>'.encode()


def _product(product_id: int, body: str = "") -> str:
    return f'<product id="{product_id}"><price gross="1.00" net="0.81"/>{body}</product>\n'


BILLION_LAUGHS = (
    '<!DOCTYPE offer [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    + "]>"
).replace("&lol0;", "&lol;")


def _peak_and_seconds(action: Callable[[], object]) -> tuple[int, float]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(FeedError):
            action()
        return tracemalloc.get_traced_memory()[1], time.perf_counter() - start
    finally:
        tracemalloc.stop()


def test_billion_laughs_fails_fast_in_bounded_memory() -> None:
    data = _feed(_product(1, "<x>&lol9;</x>"), doctype=BILLION_LAUGHS)
    peak, seconds = _peak_and_seconds(lambda: list(iter_offer_products(data)))
    assert peak < 2 * 2**20
    assert seconds < 1


def test_quadratic_blowup_fails_fast_in_bounded_memory() -> None:
    doctype = f'<!DOCTYPE offer [<!ENTITY a "{"x" * 50_000}">]>'
    data = _feed(_product(1, "<x>" + "&a;" * 50_000 + "</x>"), doctype=doctype)
    peak, seconds = _peak_and_seconds(lambda: list(iter_offer_products(data)))
    assert peak < 4 * 2**20
    assert seconds < 1


@pytest.mark.parametrize(
    "doctype",
    [
        pytest.param("<!DOCTYPE offer>", id="bare doctype"),
        pytest.param('<!DOCTYPE offer [<!ENTITY e "x">]>', id="internal entity"),
        pytest.param('<!DOCTYPE offer [<!ENTITY e SYSTEM "file:///etc/passwd">]>', id="file"),
        pytest.param('<!DOCTYPE offer [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>', id="pe"),
        pytest.param('<!DOCTYPE offer PUBLIC "-//x//EN" "file:///etc/hosts">', id="public"),
    ],
)
def test_any_dtd_is_refused(doctype: str) -> None:
    with pytest.raises(FeedError, match="DOCTYPE") as info:
        list(iter_offer_products(_feed(_product(1, "<x>&e;</x>"), doctype=doctype)))
    assert info.value.line == 2
    assert isinstance(info.value, SalesmanagoIdosellError)


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b'<!ENTITY e "fetched">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        return


@pytest.fixture(scope="module")
def dtd_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    "parse",
    [
        pytest.param(lambda d: list(iter_offer_products(d)), id="offer"),
        pytest.param(lambda d: list(iter_light_products(d)), id="light"),
        pytest.param(parse_category_tree, id="categories"),
        pytest.param(parse_gateway, id="gateway"),
    ],
)
def test_external_dtd_and_entities_are_never_fetched(
    dtd_server: str, parse: Callable[[bytes], object]
) -> None:
    _Recorder.requests.clear()
    for doctype in (
        f'<!DOCTYPE offer SYSTEM "{dtd_server}/a.dtd">',
        f'<!DOCTYPE offer [<!ENTITY e SYSTEM "{dtd_server}/e.xml">]>',
        f'<!DOCTYPE offer [<!ENTITY % p SYSTEM "{dtd_server}/p.dtd"> %p;]>',
    ):
        with pytest.raises(FeedError):
            parse(_feed(_product(1, "<x>&e;</x>"), doctype=doctype))
    assert _Recorder.requests == []


def test_undeclared_namespace_prefix_is_malformed() -> None:
    with pytest.raises(FeedError, match="unbound prefix") as info:
        list(iter_offer_products(_feed(_product(1, '<iaiext:x iaiext:a="1"/>'))))
    assert info.value.item == "#0 (id 1)"


def test_undeclared_entity_is_malformed() -> None:
    with pytest.raises(FeedError, match="undefined entity"):
        list(iter_offer_products(_feed(_product(1, "<x>&nope;</x>"))))


def _line_and_column(data: bytes, marker: bytes) -> tuple[int, int]:
    offset = data.index(marker)
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1)


def test_malformed_xml_reports_line_column_and_product() -> None:
    data = _feed(_product(1) + _product(2) + '<product id="77"><price></product>\n' + _product(4))
    products = iter_offer_products(data)
    assert [next(products).id, next(products).id] == ["1", "2"]
    with pytest.raises(FeedError, match="mismatched tag") as info:
        next(products)
    error = info.value
    # expat points at the name in the offending end tag
    assert (error.line, error.column) == _line_and_column(data, b'product>\n<product id="4"')
    assert error.item == "#2 (id 77)"
    assert f"line {error.line}" in str(error)
    assert "id 77" in str(error)


def test_truncated_feed_names_the_product_being_read() -> None:
    data = _feed(_product(1) + _product(2) + _product(3))
    cut = data[: data.index(b'<product id="3">') + 30]
    with pytest.raises(FeedError, match="malformed XML") as info:
        list(iter_offer_products(cut))
    assert info.value.item == "#2 (id 3)"
    assert info.value.line == cut.count(b"\n") + 1


@pytest.mark.parametrize("data", [b"", b"   \n", b"<?xml version='1.0'?>"])
def test_empty_input_is_malformed(data: bytes) -> None:
    with pytest.raises(FeedError, match="no element found"):
        list(iter_offer_products(data))


@pytest.mark.parametrize(
    ("encoding", "reason"),
    [
        ("x-bogus", "unknown encoding: x-bogus"),
        ("shift_jis", "multi-byte encodings are not supported"),
        ("base64", "'base64' is not a text encoding"),
    ],
)
@pytest.mark.parametrize("chunk_size", [16384, 3])
def test_an_encoding_the_parser_cannot_read_is_a_feed_error(
    encoding: str, reason: str, chunk_size: int
) -> None:
    # pyexpat raised LookupError / ValueError from the XML declaration: not a FeedError
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    data = _feed(_product(1)).replace(HEAD.encode(), declaration.encode())
    message = f"the encoding '{encoding}' of the XML declaration cannot be read ({reason}"
    with pytest.raises(FeedError) as info:
        list(iter_offer_products(data, chunk_size=chunk_size))
    assert str(info.value).startswith(message)
    assert info.value.line == 1
    categories = f'{declaration}<categories><category id="1" name="a"/></categories>'.encode()
    with pytest.raises(FeedError, match="of the XML declaration cannot be read"):
        parse_category_tree(categories)


def test_a_single_byte_encoding_read_through_python_codecs_still_works() -> None:
    # pyexpat reads it through the same codec look-up that fails for the encodings above
    data = _feed(_product(1, '<description><name xml:lang="pol">Zażółć</name></description>'))
    latin2 = data.replace(b"UTF-8", b"iso-8859-2").decode().encode("iso-8859-2")
    (product,) = iter_offer_products(latin2)
    assert product.names == {"pol": "Zażółć"}


def test_empty_feed_yields_nothing() -> None:
    assert list(iter_offer_products(_feed(""))) == []
    assert list(iter_light_products(_feed(""))) == []


@pytest.mark.parametrize(
    ("offer", "message"),
    [
        ('<offer file_format="IOF" version="2.6">', "version '2.6' is not supported"),
        ('<offer file_format="IOF" version="2.5">', "only IOF 3.x"),
        ('<offer file_format="IOF">', "version '' is not supported"),
        ('<offer version="3.0">', "not an IOF file"),
        ('<offer file_format="CSV" version="3.0">', "file_format='CSV'"),
    ],
)
def test_versions_other_than_3_and_non_iof_are_refused(offer: str, message: str) -> None:
    with pytest.raises(FeedError, match=message) as info:
        list(iter_offer_products(_feed(_product(1), offer=offer)))
    assert info.value.line == 2


def test_iof_3_minor_versions_are_accepted() -> None:
    offer = '<offer file_format="iof" version="3.1">'
    assert [p.id for p in iter_offer_products(_feed(_product(1), offer=offer))] == ["1"]


@pytest.mark.parametrize(
    ("parse", "fixture"),
    [
        pytest.param(lambda path: list(iter_offer_products(path)), "categories.xml", id="offer"),
        pytest.param(parse_category_tree, "full.xml", id="categories"),
        pytest.param(parse_gateway, "light.xml", id="gateway"),
    ],
)
def test_wrong_kind_of_file_is_refused(parse: Callable[[Path], object], fixture: str) -> None:
    with pytest.raises(FeedError, match="root element"):
        parse(FIXTURES / fixture)


def test_rss_is_not_iof() -> None:
    with pytest.raises(FeedError, match="root element is <rss>"):
        list(iter_offer_products(b'<rss version="2.0"><channel/></rss>'))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<price gross="abc" net="1"/>', "price gross is not a number: 'abc'"),
        ('<price gross="NaN" net="1"/>', "price gross is not a finite number"),
        ('<sizes><size id="1"><stock id="0" quantity="x"/></size></sizes>', "stock quantity"),
        ('<sizes><size id="1" weight="heavy"/></sizes>', "size weight is not a number"),
    ],
)
def test_an_unreadable_value_skips_its_product_only(body: str, message: str) -> None:
    data = _feed(_product(1) + f'\n<product id="x9">{body}</product>\n' + _product(3))
    skipped: list[FeedSkip] = []
    ids = [p.id for p in iter_offer_products(data, on_skip=skipped.append)]
    assert ids == ["1", "3"]
    assert [(s.id, s.line) for s in skipped] == [("x9", 4)]
    assert message in skipped[0].reason
    assert skipped[0].record == "product x9 (line 4)"


def test_product_without_id_is_a_skip() -> None:
    skipped: list[FeedSkip] = []
    products = list(iter_offer_products(_feed('<product vat="23"/>'), on_skip=skipped.append))
    assert products == []
    assert skipped == [FeedSkip(id=None, line=2, reason="the product has no id")]


def test_skips_are_logged_without_a_callback(caplog: pytest.LogCaptureFixture) -> None:
    data = _feed(_product(1) + '<product id="2" vat="abc"/>')
    assert [p.id for p in iter_offer_products(data)] == ["1"]
    assert "skipped product 2 (line 3): vat is not a number: 'abc'" in caplog.text


def test_an_oversized_product_is_cut_off() -> None:
    huge = _product(2, "<description><long_desc>" + "x" * 300_000 + "</long_desc></description>")
    products = iter_offer_products(_feed(_product(1) + huge), max_item_bytes=100_000)
    assert next(products).id == "1"
    with pytest.raises(FeedError, match="is larger than 100000 bytes") as info:
        next(products)
    assert info.value.item == "#1 (id 2)"


def test_a_giant_start_tag_is_cut_off() -> None:
    data = _feed(_product(1) + '<product id="2" junk="' + "x" * 300_000 + '">')
    products = iter_offer_products(data, max_item_bytes=100_000)
    assert next(products).id == "1"
    with pytest.raises(FeedError, match="larger than 100000 bytes"):
        next(products)


def test_text_between_products_does_not_accumulate() -> None:
    filler = " " * 4_000_000
    data = _feed(_product(1) + filler + _product(2) + "junk text" * 400_000 + _product(3))
    tracemalloc.start()
    try:
        ids = [p.id for p in iter_offer_products(iter([data]))]
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert ids == ["1", "2", "3"]
    assert peak < 2**20


def test_deep_nesting_is_cut_off() -> None:
    body = '<category id="1">' * 10_000 + "</category>" * 10_000
    with pytest.raises(FeedError, match="nested deeper"):
        parse_category_tree(
            f'<categories file_format="IOF" version="3.0">{body}</categories>'.encode()
        )


def test_deep_markup_inside_a_text_costs_nothing() -> None:
    body = '<description><name xml:lang="pol">a' + "<b>" * 10_000 + "z" + "</b>" * 10_000
    body += "</name></description>"
    [product] = iter_offer_products(_feed(_product(1, body)))
    assert product.names == {"pol": "az"}


def test_deep_nesting_in_skipped_parts_costs_nothing() -> None:
    body = "<parameters>" + "<a>" * 10_000 + "</a>" * 10_000 + "</parameters>"
    assert [p.id for p in iter_offer_products(_feed(_product(1, body)))] == ["1"]


def test_malformed_category_tree_and_gateway() -> None:
    with pytest.raises(FeedError, match="line 3"):
        parse_category_tree(
            b'<categories file_format="IOF" version="3.0">\n<category id="1" name="A">\n'
            b"</categories>"
        )
    with pytest.raises(FeedError, match="not a date"):
        parse_gateway(
            b'<provider_description file_format="IOF" version="3.0">'
            b'<full url="https://x" changed="yesterday"/></provider_description>'
        )
