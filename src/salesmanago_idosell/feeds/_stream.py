"""Pull-style streaming of XML items with a purpose-built pyexpat handler.

The handler builds only what a :class:`Schema` names: a light :class:`Node` (attributes,
kept children, whole text content) per kept element, or just the attribute dict of a kept
leaf. Everything else - ``parameters``, ``iaiext:`` extensions, unknown elements - builds
nothing: an unread element is only noted, and if it has children they are skipped by swapping
in two counting handlers until it closes. Whitespace between elements never reaches Python:
the character-data handler is only set inside a kept text element.

The generator feeds expat one chunk at a time with ``Parser.Parse(chunk, False)`` and hands
out the items each chunk completed. Hostile input is refused before it can cost anything:

* any ``<!DOCTYPE``, entity declaration or external entity reference (nothing expands,
  nothing is fetched); an HTML page or JSON is named as such;
* a start tag with more than :data:`MAX_ATTRIBUTES` attributes: counted while it arrives
  (see :class:`_Token`), before expat builds them all at once; kept elements nested deeper
  than :data:`MAX_DEPTH`; an item with more than :data:`MAX_ITEM_ELEMENTS` kept elements or
  above its byte limit. Memory stays bounded and a crafted
  file ends in :class:`~salesmanago_idosell.errors.FeedError`, never ``MemoryError``.

Expat 2.5 rescans an unfinished token from its start on every ``Parse`` call, so feeding a
32 MB attribute in 16 KiB chunks is quadratic. The feeder therefore never hands expat less
new input than the unfinished token it is holding (``CurrentByteIndex`` says where that token
starts): every byte is scanned about twice at most, whatever the token. A batch grown that
way is cut right after the long token, so what follows it still goes in chunks.
"""

from __future__ import annotations

import codecs
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NoReturn, Union
from xml.parsers import expat

from ..errors import FeedError
from ._source import CHUNK_SIZE, FeedSource, GzipError, iter_chunks

__all__ = [
    "IOF_NS",
    "MAX_ATTRIBUTES",
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_ITEM_ELEMENTS",
    "Attrs",
    "Leaves",
    "Node",
    "RootCheck",
    "Schema",
    "Slots",
    "iof_names",
    "iter_items",
    "parse_document",
]

IOF_NS = "http://www.iai-shop.com/developers/iof.phtml"
IAIEXT_NS = "http://www.iai-shop.com/developers/iof/extensions.phtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_SEP = " "
XML_LANG = f"{XML_NS}{_SEP}lang"
"""``xml:lang`` as expat names the attribute."""
IAIEXT = f"{IAIEXT_NS}{_SEP}"
"""Prefix of ``iaiext:`` attribute names as expat gives them."""

MAX_ITEM_BYTES = 64 * 1024 * 1024
MAX_ATTRIBUTES = 1000
MAX_DEPTH = 64
MAX_ITEM_ELEMENTS = 100_000
"""Kept elements per item: bounds the memory of one item (each costs a dict of attributes)."""

Schema = dict[str, tuple[str, Union["Schema", "Leaves", None]]]
"""Kept children by expat name -> (local name, their own schema; ``None`` for text).

A ``"*"`` key keeps any other element of the IOF namespace (or none) under its local name.
A :class:`Leaves` schema builds the element into a value when it closes.
"""

RootCheck = Callable[[str, Mapping[str, str]], None]
"""Called with the root element's local name and attributes; raises FeedError to refuse."""


Attrs = dict[str, str]
"""The attributes of a kept leaf element (one whose schema is ``{}``), stored as they are."""


Slots = list[Any]
"""What a :class:`Leaves` element collected: per kept child, by its index in ``fields``,
the first one's attributes (``None`` if absent), or the list of all of them for the
``many`` ones."""


