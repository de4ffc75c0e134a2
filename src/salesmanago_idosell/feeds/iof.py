"""Streaming parser for IdoSell's IOF 3.x XML offer files.

>>> from salesmanago_idosell.feeds import iter_offer_products
>>> for product in iter_offer_products("full.xml"):  # doctest: +SKIP
...     print(product.id, product.name("pol"), product.price)

Every function accepts a path, ``bytes``, a binary file object or an iterable of ``bytes``
chunks (e.g. ``response.iter_content(65536)``); gzip-compressed input is detected and
decompressed on the fly. The product iterators are generators: they read the source one chunk
at a time and keep at most one chunk's worth of products in memory, whatever the file size.

All problems with the feed itself (malformed XML, a DTD or entity declaration, a file that is
not IOF 3.x, a value that is not a number) raise :class:`~salesmanago_idosell.FeedError`
carrying the line, the column and the product being read.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any, TypeVar

from ..categories import CategoryTree
from ..errors import FeedError
from . import _convert, _documents
from ._source import CHUNK_SIZE, FeedSource
from ._stream import MAX_ITEM_BYTES, RootCheck, Shape, iter_items, parse_document
from .models import Gateway, LightProduct, OfferProduct

__all__ = [
    "iter_light_products",
    "iter_offer_products",
    "parse_category_tree",
    "parse_gateway",
]

_T = TypeVar("_T")

_LISTS = frozenset({"name", "short_desc", "long_desc", "size", "stock", "image"})
_ROUTE = ("products", "product")
_OFFER_SHAPE = Shape(
    route=_ROUTE,
    keep=frozenset(
        {"producer", "category", "category_idosell", "card", "description"}
        | {"price", "srp", "sizes", "images"}
    ),
    force_list=_LISTS,
)
_LIGHT_SHAPE = Shape(route=_ROUTE, keep=frozenset({"price", "srp", "sizes"}), force_list=_LISTS)


def iter_offer_products(
    source: FeedSource,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Generator[OfferProduct, None, None]:
    """Yield the products of an IOF ``full.xml`` (or ``full_change*.xml``) one at a time.

    Args:
        source: a path, bytes, a binary file object or an iterable of byte chunks (gzip
            detected by its magic bytes).
        chunk_size: how many bytes to read and parse at a time.
        max_item_bytes: refuse (``FeedError``) a single product larger than this.

    Raises:
        FeedError: malformed or hostile XML, not an IOF 3.x offer, or an unreadable value;
            ``line``, ``column`` and ``item`` (``"#index (id ...)"``) say where.

    Example:
        >>> for product in iter_offer_products("full.xml"):  # doctest: +SKIP
        ...     print(product.id, product.category.path if product.category else "-")
    """
    return _products(
        source,
        _OFFER_SHAPE,
        _convert.offer_product,
        chunk_size=chunk_size,
        max_item_bytes=max_item_bytes,
    )


def iter_light_products(
    source: FeedSource,
    *,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Generator[LightProduct, None, None]:
    """Yield the products of an IOF ``light.xml`` (current prices and stock per size).

    Takes the same sources and raises the same errors as :func:`iter_offer_products`.
    """
    return _products(
        source,
        _LIGHT_SHAPE,
        _convert.light_product,
        chunk_size=chunk_size,
        max_item_bytes=max_item_bytes,
    )


def parse_category_tree(source: FeedSource, *, max_bytes: int = MAX_ITEM_BYTES) -> CategoryTree:
    """Read an IOF ``categories.xml`` (nested categories) into a :class:`CategoryTree`.

    Each node keeps its own ``name`` (not the path); ``tree.path(id)`` gives the names from
    the top level down.

    Example:
        >>> tree = parse_category_tree("categories.xml")  # doctest: +SKIP
        >>> tree.path(1214554203)  # doctest: +SKIP
        ('Obuwie Męskie', 'PÓŁBUTY MĘSKIE')
    """
    root = _document(source, "categories", max_bytes=max_bytes)
    return _build(root, _documents.category_tree)


def parse_gateway(source: FeedSource, *, max_bytes: int = MAX_ITEM_BYTES) -> Gateway:
    """Read an IOF ``gateway.xml``: the URLs, hashes and change dates of the offer's files.

    The URLs carry the shop's export token: treat them as credentials (they are kept out of
    the models' ``repr``).
    """
    root = _document(source, "provider_description", max_bytes=max_bytes)
    return _build(root, _documents.gateway)


def _products(
    source: FeedSource,
    shape: Shape,
    build: Callable[[Any, Mapping[str, str]], _T],
    *,
    chunk_size: int,
    max_item_bytes: int,
) -> Generator[_T, None, None]:
    items = iter_items(
        source,
        shape=shape,
        check_root=_root_check("offer"),
        chunk_size=chunk_size,
        max_item_bytes=max_item_bytes,
    )
    return _build_each(items, build)


def _build_each(
    items: Iterator[tuple[Mapping[str, str], Any, int]],
    build: Callable[[Any, Mapping[str, str]], _T],
) -> Generator[_T, None, None]:
    for index, (feed, item, line) in enumerate(items):
        try:
            yield build(item, feed)
        except _convert.ItemError as exc:
            label = _label(index, item)
            raise FeedError(f"{exc} (line {line}, item {label})", line=line, item=label) from None


def _label(index: int, item: Any) -> str:
    product_id = _convert.one(item).get("@id")
    return f"#{index} (id {product_id})" if isinstance(product_id, str) else f"#{index}"


def _document(source: FeedSource, root_name: str, *, max_bytes: int) -> dict[str, Any]:
    document = parse_document(
        source,
        check_root=_root_check(root_name),
        max_bytes=max_bytes,
    )
    return _convert.one(document.get(root_name))


def _build(root: dict[str, Any], build: Callable[[dict[str, Any]], _T]) -> _T:
    try:
        return build(root)
    except _convert.ItemError as exc:
        raise FeedError(str(exc)) from None


def _root_check(expected: str) -> RootCheck:
    def check(name: str, attrs: dict[str, str]) -> None:
        if name != expected:
            raise FeedError(f"not an IOF {expected} file: the root element is <{name}>")
        file_format = attrs.get("file_format", "").strip()
        if file_format.upper() != "IOF":
            raise FeedError(f"not an IOF file: <{name}> has file_format={file_format!r}")
        version = attrs.get("version", "").strip()
        if version != "3" and not version.startswith("3."):
            raise FeedError(f"IOF version {version!r} is not supported; only IOF 3.x is")

    return check
