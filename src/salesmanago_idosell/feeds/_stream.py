"""Pull-style streaming of XML items: expat driven chunk by chunk with xmltodict's handler.

xmltodict streams by calling ``item_callback`` for every element at ``item_depth`` (push). To
hand items out through a plain generator without threads, this module owns the expat parser:
it feeds one chunk at a time with ``Parser.Parse(chunk, False)``, the callback appends the
finished items to a queue, and the generator drains the queue between chunks. Chunks are at
most :data:`~._source.CHUNK_SIZE` bytes, so the queue never holds more than one chunk's worth
of items.

Hostile input is refused before it can cost anything: any ``<!DOCTYPE``, entity declaration or
external entity reference raises :class:`~salesmanago_idosell.errors.FeedError` at once (so
"billion laughs" and quadratic blowups never expand and nothing external is fetched), and a
single item or nesting level that grows past its limit is cut off.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any, NoReturn
from xml.parsers import expat

from attrs import frozen
from xmltodict import _DictSAXHandler

from ..errors import FeedError
from ._source import CHUNK_SIZE, FeedSource, iter_chunks

__all__ = ["IOF_NAMESPACES", "Item", "RootCheck", "Shape", "iter_items", "parse_document"]

IOF_NS = "http://www.iai-shop.com/developers/iof.phtml"
IAIEXT_NS = "http://www.iai-shop.com/developers/iof/extensions.phtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
IOF_NAMESPACES = {IOF_NS: "", IAIEXT_NS: "iaiext", XML_NS: "xml"}
"""Namespace URIs collapsed to short prefixes: IOF elements come out unprefixed."""

MAX_ITEM_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
_NAME_CACHE_SIZE = 4096
_DOCUMENT_LISTS = frozenset({"category", "name", "change"})

Item = tuple[dict[str, str], Any, int]
"""A streamed item: the parent element's attributes, the item dict, the line it ended on."""

RootCheck = Callable[[str, dict[str, str]], None]
"""Called with the root element's name and attributes; raises FeedError to refuse the file."""


@frozen
class Shape:
    """Where the streamed items sit in a document, and which parts of them to build.

    Attributes:
        route: element names from below the root down to the item, e.g.
            ``("products", "product")``; siblings off this route are skipped unbuilt.
        keep: the item children to build (``None``: all); any other child, such as
            ``parameters`` or an ``iaiext:`` extension, is skipped without building a dict.
        force_list: element names always given as lists.
    """

    route: tuple[str, ...]
    keep: frozenset[str] | None
    force_list: frozenset[str]


class _Driver:
    """One expat parser wired to one xmltodict handler, fed chunk by chunk."""

    def __init__(self, *, shape: Shape | None, check_root: RootCheck) -> None:
        self.items: deque[Item] = deque()
        self.emitted = 0
        self.shape = shape
        self._route = shape.route if shape else ()
        self._keep = shape.keep if shape else None
        self.item_depth = len(self._route) + 1 if shape else 0
        self.handler = _DictSAXHandler(
            item_depth=self.item_depth,
            item_callback=self._collect,
            namespace_separator=":",
            namespaces=IOF_NAMESPACES,
            force_list=shape.force_list if shape else _DOCUMENT_LISTS,
        )
        self.build_name = self.handler._build_name = _cached(self.handler._build_name)
        self.parser = expat.ParserCreate(None, ":")
        self._check_root = check_root
        self._skip_depth = 0
        self._harden()
        self._wire()

    def _harden(self) -> None:
        parser = self.parser
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._refuse("a DOCTYPE (DTD)")
        parser.EntityDeclHandler = self._refuse("an entity declaration")
        parser.ExternalEntityRefHandler = self._refuse("an external entity reference")

    def _wire(self) -> None:
        parser = self.parser
        parser.ordered_attributes = True
        parser.buffer_text = True
        parser.StartElementHandler = self._start_root
        parser.EndElementHandler = self.handler.endElement
        parser.CharacterDataHandler = self.handler.characters

    def _start(self, name: str, attrs: list[str]) -> None:
        depth = len(self.handler.path)
        if depth <= self.item_depth and not self._keeps(depth, self.build_name(name)):
            self._begin_skip()
            return
        self.handler.startElement(name, attrs)

    def _keeps(self, depth: int, name: str) -> bool:
        if depth < self.item_depth:
            return name == self._route[depth - 1]
        return self._keep is None or name in self._keep

    def _begin_skip(self) -> None:
        self._skip_depth = 1
        self.parser.StartElementHandler = self._skip_start
        self.parser.EndElementHandler = self._skip_end
        self.parser.CharacterDataHandler = None

    def _skip_start(self, _name: str, _attrs: list[str]) -> None:
        self._skip_depth += 1

    def _skip_end(self, _name: str) -> None:
        self._skip_depth -= 1
        if not self._skip_depth:
            self.parser.StartElementHandler = self._start
            self.parser.EndElementHandler = self.handler.endElement
            self.parser.CharacterDataHandler = self.handler.characters

    def _refuse(self, what: str) -> Callable[..., NoReturn]:
        def refuse(*_args: object) -> NoReturn:
            raise self.error(f"the feed contains {what}, which is refused for safety")

        return refuse

    def _start_root(self, name: str, attrs: list[str]) -> None:
        root = self.handler._build_name(name)
        try:
            self._check_root(root, dict(zip(attrs[0::2], attrs[1::2], strict=False)))
        except FeedError as exc:
            raise self.error(str(exc)) from None
        self.parser.StartElementHandler = self._start if self.shape else self.handler.startElement
        self.handler.startElement(name, attrs)

    def _collect(self, path: list[tuple[str, Any]], item: Any) -> bool:
        parent = path[-2][1] if len(path) > 1 else None
        self.items.append((parent or {}, item, self.parser.CurrentLineNumber))
        return True

    def current_item(self) -> str | None:
        """``#index`` (and ``id``) of the item being read, for error messages."""
        if len(self.handler.path) < self.item_depth or self.item_depth == 0:
            return None
        attrs = self.handler.path[self.item_depth - 1][1] or {}
        label = f"#{self.emitted + len(self.items)}"
        return f"{label} (id {attrs['id']})" if "id" in attrs else label

    def error(self, message: str) -> FeedError:
        """A FeedError positioned at the parser's current line, column and item."""
        item = self.current_item()
        where = f"line {self.parser.CurrentLineNumber}, column {self.parser.CurrentColumnNumber}"
        text = f"{message} ({where}" + (f", item {item})" if item else ")")
        return FeedError(
            text,
            line=self.parser.CurrentLineNumber,
            column=self.parser.CurrentColumnNumber,
            item=item,
        )

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        """Parse one chunk; malformed XML becomes a positioned FeedError."""
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            item = self.current_item()
            message = f"malformed XML: {expat.ErrorString(exc.code)}"
            message += f" (line {exc.lineno}, column {exc.offset}"
            message += f", item {item})" if item else ")"
            raise FeedError(message, line=exc.lineno, column=exc.offset, item=item) from None

    def check_limits(self, size: int, limit: int, what: str) -> None:
        """Refuse an item or a nesting that grows beyond the limits (bounded memory)."""
        if len(self.handler.path) > MAX_DEPTH:
            raise self.error(f"elements nested deeper than {MAX_DEPTH} levels")
        if size > limit:
            raise self.error(f"{what} is larger than {limit} bytes")

    def forget_text_between_items(self) -> None:
        """Drop text met outside any item (e.g. whitespace between products).

        xmltodict keeps collecting it for the enclosing element, which is never built in
        streaming mode, so without this it would pile up with the number of items.
        """
        if self.handler.stack:
            self.handler.stack[0][1].clear()
        else:
            self.handler.data = []