class Leaves:
    """The schema of a kept element whose kept children are all leaves (``size``: prices
    and stocks), built straight into a value when it closes - no :class:`Node` in between.

    ``fields`` are the kept children's local names (IOF names, with or without the IOF
    namespace); of those in ``many`` every one is kept, of the others the first. ``build``
    gets the element's attributes and the :data:`Slots`. The built value is stored among the
    parent's kids; a ``ValueError`` that ``build`` raises (a value the item cannot use) is
    stored in its place, for the item's converter to raise.
    """

    __slots__ = ("build", "names", "singles", "size")

    def __init__(
        self,
        fields: tuple[str, ...],
        build: Callable[[Attrs, Slots], object],
        *,
        many: frozenset[str] = frozenset(),
    ) -> None:
        # the first-wins children come first, the ``many`` ones last: ``index < singles``
        self.singles = sum(1 for local in fields if local not in many)
        if any(local in many for local in fields[: self.singles]):
            raise ValueError("list the many children of Leaves after the others")
        self.names = {
            name: index for index, local in enumerate(fields) for name in _iof_keys(local)
        }
        self.size = len(fields)
        self.build = build


class Node:
    """One kept element: its attributes, kept children by local name, text content.

    A child whose schema is ``{}`` (a leaf: ``price``, ``stock``, ...) is stored as its
    attribute dict; a child with a schema of its own or kept for its text is a ``Node``.
    """

    __slots__ = ("attrs", "kids", "text")

    def __init__(self, attrs: Attrs) -> None:
        self.attrs = attrs
        self.kids: dict[str, list[Any]] | None = None
        self.text: str | None = None

    def first(self, name: str) -> Any:
        """The first child called ``name`` (a ``Node`` or, for a leaf, its attributes)."""
        kids = self.kids
        if kids is None:
            return None
        found = kids.get(name)
        return found[0] if found else None

    def all(self, name: str) -> list[Any]:
        """Every child called ``name``, in document order."""
        kids = self.kids
        if kids is None:
            return []
        return kids.get(name) or []


def iof_names(schema: Mapping[str, Schema | Leaves | None]) -> Schema:
    """A schema whose keys match an IOF element without a namespace or in the IOF one."""
    built: Schema = {}
    for local, child in schema.items():
        for key in _iof_keys(local):
            built[key] = (local, child)
    return built


def _iof_keys(local: str) -> tuple[str, str]:
    return local, f"{IOF_NS}{_SEP}{local}"


def _nothing(_attrs: Attrs, _slots: Slots) -> None:
    return None


def _local(name: str) -> str:
    """The local name, or ``prefix-uri local`` for a foreign namespace (root check)."""
    uri, _, local = name.rpartition(_SEP)
    return local if uri in ("", IOF_NS) else name


_NONE, _IN_LEAF, _IN_TEXT = 0, 1, 2
"""What the handler is inside of: nothing to skip, a leaf (or unread element), a text."""
_LEAF, _NODE, _TEXT, _LEAVES = 0, 1, 2, 3
"""What a kept element is: its attributes only, a :class:`Node`, a text, :class:`Leaves`."""

_Spec = tuple[str, int, Any]
"""A compiled schema entry: local name, kind, the compiled schema below (or Leaves)."""
_Compiled = dict[str, _Spec]


def _compile(schema: Schema, done: dict[int, _Compiled]) -> _Compiled:
    """The schema with each entry's kind worked out once (schemas may be recursive)."""
    found = done.get(id(schema))
    if found is not None:
        return found
    compiled: _Compiled = {}
    done[id(schema)] = compiled
    for key, (local, child) in schema.items():
        if child is None:
            compiled[key] = (local, _TEXT, None)
        elif isinstance(child, Leaves):
            compiled[key] = (local, _LEAVES, child)
        elif child:
            compiled[key] = (local, _NODE, _compile(child, done))
        else:
            compiled[key] = (local, _LEAF, None)
    return compiled


