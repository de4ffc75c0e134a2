"""Every kind of source, gzip detection, laziness and clean-up."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from salesmanago_idosell import FeedError
from salesmanago_idosell.feeds import OfferProduct, iter_offer_products, parse_category_tree

FIXTURES = Path(__file__).parent / "fixtures"
FULL = FIXTURES / "full.xml"
FULL_BYTES = FULL.read_bytes()


@pytest.fixture(scope="module")
def expected() -> list[OfferProduct]:
    return list(iter_offer_products(FULL))


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(str(FULL), id="str path"),
        pytest.param(FULL, id="Path"),
        pytest.param(FULL_BYTES, id="bytes"),
        pytest.param(bytearray(FULL_BYTES), id="bytearray"),
        pytest.param(memoryview(FULL_BYTES), id="memoryview"),
        pytest.param(io.BytesIO(FULL_BYTES), id="binary file"),
        pytest.param(_chunks(FULL_BYTES, 1000), id="generator of chunks"),
        pytest.param(list(_chunks(FULL_BYTES, 7777)), id="list of chunks"),
        pytest.param(gzip.compress(FULL_BYTES), id="gzip bytes"),
        pytest.param(_chunks(gzip.compress(FULL_BYTES), 1), id="gzip 1-byte chunks"),
    ],
)
def test_every_source_kind_gives_the_same_products(
    source: object, expected: list[OfferProduct]
) -> None:
    assert list(iter_offer_products(source)) == expected  # type: ignore[arg-type]


def test_gzip_file_on_disk(tmp_path: Path, expected: list[OfferProduct]) -> None:
    path = tmp_path / "full.xml.gz"
    path.write_bytes(gzip.compress(FULL_BYTES))
    assert list(iter_offer_products(path)) == expected
    with path.open("rb") as stream:
        assert list(iter_offer_products(stream)) == expected


def test_multi_member_gzip(expected: list[OfferProduct]) -> None:
    half = len(FULL_BYTES) // 2
    data = gzip.compress(FULL_BYTES[:half]) + gzip.compress(FULL_BYTES[half:])
    assert list(iter_offer_products(data)) == expected


def test_small_chunk_size_setting(expected: list[OfferProduct]) -> None:
    assert list(iter_offer_products(FULL_BYTES, chunk_size=10)) == expected
    with pytest.raises(ValueError, match="chunk_size"):
        list(iter_offer_products(FULL_BYTES, chunk_size=0))


class _Index:
    """An integer-like size (as ``numpy.int64`` is): it has ``__index__`` only."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value


def test_sizes_are_ints_or_integer_like_on_both_builds(expected: list[OfferProduct]) -> None:
    assert list(iter_offer_products(FULL_BYTES, chunk_size=_Index(512))) == expected  # type: ignore[arg-type]
    big = _Index(2**40)
    assert list(iter_offer_products(FULL_BYTES, max_item_bytes=big)) == expected  # type: ignore[arg-type]
    assert parse_category_tree(FIXTURES / "categories.xml", max_bytes=big)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["chunk_size", "max_item_bytes", "max_bytes"])
@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        (1e9, TypeError, "must be an int \\(bytes\\), not float"),
        (None, TypeError, "must be an int \\(bytes\\), not NoneType"),
        ("4096", TypeError, "must be an int \\(bytes\\), not str"),
        (0, ValueError, "must be positive"),
        (-1, ValueError, "must be positive"),
    ],
)
def test_a_size_that_is_not_a_positive_int_is_refused_at_the_call(
    name: str, given: object, error: type[Exception], message: str
) -> None:
    # the same error on both builds, before anything is read (the compiled parser refused
    # a float with its own TypeError; the pure one took it, or failed mid-stream)
    def call() -> object:
        if name == "max_bytes":
            return parse_category_tree(FIXTURES / "categories.xml", max_bytes=given)  # type: ignore[arg-type]
        return iter_offer_products(FULL_BYTES, **{name: given})  # type: ignore[arg-type]

    with pytest.raises(error, match=f"^{name} {message}$"):
        call()


def test_corrupt_gzip_is_a_feed_error() -> None:
    data = bytearray(gzip.compress(FULL_BYTES))
    data[20:40] = b"\xff" * 20
    with pytest.raises(FeedError, match="gzip"):
        list(iter_offer_products(bytes(data)))


def test_truncated_gzip_is_a_feed_error() -> None:
    data = gzip.compress(FULL_BYTES)
    with pytest.raises(FeedError):
        list(iter_offer_products(data[: len(data) // 2]))


def test_xml_text_as_str_is_refused_with_a_hint() -> None:
    with pytest.raises(TypeError, match="bytes"):
        iter_offer_products("<offer/>")


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(12, id="int"),
        pytest.param(iter(["<offer>"]), id="str chunks"),
        pytest.param(io.StringIO("<offer/>"), id="text file"),
    ],
)
def test_wrong_source_types(source: object) -> None:
    with pytest.raises(TypeError):
        list(iter_offer_products(source))  # type: ignore[arg-type]


def test_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        list(iter_offer_products(tmp_path / "missing.xml"))


def test_the_stream_is_lazy_and_closed_early() -> None:
    consumed: list[int] = []
    closed: list[bool] = []

    def chunks() -> Iterator[bytes]:
        try:
            for number, chunk in enumerate(_chunks(FULL_BYTES, 4096)):
                consumed.append(number)
                yield chunk
        finally:
            closed.append(True)

    products = iter_offer_products(chunks())
    assert consumed == []  # nothing is read before the first next()
    first = next(products)
    assert first.id == "33"
    assert len(consumed) < len(FULL_BYTES) // 4096 // 2
    products.close()
    assert closed == [True]


def test_whole_document_sources(tmp_path: Path) -> None:
    data = (FIXTURES / "categories.xml").read_bytes()
    path = tmp_path / "categories.xml.gz"
    path.write_bytes(gzip.compress(data))
    assert parse_category_tree(path) == parse_category_tree(_chunks(data, 3))