def _cached(build_name: Callable[[str], str]) -> Callable[[str], str]:
    """Memoise xmltodict's namespace mapping of names (a bounded cache: names repeat)."""
    cache: dict[str, str] = {}

    def cached(full_name: str) -> str:
        try:
            return cache[full_name]
        except KeyError:
            name = build_name(full_name)
            if len(cache) < _NAME_CACHE_SIZE:
                cache[full_name] = name
            return name

    return cached


def iter_items(
    source: FeedSource,
    *,
    shape: Shape,
    check_root: RootCheck,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Iterator[Item]:
    """Yield the elements found at the end of ``shape.route`` one at a time.

    The source is checked at once (``TypeError`` for an unsupported one); reading starts
    with the first ``next()``.
    """
    driver = _Driver(shape=shape, check_root=check_root)
    chunks = iter_chunks(source, chunk_size=chunk_size)
    return _pull(driver, chunks, max_item_bytes)


def _pull(driver: _Driver, chunks: Iterator[bytes], max_item_bytes: int) -> Iterator[Item]:
    item_bytes = 0
    try:
        for chunk in chunks:
            finished = driver.emitted
            yield from _feed_and_drain(driver, chunk)
            # bytes since the last finished item bound the item, expat's token buffer, all
            item_bytes = item_bytes + len(chunk) if driver.emitted == finished else 0
            driver.check_limits(item_bytes, max_item_bytes, "an item (or a gap between items)")
            driver.forget_text_between_items()
        yield from _feed_and_drain(driver, b"", final=True)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _feed_and_drain(driver: _Driver, chunk: bytes, *, final: bool = False) -> Iterator[Item]:
    """Parse a chunk and yield what it completed; on an error, the completed items first."""
    try:
        driver.feed(chunk, final=final)
    except FeedError:
        yield from _drain(driver)
        raise
    yield from _drain(driver)


def _drain(driver: _Driver) -> Iterator[Item]:
    items = driver.items
    while items:
        driver.emitted += 1
        yield items.popleft()


def parse_document(
    source: FeedSource,
    *,
    check_root: RootCheck,
    max_bytes: int = MAX_ITEM_BYTES,
) -> dict[str, Any]:
    """Parse a whole (small) document, e.g. ``categories.xml``, into one dict."""
    driver = _Driver(shape=None, check_root=check_root)
    size = 0
    for chunk in iter_chunks(source):
        driver.feed(chunk)
        size += len(chunk)
        driver.check_limits(size, max_bytes, "the document")
    driver.feed(b"", final=True)
    document = driver.handler.item
    return document if isinstance(document, dict) else {}