class _Driver:
    """One expat parser wired to the schema walker, fed chunk by chunk."""

    def __init__(
        self,
        *,
        route: tuple[str, ...],
        item: Schema,
        check_root: RootCheck,
    ) -> None:
        self.items: deque[tuple[Mapping[str, str], Node, int]] = deque()
        self.emitted = 0
        self._route = route
        self._item_schema = _compile(item, {})
        self._check_root = check_root
        self._parents: list[Mapping[str, str]] = []
        self._outside = 0  # depth while on the route, above the items
        self._stack: list[tuple[Node, _Compiled]] = []
        self._node = Node({})  # the item being built, while ``_in_item``
        self._in_item = False
        self._schema = self._item_schema
        self._item_line = 0
        self._skip_depth = 0
        self._leaf = _NONE
        self._kept = 0
        self._text_depth = 0
        self._text: list[str] = []
        self._text_node = Node({})
        self._record: tuple[str, Leaves, Attrs] = ("", Leaves((), _nothing), {})
        self._record_names: dict[str, int] = {}
        self._slots: Slots = []
        self._singles = 0
        self.root: Node | None = None
        self._head = b""  # the first bytes, until the root element: the XML declaration
        self.parser = self._new_parser(None)

    def _new_parser(self, encoding: str | None) -> expat.XMLParserType:
        parser = expat.ParserCreate(encoding, _SEP)
        parser.buffer_text = True
        parser.buffer_size = 65536
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        # expat 2.6+ (Python 3.13, or an older Python built with it) defers parsing an
        # unfinished token until enough new input has arrived: the feeder already keeps long
        # tokens linear (see _Feed), and with deferral expat holds tokens it has not parsed,
        # so ``pending`` no longer says where the unfinished one starts and a crafted start
        # tag could reach expat before its attributes are counted (Python 3.10.14+ has the
        # switch; an older one runs expat 2.5 or older, which never defers)
        no_deferral = getattr(parser, "SetReparseDeferralEnabled", None)
        if no_deferral is not None:
            no_deferral(False)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._refuse("an entity declaration")
        parser.ExternalEntityRefHandler = self._refuse("an external entity reference")
        parser.StartElementHandler = self._start_root
        return parser

    def read_as_utf8(self) -> None:
        """Read the document as UTF-8 whatever its XML declaration says (before any input)."""
        self.parser = self._new_parser("UTF-8")

    # -- refusals ------------------------------------------------------------------------

    def _refuse(self, what: str) -> Callable[..., NoReturn]:
        def refuse(*_args: object) -> NoReturn:
            raise self.error(f"the feed contains {what}, which is refused for safety")

        return refuse

    def _doctype(self, name: str, *_args: object) -> NoReturn:
        if name.lower() == "html":
            raise self.error("this is an HTML page, not an IOF feed (is the URL right?)")
        raise self.error("the feed contains a DOCTYPE (DTD), which is refused for safety")

    def _too_big(self, attrs: dict[str, str]) -> NoReturn:
        self._too_many(attrs)
        raise self.error(f"an item has more than {MAX_ITEM_ELEMENTS} elements to read")

    def _too_many(self, attrs: dict[str, str]) -> None:
        if len(attrs) > MAX_ATTRIBUTES:
            raise self.error(f"an element has more than {MAX_ATTRIBUTES} attributes")

    # -- the root and the route down to the items -----------------------------------------

    def _start_root(self, name: str, attrs: dict[str, str]) -> None:
        self._too_many(attrs)
        local = _local(name)
        if name.rpartition(_SEP)[2].lower() == "html":  # also XHTML, in its namespace
            raise self.error("this is an HTML page, not an IOF feed (is the URL right?)")
        try:
            self._check_root(local, attrs)
        except FeedError as exc:
            raise self.error(str(exc)) from None
        self._parents.append(attrs)
        if not self._route:  # the whole document is the item
            self._begin_item(attrs)
            return
        self.parser.StartElementHandler = self._start_outside
        self.parser.EndElementHandler = self._end_outside

    def _start_outside(self, name: str, attrs: dict[str, str]) -> None:
        self._too_many(attrs)
        depth = self._outside
        if _local(name) != self._route[depth]:
            self._begin_skip()
            return
        if depth + 1 == len(self._route):
            self._begin_item(attrs)
            return
        self._outside = depth + 1
        self._parents.append(attrs)

    def _end_outside(self, _name: str) -> None:
        self._outside -= 1
        if len(self._parents) > 1:
            self._parents.pop()

    # -- items ------------------------------------------------------------------------------

    def _begin_item(self, attrs: dict[str, str]) -> None:
        self._node = Node(attrs)
        self._in_item = True
        self._kept = 0
        self._schema = self._item_schema
        self._item_line = self.parser.CurrentLineNumber
        parser = self.parser
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self._leaf:  # markup inside a leaf, an unread element or a text
            self._markup_inside(attrs)
            return
        spec = self._schema.get(name)
        if spec is None:
            spec = self._unread(name)
            if spec is None:
                return
        self._kept += 1
        if self._kept > MAX_ITEM_ELEMENTS or len(attrs) > MAX_ATTRIBUTES:
            self._too_big(attrs)
        local, kind, schema = spec
        parent = self._node
        entry: Any
        if kind == _LEAF:
            entry = attrs
            self._leaf = _IN_LEAF
        elif kind == _TEXT:
            entry = self._text_node = Node(attrs)
            self._leaf = _IN_TEXT
            self.parser.CharacterDataHandler = self._text.append
        elif kind == _NODE:
            entry = Node(attrs)
        else:
            self._begin_leaves(local, schema, attrs)
            return
        kids = parent.kids
        if kids is None:
            parent.kids = {local: [entry]}
        elif local in kids:
            kids[local].append(entry)
        else:
            kids[local] = [entry]
        if kind == _NODE:
            self._enter(entry, schema)

    def _enter(self, node: Node, schema: _Compiled) -> None:
        """Read the children of ``node`` (a kept element with a schema of its own)."""
        stack = self._stack
        stack.append((self._node, self._schema))
        if len(stack) > MAX_DEPTH:
            raise self.error(f"elements nested deeper than {MAX_DEPTH} levels")
        self._node = node
        self._schema = schema

    def _markup_inside(self, attrs: dict[str, str]) -> None:
        """An element inside a leaf or an unread element (skipped) or a text (counted)."""
        if self._leaf == _IN_TEXT:
            self._text_markup(attrs)
        else:
            self._leaf = _NONE
            self._begin_skip(2)

    def _unread(self, name: str) -> _Spec | None:
        """The schema's ``"*"`` entry for an IOF element (``gateway.xml`` kinds), else
        ``None``: the element is not read, like a leaf whose children are skipped."""
        anything = self._schema.get("*")
        if anything is not None:
            local = _local(name)
            if _SEP not in local:
                return local, anything[1], anything[2]
        self._leaf = _IN_LEAF
        return None

    def _end(self, _name: str) -> None:
        if self._leaf:
            if self._leaf == _IN_TEXT:
                self._end_text()
            self._leaf = _NONE
            return
        stack = self._stack
        if stack:
            self._node, self._schema = stack.pop()
            return
        node = self._node
        self.items.append((self._parents[-1], node, self._item_line))
        self._in_item = False
        if self._route:
            self.parser.StartElementHandler = self._start_outside
            self.parser.EndElementHandler = self._end_outside
        else:
            self.root = node

    # -- elements of leaves, built when they close ----------------------------------------

    def _begin_leaves(self, local: str, schema: Leaves, attrs: Attrs) -> None:
        self._record = (local, schema, attrs)
        self._record_names = schema.names
        self._singles = schema.singles
        self._slots = [None] * schema.size
        parser = self.parser
        parser.StartElementHandler = self._leaves_start
        parser.EndElementHandler = self._leaves_end

    def _leaves_start(self, name: str, attrs: Attrs) -> None:
        if self._leaf:  # markup inside a leaf: skip to its end
            self._leaf = _NONE
            self._begin_skip(2)
            return
        self._leaf = _IN_LEAF
        index = self._record_names.get(name)
        if index is None:
            return
        slots = self._slots
        found = slots[index]
        if index < self._singles:  # the first one wins: a repeated one costs nothing
            if found is None:
                if len(attrs) > MAX_ATTRIBUTES:
                    self._too_many(attrs)
                slots[index] = attrs
            return
        self._kept += 1
        if self._kept > MAX_ITEM_ELEMENTS or len(attrs) > MAX_ATTRIBUTES:
            self._too_big(attrs)
        if found is None:
            slots[index] = [attrs]
        else:
            found.append(attrs)

    def _leaves_end(self, _name: str) -> None:
        if self._leaf:
            self._leaf = _NONE
            return
        local, schema, attrs = self._record
        built: object
        try:
            built = schema.build(attrs, self._slots)
        except ValueError as exc:  # the item's converter raises it: the item is a skip
            built = exc
        parent = self._node
        kids = parent.kids
        if kids is None:
            parent.kids = {local: [built]}
        elif local in kids:
            kids[local].append(built)
        else:
            kids[local] = [built]
        parser = self.parser
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

    # -- skipped subtrees -------------------------------------------------------------------

    def _begin_skip(self, depth: int = 1) -> None:
        self._skip_depth = depth
        self._resume = (self.parser.StartElementHandler, self.parser.EndElementHandler)
        self.parser.StartElementHandler = self._skip_start
        self.parser.EndElementHandler = self._skip_end

    def _skip_start(self, _name: str, attrs: dict[str, str]) -> None:
        if len(attrs) > MAX_ATTRIBUTES:
            self._too_many(attrs)
        self._skip_depth += 1

    def _skip_end(self, _name: str) -> None:
        self._skip_depth -= 1
        if not self._skip_depth:
            self.parser.StartElementHandler, self.parser.EndElementHandler = self._resume

    # -- whole text content ------------------------------------------------------------------

    def _end_text(self) -> None:
        """The text element closes: its whole text content is what was collected."""
        text = self._text
        self._text_node.text = "".join(text)
        text.clear()
        self.parser.CharacterDataHandler = None

    def _text_markup(self, attrs: dict[str, str]) -> None:
        """Markup inside a text element: count it (its text is part of the content)."""
        self._too_many(attrs)
        self._text_depth = 2
        parser = self.parser
        parser.StartElementHandler = self._text_start
        parser.EndElementHandler = self._text_end

    def _text_start(self, _name: str, attrs: dict[str, str]) -> None:
        if len(attrs) > MAX_ATTRIBUTES:
            self._too_many(attrs)
        self._text_depth += 1

    def _text_end(self, _name: str) -> None:
        self._text_depth -= 1
        if self._text_depth:
            return
        self._end_text()
        self._leaf = _NONE
        parser = self.parser
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end

    # -- errors and feeding ---------------------------------------------------------------------

    def current_item(self) -> str | None:
        """``#index`` (and ``id``) of the item being read, for error messages."""
        if not self._in_item or not self._route:
            return None
        label = f"#{self.emitted + len(self.items)}"
        item = self._stack[0][0] if self._stack else self._node
        item_id = item.attrs.get("id")
        return f"{label} (id {item_id})" if item_id else label

    def error(self, message: str) -> FeedError:
        """A FeedError positioned at the parser's current line, column and item."""
        parser = self.parser
        return _positioned(
            message, parser.CurrentLineNumber, parser.CurrentColumnNumber, self.current_item()
        )

    def feed(self, data: bytes, *, final: bool = False) -> None:
        """Parse ``data``; malformed XML becomes a positioned FeedError."""
        if not self._parents and len(self._head) < 512:  # the XML declaration, if any
            self._head += data[: 512 - len(self._head)]
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            message = f"malformed XML: {expat.ErrorString(exc.code)}"
            raise _positioned(message, exc.lineno, exc.offset, self.current_item()) from None
        except (LookupError, ValueError) as exc:
            if self._parents:  # past the root element: not the XML declaration's encoding
                raise
            # pyexpat reads an encoding expat does not know through Python's codecs, and
            # raises these from the XML declaration: no such codec (LookupError), or one
            # that is not a single-byte text encoding (ValueError, UnicodeError)
            declared = _ENCODING.match(self._head)
            named = f" {declared[1].decode('ascii')!r}" if declared else ""
            message = f"the encoding{named} of the XML declaration cannot be read ({exc})"
            raise self.error(message) from None

    def pending(self, fed: int) -> int:
        """Bytes expat holds in an unfinished token (rescanned by the next ``Parse``)."""
        index = self.parser.CurrentByteIndex
        return fed - index if index >= 0 else fed


