"""Streaming parser for IdoSell's IOF 3.x XML offer files.

>>> from salesmanago_idosell.feeds import iter_offer_products
>>> for product in iter_offer_products("full.xml"):  # doctest: +SKIP
...     print(product.id, product.name("pol"), product.price)

Every function accepts a path, ``bytes``, a binary file object or an iterable of ``bytes``
chunks (e.g. ``response.iter_content(65536)``); gzip-compressed input is detected and
decompressed on the fly. The product iterators are generators: they read the source one chunk
at a time and keep at most one chunk's worth of products in memory, whatever the file size.

Problems with the file itself (malformed or truncated XML, a DTD or entity declaration, a
file that is not IOF 3.x) raise :class:`~salesmanago_idosell.FeedError` carrying the line,
the column and the product being read. A product that is well-formed but cannot be read (a
value that is not a number, no id) is a :class:`~salesmanago_idosell.feeds.FeedSkip` handed to
``on_skip``, and the stream goes on.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import TypeVar

from ..categories import CategoryTree
from ..errors import FeedError
from . import _convert, _documents
from ._source import CHUNK_SIZE, FeedSource
from ._stream import (
    MAX_ITEM_BYTES,
    Leaves,
    Node,
    RootCheck,
    Schema,
    iof_names,
    iter_items,
    parse_document,
)
from .models import FeedSkip, Gateway, LightProduct, OfferProduct

__all__ = [
    "OnSkip",
    "iter_light_products",
    "iter_offer_products",
    "parse_category_tree",
    "parse_gateway",
]

_T = TypeVar("_T")
_log = logging.getLogger("salesmanago_idosell")

OnSkip = Callable[[FeedSkip], object]
"""Receives each product the parser could not read (e.g. ``skipped.append``)."""

_ROUTE = ("products", "product")
_PRICES: dict[str, Schema | None] = {"price": {}, "srp": {}, "strikethrough_retail_price": {}}
_SIZE = Leaves(_convert.SIZE_KIDS, _convert.size, many=frozenset({"stock"}))
"""``size``: its prices and stocks are leaves, so it is built as it closes (the hot path)."""
_SIZES = iof_names({"size": _SIZE})
_OFFER_SCHEMA = iof_names(
    {
        **_PRICES,
        "producer": {},
        "category": {},
        "category_idosell": {},
        "card": {},
        "description": iof_names({"name": None, "short_desc": None, "long_desc": None}),
        "sizes": _SIZES,
        "images": iof_names({"large": iof_names({"image": {}}), "icons": iof_names({"icon": {}})}),
    }
)
_LIGHT_SCHEMA = iof_names({**_PRICES, "sizes": _SIZES})


def iter_offer_products(
    source: FeedSource,
    *,
    on_skip: OnSkip | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Generator[OfferProduct, None, None]:
    """Yield the products of an IOF ``full.xml`` (or ``full_change*.xml``) one at a time.

    Args:
        source: a path, bytes, a binary file object or an iterable of byte chunks (gzip
            detected by its magic bytes).
        on_skip: called with a :class:`~salesmanago_idosell.feeds.FeedSkip` (id, line,
            reason) for each product that cannot be read (``vat="abc"``, no id); the stream
            goes on. Without it, skips are logged as warnings.
        chunk_size: how many bytes to read and parse at a time.
        max_item_bytes: refuse (``FeedError``) a single product larger than this.

    Raises:
        FeedError: the file itself is broken: malformed, truncated or hostile XML, not an
            IOF 3.x offer (an HTML page, JSON); ``line``, ``column`` and ``item``
            (``"#index (id ...)"``) say where.
        TypeError: at the call, for an unsupported source, or a ``chunk_size`` or
            ``max_item_bytes`` that is not an ``int`` (or integer-like, e.g. ``numpy.int64``).
        ValueError: at the call, for a ``chunk_size`` or ``max_item_bytes`` below 1.

    Example:
        >>> skipped = []
        >>> products = iter_offer_products("full.xml", on_skip=skipped.append)
        >>> for product in products:  # doctest: +SKIP
        ...     print(product.id, product.category.path if product.category else "-")
    """
    return _products(
        source,
        _OFFER_SCHEMA,
        _convert.offer_product,
        on_skip=on_skip,
        chunk_size=chunk_size,
        max_item_bytes=max_item_bytes,
    )


def iter_light_products(
    source: FeedSource,
    *,
    on_skip: OnSkip | None = None,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Generator[LightProduct, None, None]:
    """Yield the products of an IOF ``light.xml`` (current prices and stock per size).

    Takes the same sources and arguments, and raises the same errors, as
    :func:`iter_offer_products`.
    """
    return _products(
        source,
        _LIGHT_SCHEMA,
        _convert.light_product,
        on_skip=on_skip,
        chunk_size=chunk_size,
        max_item_bytes=max_item_bytes,
    )


def parse_category_tree(source: FeedSource, *, max_bytes: int = MAX_ITEM_BYTES) -> CategoryTree:
    """Read an IOF ``categories.xml`` (nested categories) into a :class:`CategoryTree`.

    Each node keeps its own ``name`` (not the path) and its names per language
    (``name`` elements by ``xml:lang``); ``tree.path(id, "eng")`` gives the names from the
    top level down in English. Numeric ids are ``int``; other ids (the XSD allows strings)
    stay ``str``.

    Example:
        >>> tree = parse_category_tree("categories.xml")  # doctest: +SKIP
        >>> tree.path(1214554203)  # doctest: +SKIP
        ('Obuwie Męskie', 'PÓŁBUTY MĘSKIE')
    """
    root = _document(source, "categories", _documents.CATEGORIES_SCHEMA, max_bytes=max_bytes)
    return _build(root, _documents.category_tree)


def parse_gateway(source: FeedSource, *, max_bytes: int = MAX_ITEM_BYTES) -> Gateway:
    """Read an IOF ``gateway.xml``: the URLs, hashes and change dates of the offer's files.

    The URLs carry the shop's export token: treat them as credentials (they are kept out of
    the models' ``repr``).
    """
    root = _document(source, "provider_description", _documents.GATEWAY_SCHEMA, max_bytes=max_bytes)
    return _build(root, _documents.gateway)


def _products(
    source: FeedSource,
    schema: Schema,
    build: Callable[[Node, Mapping[str, str]], _T],
    *,
    on_skip: OnSkip | None,
    chunk_size: int,
    max_item_bytes: int,
) -> Generator[_T, None, None]:
    items = iter_items(
        source,
        route=_ROUTE,
        item=schema,
        check_root=_root_check("offer"),
        chunk_size=_byte_count(chunk_size, "chunk_size"),
        max_item_bytes=_byte_count(max_item_bytes, "max_item_bytes"),
    )
    return _build_each(items, build, on_skip or _log_skip)


def _build_each(
    items: Iterator[tuple[Mapping[str, str], Node, int]],
    build: Callable[[Node, Mapping[str, str]], _T],
    on_skip: OnSkip,
) -> Generator[_T, None, None]:
    try:
        for feed, node, line in items:
            try:
                product = build(node, feed)
            except _convert.ItemError as exc:
                on_skip(FeedSkip(id=_convert.identify(node), line=line, reason=str(exc)))
                continue
            yield product
    finally:
        _convert.forget()
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _log_skip(skip: FeedSkip) -> None:
    _log.warning("IOF feed: skipped %s: %s", skip.record, skip.reason)


def _document(source: FeedSource, root_name: str, schema: Schema, *, max_bytes: int) -> Node:
    check = _root_check(root_name, marked=root_name != "categories")
    limit = _byte_count(max_bytes, "max_bytes")
    return parse_document(source, schema=schema, check_root=check, max_bytes=limit)


def _byte_count(given: int, name: str) -> int:
    """A size in bytes from the caller, as an exact ``int``: anything with ``__index__``
    (``numpy.int64``) is taken, anything else (``1e9``, ``None``) is a ``TypeError``. The
    compiled parser accepts nothing but an ``int`` while the pure one would take a float and
    fail late: checked here, both builds answer the same, at once."""
    try:
        count = operator.index(given)
    except TypeError:
        raise TypeError(f"{name} must be an int (bytes), not {type(given).__name__}") from None
    if count < 1:
        raise ValueError(f"{name} must be positive")
    return count


def _build(root: Node, build: Callable[[Node], _T]) -> _T:
    try:
        return build(root)
    except _convert.ItemError as exc:
        raise FeedError(str(exc)) from None


def _root_check(expected: str, *, marked: bool = True) -> RootCheck:
    """Check the root element; ``marked``: ``file_format``/``version`` are required (as in
    ``full.xsd``, ``light.xsd``, ``gateway.xsd``; ``categories.xsd`` makes them optional)."""

    def check(name: str, attrs: Mapping[str, str]) -> None:
        if name != expected:
            raise FeedError(f"not an IOF {expected} file: the root element is <{name}>")
        file_format = (attrs.get("file_format") or "").strip()
        if not marked and not file_format and not (attrs.get("version") or "").strip():
            return
        if file_format.upper() != "IOF":
            raise FeedError(f"not an IOF file: <{name}> has file_format={file_format!r}")
        version = (attrs.get("version") or "").strip()
        if version != "3" and not version.startswith("3."):
            raise FeedError(f"IOF version {version!r} is not supported; only IOF 3.x is")

    return check
