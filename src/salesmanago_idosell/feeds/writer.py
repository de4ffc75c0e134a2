"""A streamed SALESmanago XML product file (the "preview of the XML offer file").

>>> from salesmanago_idosell.feeds import preview_offer
>>> result = preview_offer("full.xml", "preview.xml", language="pol")  # doctest: +SKIP
>>> result.written, [skip.reason for skip in result.skipped]  # doctest: +SKIP
(20, [])

The file is UTF-8 XML: a ``<products>`` root holding one ``<product>`` per catalog product,
whose child elements carry the v3 field names (``productId``, ``mainCategory``,
``imageUrls/imageUrl``, ``systemDetails/brand``, ...). Numbers use a dot decimal separator,
as SALESmanago's XML import requires; absent fields are left out. Products are rendered and
written one at a time, so memory stays flat whatever the number of products.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Generator, Iterable, Iterator
from contextlib import closing, contextmanager
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import BinaryIO, Protocol, cast
from xml.sax.saxutils import escape

import attrs
from attrs import frozen

from .._converter import camel, is_empty
from ..categories import CategoryTree
from ..errors import FeedError
from ..mapping import Skip
from ..salesmanago.catalog_models import CatalogProduct
from ._source import FeedSource
from .catalog import to_catalog_product
from .iof import iter_offer_products
from .models import FeedSkip, OfferProduct

__all__ = [
    "BinarySink",
    "PreviewResult",
    "XmlTarget",
    "preview_offer",
    "render_product",
    "write_salesmanago_xml",
]


class BinarySink(Protocol):
    """Anything bytes can be written to (an open binary file, ``io.BytesIO``, a socket file)."""

    def write(self, data: bytes, /) -> object:
        """Write ``data``."""


XmlTarget = BinarySink | str | os.PathLike[str]
"""Where the XML goes: a binary file object (left open) or a path (created or replaced at
the end; a feed unusable before its first product leaves an existing file as it was)."""

#: List fields and the element name of their items.
_ITEMS = {"categories": "category", "image_urls": "imageUrl"}
#: API-only fields that mean nothing in a file.
_OMITTED = frozenset({"set_as_null"})
#: Fields whose HTML goes into a CDATA section for readability.
_CDATA = frozenset({"description"})
# Characters XML 1.0 cannot carry at all (C0 controls but tab/LF/CR, surrogates, U+FFFE/F).
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n<products>\n'
_FOOTER = b"</products>\n"


@frozen
class PreviewResult:
    """What :func:`preview_offer` did.

    Attributes:
        written: products written to the file.
        skipped: products read but not written, with the reason (in feed order).
    """

    written: int
    skipped: tuple[Skip, ...] = ()


def write_salesmanago_xml(
    products: Iterable[CatalogProduct], out: XmlTarget, *, limit: int | None = None
) -> int:
    """Write ``products`` as a SALESmanago XML product file, one product at a time.

    The file is always well-formed: if pulling a product raises (a broken feed), the
    closing ``</products>`` is still written before the exception propagates.

    Args:
        products: any iterable, consumed lazily: with ``limit=n`` at most ``n`` items are
            pulled from it.
        out: a binary file object (written to, not closed) or a path, written through a
            temporary file beside it that replaces it at the end; an error before the first
            product (or an interrupt) leaves an existing file as it was.
        limit: write at most this many products (``None``: all).

    Returns:
        The number of products written.
    """
    return _write(products, out, limit, [0])


def _write(
    products: Iterable[CatalogProduct], out: XmlTarget, limit: int | None, written: list[int]
) -> int:
    """:func:`write_salesmanago_xml`, counting in ``written[0]`` as it goes."""
    with _opened(out, written) as sink:
        sink.write(_HEADER)
        try:
            for product in islice(products, limit if limit is None else max(limit, 0)):
                sink.write(render_product(product).encode("utf-8"))
                written[0] += 1
        finally:
            sink.write(_FOOTER)
    return written[0]


def render_product(product: CatalogProduct) -> str:
    """One ``<product>`` element (with a trailing newline) as text."""
    return f"<product>{_children(product)}</product>\n"


def preview_offer(
    feed_source: FeedSource,
    out: XmlTarget,
    *,
    language: str,
    limit: int | None = 20,
    category_tree: CategoryTree | None = None,
    currency: str | None = None,
) -> PreviewResult:
    """Read an IOF ``full.xml``, map its products and write the first ``limit`` as XML.

    Reading stops as soon as ``limit`` products are written; products the mapping skips do
    not count towards the limit and are reported in the result.

    Args:
        feed_source: anything :func:`~salesmanago_idosell.feeds.iter_offer_products` takes.
        out: a binary file object or a path, as for :func:`write_salesmanago_xml`.
        language: the IOF language id of names and descriptions (``"pol"``).
        limit: products to write (``None``: the whole feed).
        category_tree: resolves category paths by id (see :func:`to_catalog_product`).
        currency: the catalog currency; products in another one are skipped.

    Products the parser cannot read (:class:`~salesmanago_idosell.feeds.FeedSkip`) are
    reported in ``skipped`` too, as ``Skip("product <id> (line <n>)", reason)``.

    Raises:
        FeedError: the feed itself is malformed. The products read before the error are
            written and the file is closed with ``</products>`` (well-formed XML); the
            message says how many products it holds. A feed unusable before its first
            product (an HTML page, not XML at all) leaves an existing file at a path as it
            was.
    """
    skipped: list[Skip] = []

    def mapped(offer: Iterator[OfferProduct]) -> Generator[CatalogProduct, None, None]:
        for item in offer:
            result = to_catalog_product(
                item,
                language=language,
                category_tree=category_tree,
                currency=currency,
            )
            if isinstance(result, Skip):
                skipped.append(result)
            else:
                yield result

    def unreadable(skip: FeedSkip) -> None:
        skipped.append(Skip(record=skip.record, reason=skip.reason))

    written = [0]
    try:
        with closing(iter_offer_products(feed_source, on_skip=unreadable)) as offer:
            _write(mapped(offer), out, limit, written)
    except FeedError as exc:
        message = (
            f"{exc}; the preview holds the {written[0]} product(s) written before it"
            if written[0] or not isinstance(out, str | os.PathLike)
            else f"{exc}; nothing was written ({os.fspath(out)} was left as it was)"
        )
        raise FeedError(message, line=exc.line, column=exc.column, item=exc.item) from exc
    return PreviewResult(written=written[0], skipped=tuple(skipped))


@contextmanager
def _opened(out: XmlTarget, written: list[int]) -> Iterator[BinarySink]:
    """The sink for ``out``. A path is written through a temporary file beside it, which
    replaces it at the end, also after an error once a product was written (the file is
    well-formed either way); an error before the first product, or an interrupt, leaves an
    existing file as it was. In a directory where no file may be created, the target is
    written in place (without that guarantee)."""
    if not isinstance(out, str | os.PathLike):
        yield out
        return
    target = Path(os.path.realpath(out))  # a symlink is kept: the file it names is replaced
    try:
        temp, handle = _beside(target)
    except PermissionError:  # a writable file in a directory that takes no new file
        with open(target, "wb") as direct:
            yield direct
        return
    keep = False
    try:
        with handle:
            yield handle
        keep = True
    except Exception:
        keep = written[0] > 0
        raise
    finally:
        replaced = False
        try:
            if keep:
                _same_mode(temp, target)
                os.replace(temp, target)
                replaced = True
        finally:  # not replaced (an error, or a target that cannot be replaced): removed
            if not replaced:
                temp.unlink(missing_ok=True)


def _beside(target: Path) -> tuple[Path, BinaryIO]:
    """A new file beside ``target``, created as opening ``target`` would create it
    (``rw-rw-rw-`` less the umask; a temporary file's own ``rw-------`` would not do)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = target.parent / f".{target.name}.{secrets.token_hex(6)}.part"
        with contextlib.suppress(FileExistsError):
            return path, os.fdopen(os.open(path, flags, 0o666), "wb")
    raise FileExistsError(f"no free temporary name beside {target}")


def _same_mode(written: Path, target: Path) -> None:
    """Give the new file the mode of the one it replaces (a new file keeps its own)."""
    with contextlib.suppress(FileNotFoundError):
        shutil.copymode(target, written)


def _children(obj: attrs.AttrsInstance) -> str:
    """The non-empty attrs fields of ``obj`` as child elements named in camelCase."""
    parts = []
    for attribute in attrs.fields(type(obj)):
        value = getattr(obj, attribute.name)
        if attribute.name in _OMITTED or is_empty(value):
            continue
        tag = camel(attribute.name)
        parts.append(f"<{tag}>{_content(attribute.name, value)}</{tag}>")
    return "".join(parts)


def _content(name: str, value: object) -> str:
    if isinstance(value, tuple):
        item = _ITEMS.get(name, "item")
        return "".join(f"<{item}>{_text(str(v))}</{item}>" for v in value)
    if attrs.has(type(value)):
        return _children(cast("attrs.AttrsInstance", value))
    if name in _CDATA and isinstance(value, str):
        return _cdata_or_text(value)
    return _text(_scalar(value))


def _scalar(value: object) -> str:
    """Booleans as ``true``/``false``, decimals with a dot and no exponent."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _text(value: str) -> str:
    """Escaped element text; CR kept as a reference (parsers would turn it into LF)."""
    return escape(_ILLEGAL.sub("", value), {"\r": "&#13;"})


def _cdata_or_text(value: str) -> str:
    """A CDATA section for text with markup (``]]>`` split), escaped text otherwise."""
    clean = _ILLEGAL.sub("", value)
    if ("<" not in clean and "&" not in clean) or "\r" in clean:
        return _text(clean)
    return "<![CDATA[" + clean.replace("]]>", "]]]]><![CDATA[>") + "]]>"