def _positioned(message: str, line: int, column: int, item: str | None) -> FeedError:
    where = f"line {line}, column {column}" + (f", item {item}" if item else "")
    return FeedError(f"{message} ({where})", line=line, column=column, item=item)


def iter_items(
    source: FeedSource,
    *,
    route: tuple[str, ...],
    item: Schema,
    check_root: RootCheck,
    chunk_size: int = CHUNK_SIZE,
    max_item_bytes: int = MAX_ITEM_BYTES,
) -> Iterator[tuple[Mapping[str, str], Node, int]]:
    """Yield ``(parent attributes, item node, item start line)`` for each item on ``route``.

    The source is checked at once (``TypeError`` for an unsupported one); reading starts
    with the first ``next()``.
    """
    driver = _Driver(route=route, item=item, check_root=check_root)
    chunks = iter_chunks(source, chunk_size=chunk_size)
    return _pull(driver, chunks, chunk_size, max_item_bytes)


def _pull(
    driver: _Driver,
    chunks: Iterator[bytes],
    chunk_size: int,
    max_item_bytes: int,
) -> Iterator[tuple[Mapping[str, str], Node, int]]:
    # the next batch's size: at least the token expat is holding; the first one at least
    # the head where an XML declaration is read (see _Feed.batch)
    wanted = [max(chunk_size, _HEAD_BYTES)]
    state = _Feed(driver, chunk_size, max_item_bytes)
    try:
        for data in _batches(chunks, wanted):
            yield from state.batch(data)
            wanted[0] = max(chunk_size, state.pending)
        yield from _feed_and_drain(driver, b"", final=True)
    except GzipError as exc:
        raise driver.error(str(exc)) from None
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


class _Feed:
    """The byte accounting around the parser: what it holds, per item, per token."""

    def __init__(self, driver: _Driver, chunk_size: int, max_item_bytes: int) -> None:
        self.driver = driver
        self.chunk_size = chunk_size
        self.max_item_bytes = max_item_bytes
        self.fed = self.pending = self.item_bytes = 0
        self.token = _Token()
        self.first = True

    def batch(self, data: bytes) -> Iterator[tuple[Mapping[str, str], Node, int]]:
        """Parse a batch; yield what it completed.

        A start tag expat is holding is scanned before expat gets more of it (see
        :class:`_Token`). A batch grown to hold the rest of a long token is cut right after
        that token: the bytes that follow go in chunk-sized pieces, so no start tag larger
        than a chunk ever reaches expat unscanned.
        """
        if self.first:
            _sniff(data)
            if _utf8_alias(data):
                self.driver.read_as_utf8()
            self.first = False
        end = self.token.scan(data, 0, self.driver) if self.token.open else None
        if end is None or len(data) <= self.chunk_size:
            yield from self._parse(data)
            return
        yield from self._parse(data[:end])
        for start in range(end, len(data), self.chunk_size):
            piece = data[start : start + self.chunk_size]
            if self.token.open:
                self.token.scan(piece, 0, self.driver)
            yield from self._parse(piece)

    def _parse(self, data: bytes) -> Iterator[tuple[Mapping[str, str], Node, int]]:
        driver = self.driver
        finished = driver.emitted
        yield from _feed_and_drain(driver, data)
        self.fed += len(data)
        pending = self.pending = driver.pending(self.fed)
        if pending and pending <= len(data) and not self.token.open:
            self.token.begin(data, len(data) - pending, driver)
        elif not pending:
            self.token.open = False
        self.item_bytes = self.item_bytes + len(data) if driver.emitted == finished else 0
        if self.item_bytes > self.max_item_bytes:
            limit = self.max_item_bytes
            raise driver.error(f"an item (or a gap between items) is larger than {limit} bytes")


_ENCODING = re.compile(
    rb"(?:\xef\xbb\xbf)?\s*<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]{1,64})"
)
"""The encoding an (ASCII-compatible) XML declaration names, for an error message."""
_TAG_MARKS = re.compile(rb"[\"'=>]")
_NAME_START = re.compile(rb"<[^!?/]")
_TERMINATORS = {b"<!--": b"-->", b"<?": b"?>"}


class _Token:
    """The unfinished token expat is holding: where it ends, and a start tag's attributes.

    Expat builds a start tag's attributes only once the tag is complete, and then all at
    once: a crafted tag with millions of attributes would cost gigabytes. The bytes of an
    unfinished tag are scanned (quote-aware, at C speed between marks) and the file refused as
    soon as the tag has more than :data:`MAX_ATTRIBUTES` - before expat sees the rest.
    Comments and processing instructions are followed to their terminator.
    """

    def __init__(self) -> None:
        self.open = False
        self._terminator = b""
        self._quote = b""
        self._count = 0

    def begin(self, data: bytes, start: int, driver: _Driver) -> None:
        """A token starts at ``data[start]`` and is unfinished: follow it if we can."""
        self._quote, self._count = b"", 0
        if _NAME_START.match(data, start):
            self.open, self._terminator = True, b""
            self.scan(data, start + 1, driver)
            return
        for head, terminator in _TERMINATORS.items():
            if data.startswith(head, start):
                self.open, self._terminator = True, terminator
                return

    def scan(self, data: bytes, start: int, driver: _Driver) -> int | None:
        """Follow the token through ``data``; the offset just after its end, if there."""
        if self._terminator:
            end = data.find(self._terminator, start)
            if end < 0:
                return None
            self.open = False
            return end + len(self._terminator)
        position = start
        while True:
            if self._quote:
                end = data.find(self._quote, position)
                if end < 0:
                    return None
                position, self._quote = end + 1, b""
            mark = _TAG_MARKS.search(data, position)
            if mark is None:
                return None
            char, position = data[mark.start() : mark.end()], mark.end()
            if char == b">":
                self.open = False
                return position
            if char == b"=":
                self._count += 1
                if self._count > MAX_ATTRIBUTES:
                    raise driver.error(f"an element has more than {MAX_ATTRIBUTES} attributes")
            else:
                self._quote = char


def _batches(chunks: Iterator[bytes], wanted: list[int]) -> Iterator[bytes]:
    """Join chunks until ``wanted[0]`` bytes are ready (read again before every batch)."""
    parts: list[bytes] = []
    size = 0
    for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size >= wanted[0]:
            yield parts[0] if len(parts) == 1 else b"".join(parts)
            parts, size = [], 0
    if parts:
        yield b"".join(parts)


_HEAD_BYTES = 512


def _utf8_alias(head: bytes) -> bool:
    """Whether the XML declaration names UTF-8 by a name expat does not know (``utf8``,
    ``UTF_8``, ``cp65001``, ...): expat would read it through Python's codecs as a single-byte
    encoding and call every non-ASCII character an invalid token."""
    declared = _ENCODING.match(head)
    if declared is None:
        return False
    name = declared[1].decode("ascii")
    if name.upper() == "UTF-8":
        return False
    try:
        return codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _sniff(data: bytes) -> None:
    """Name the usual wrong downloads (HTML, JSON) before expat calls them malformed."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"{", b"[")):
        raise FeedError(
            "this is JSON, not an IOF XML feed (is the URL right?) (line 1, column 0)",
            line=1,
            column=0,
        )
    if head.startswith((b"<!doctype html", b"<html")):
        raise FeedError(
            "this is an HTML page, not an IOF feed (is the URL right?) (line 1, column 0)",
            line=1,
            column=0,
        )


def _feed_and_drain(
    driver: _Driver, data: bytes, *, final: bool = False
) -> Iterator[tuple[Mapping[str, str], Node, int]]:
    """Parse a batch and yield what it completed; on an error, the completed items first."""
    try:
        driver.feed(data, final=final)
    except FeedError:
        yield from _drain(driver)
        raise
    yield from _drain(driver)


def _drain(driver: _Driver) -> Iterator[tuple[Mapping[str, str], Node, int]]:
    items = driver.items
    while items:
        driver.emitted += 1
        yield items.popleft()


def parse_document(
    source: FeedSource,
    *,
    schema: Schema,
    check_root: RootCheck,
    max_bytes: int = MAX_ITEM_BYTES,
) -> Node:
    """Parse a whole (small) document, e.g. ``categories.xml``, into its root :class:`Node`."""
    items = iter_items(
        source,
        route=(),
        item=schema,
        check_root=check_root,
        max_item_bytes=max_bytes,
    )
    found = Node({})  # expat refuses a document without a root element: replaced below
    for _, node, _ in items:
        found = node
    return found
