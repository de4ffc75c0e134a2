"""Kept element nodes -> typed models, written by hand for speed.

Rules (the same for ``full.xsd``, ``light.xsd`` and ``categories.xsd``):

* every attribute and element the models read may be absent; a blank attribute (``vat=""``,
  ``id="  "``) means absent;
* when an element that occurs once appears twice, the first one wins;
* unknown elements and attributes, including every ``iaiext:`` extension, are never read.

A value that is present but cannot be understood (``vat="abc"``) raises :class:`ItemError`;
the stream turns it into a :class:`~salesmanago_idosell.feeds.FeedSkip` for that product.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from .._builders import builder
from ._stream import IAIEXT, XML_LANG, Attrs, Node, Slots
from .models import (
    NOT_TRACKED,
    CategoryRef,
    IdosellCategoryRef,
    LightProduct,
    OfferProduct,
    Price,
    Producer,
    ProductType,
    Quantity,
    Size,
    Stock,
)

__all__ = ["ItemError", "light_product", "offer_product", "parse_datetime"]

_MINUS_ONE = Decimal(-1)
_PRODUCT_TYPES = {t.value: t for t in ProductType}
_CODE_EXTERNAL = f"{IAIEXT}code_external"
_PRIORITY = f"{IAIEXT}priority"
_UNAVAILABLE = frozenset({"unavailable", "no", "n", "false", "0"})
_YES = frozenset({"yes", "y", "true", "1"})
_CACHE_SIZE = 4096
# Bounded caches of immutable values met again and again in a feed (cleared when full, and
# by ``forget()`` when a stream ends). They only memoise: a value is the same with or without
# them, whatever thread or stream put it there.
_MISS = object()
_DECIMALS: dict[str, Decimal] = {}
_PRICES: dict[tuple[str | None, str | None], Price | None] = {}
_STOCKS: dict[tuple[str | None, str | None, str | None], Stock | None] = {}
_PRODUCERS: dict[tuple[str | None, str | None], Producer | None] = {}
_IDOSELL_CATEGORIES: dict[tuple[str | None, str | None], IdosellCategoryRef | None] = {}


_MakeSize = Callable[
    [
        str | None,
        str | None,
        str | None,
        str | None,
        str | None,
        Decimal | None,
        Price | None,
        Price | None,
        Price | None,
        bool | None,
        tuple[Stock, ...],
    ],
    Size,
]


SIZE_FIELDS = (
    "id",
    "name",
    "code",
    "producer_code",
    "external_code",
    "weight",
    "price",
    "srp",
    "strikethrough_price",
    "available",
    "stocks",
)
"""``Size``'s fields in the order :func:`_new_size` takes them (a test checks it)."""
_new_size: _MakeSize = builder(Size)
"""``Size`` from positional values in field order, without ``__init__``'s keyword handling
(the hot path: a feed has several sizes per product); the very instance ``Size(...)`` makes."""
_new_price: Callable[[Decimal | None, Decimal | None], Price] = builder(Price)
"""``Price(gross, net)`` the same way (hot path)."""

PRODUCT_FIELDS = (
    "id",
    "type",
    "vat",
    "currency",
    "removed",
    "code_on_card",
    "producer",
    "category",
    "idosell_category",
    "card_url",
    "names",
    "short_descriptions",
    "long_descriptions",
    "price",
    "srp",
    "strikethrough_price",
    "sizes",
    "images",
    "icon_url",
)
"""``OfferProduct``'s fields in the order :func:`_new_product` takes them (a test checks it)."""


_MakeProduct = Callable[
    [
        str,
        ProductType | str | None,
        Decimal | None,
        str | None,
        bool,
        str | None,
        Producer | None,
        CategoryRef | None,
        IdosellCategoryRef | None,
        str | None,
        Mapping[str, str],
        Mapping[str, str],
        Mapping[str, str],
        Price | None,
        Price | None,
        Price | None,
        tuple[Size, ...],
        tuple[str, ...],
        str | None,
    ],
    OfferProduct,
]


_new_product: _MakeProduct = builder(OfferProduct)
"""``OfferProduct`` from positional values in :data:`PRODUCT_FIELDS` order, like
:data:`_new_size`."""


def forget() -> None:
    """Empty the value caches (at the end of a stream: nothing stays in memory)."""
    _DECIMALS.clear()
    _PRICES.clear()
    _STOCKS.clear()
    _PRODUCERS.clear()
    _IDOSELL_CATEGORIES.clear()


class ItemError(ValueError):
    """A value inside one item could not be understood."""


def value(attrs: Mapping[str, str], key: str) -> str | None:
    """An attribute's text, ``None`` when absent or blank."""
    raw = attrs.get(key)
    if raw is None:
        return None
    if raw and not raw[0].isspace() and not raw[-1].isspace():
        return raw
    return raw.strip() or None


def decimal(raw: str | None, what: str, part: str = "") -> Decimal | None:
    """A finite Decimal from ``"12.50"``, ``"12,50"`` or `` 12.5 ``; ``None`` when blank.

    ``what`` and ``part`` name the value in the error message (joined only on error).
    Values repeat a lot in a feed (prices shared by sizes, small stock numbers), so parsed
    values are kept in a bounded cache (Decimals are immutable).
    """
    if raw is None:
        return None
    number = _DECIMALS.get(raw)
    if number is not None:
        return number
    try:
        number = Decimal(raw.replace(",", ".") if "," in raw else raw)
    except InvalidOperation:
        if not raw.strip():
            return None
        raise ItemError(f"{_name(what, part)} is not a number: {raw!r}") from None
    if not number.is_finite():
        raise ItemError(f"{_name(what, part)} is not a finite number: {raw!r}")
    if len(_DECIMALS) >= _CACHE_SIZE:
        _DECIMALS.clear()
    _DECIMALS[raw] = number
    return number


def _name(what: str, part: str) -> str:
    return f"{what} {part}" if part else what


def quantity(raw: str | None, what: str, part: str = "") -> Quantity | None:
    """A stock quantity, with ``-1`` as :data:`NOT_TRACKED`."""
    number = decimal(raw, what, part)
    if number is not None and number == _MINUS_ONE:
        return NOT_TRACKED
    return number


def parse_datetime(raw: str | None, what: str) -> datetime | None:
    """An IOF ``YYYY-MM-DD HH:MM:SS`` (or ISO 8601) date; ``None`` when absent or blank."""
    if raw is None or not raw.strip():
        return None
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise ItemError(f"{what} is not a date: {raw!r}") from None


def text(node: Node | None) -> str | None:
    """An element's whole text content, stripped; ``None`` when absent or blank."""
    if node is None or node.text is None:
        return None
    return node.text.strip() or None


def price(attrs: Attrs | None, what: str) -> Price | None:
    """A ``gross``/``net`` pair; ``None`` when absent or carrying neither value."""
    if attrs is None:
        return None
    get = attrs.get
    key = (get("gross"), get("net"))
    found = _PRICES.get(key, _MISS)
    if found is not _MISS:
        return found  # type: ignore[return-value]  # a Price or None, never the marker
    raw_gross, raw_net = key
    try:  # the common case at C speed; anything odd goes through decimal()
        gross = None if raw_gross is None else Decimal(raw_gross.replace(",", "."))
        net = None if raw_net is None else Decimal(raw_net.replace(",", "."))
        if (gross is not None and not gross.is_finite()) or (
            net is not None and not net.is_finite()
        ):
            raise InvalidOperation
    except InvalidOperation:
        gross = decimal(raw_gross, what, "gross")
        net = decimal(raw_net, what, "net")
    made = None if gross is None and net is None else _new_price(gross, net)
    if len(_PRICES) >= _CACHE_SIZE:
        _PRICES.clear()
    _PRICES[key] = made
    return made


def stock(attrs: Attrs) -> Stock | None:
    """One ``stock`` element of a size (``None`` without a warehouse id)."""
    get = attrs.get
    key = (get("id"), get("quantity"), get("available_stock_quantity"))
    found = _STOCKS.get(key, _MISS)
    if found is not _MISS:
        return found  # type: ignore[return-value]  # a Stock or None, never the marker
    warehouse = value(attrs, "id")
    made = None
    if warehouse is not None:
        made = Stock(
            warehouse_id=warehouse,
            quantity=quantity(key[1], "stock", "quantity"),
            available_quantity=quantity(key[2], "stock", "available_stock_quantity"),
        )
    if len(_STOCKS) >= _CACHE_SIZE:
        _STOCKS.clear()
    _STOCKS[key] = made
    return made


def availability(raw: str | None) -> bool | None:
    """``size@available``: False for ``unavailable``/``no``, True for any other value."""
    if raw is None or not raw.strip():
        return None
    return raw.strip().lower() not in _UNAVAILABLE


def _first(kids: dict[str, list[Any]], name: str) -> Any:
    found = kids.get(name)
    return found[0] if found else None


SIZE_KIDS = ("price", "srp", "strikethrough_retail_price", "stock")
"""The kept children of ``size``, in the order :func:`size` reads its slots."""


def size(attrs: Attrs, slots: Slots) -> Size:
    """One ``size`` element (its attributes and :data:`SIZE_KIDS`), with prices and stocks.

    Built by the stream when the element closes (see :class:`~._stream.Leaves`).
    """
    get = attrs.get
    own_price, srp, strikethrough, found = slots
    available = get("available")
    return _new_size(
        (get("id") or "").strip() or None,
        (get("name") or "").strip() or None,
        (get("code") or "").strip() or None,
        (get("code_producer") or "").strip() or None,
        (get(_CODE_EXTERNAL) or "").strip() or None,
        decimal(get("weight"), "size weight"),
        None if own_price is None else price(own_price, "size price"),
        None if srp is None else price(srp, "size srp"),
        None if strikethrough is None else price(strikethrough, "size strikethrough_retail_price"),
        None if available is None else availability(available),
        tuple(filter(None, map(stock, found))) if found else (),
    )


def sizes(node: Node | None) -> tuple[Size, ...]:
    """The sizes of a product (``sizes/size``), built by the stream; raises the
    :class:`ItemError` met while building one."""
    if node is None or node.kids is None:
        return ()
    found = node.kids.get("size")
    if not found:
        return ()
    for built in found:
        if type(built) is not Size:
            raise built
    return tuple(found)


def texts(nodes: list[Node], default_language: str) -> dict[str, str]:
    """Texts by ``xml:lang`` in feed order; a text without ``type`` beats a typed one."""
    found: dict[str, str] = {}
    typed: set[str] = set()
    for node in nodes:
        content = text(node)
        if content is None:
            continue
        attrs = node.attrs
        language = value(attrs, XML_LANG) or default_language
        is_typed = value(attrs, "type") is not None
        if language not in found or (language in typed and not is_typed):
            found[language] = content
            if is_typed:
                typed.add(language)
            else:
                typed.discard(language)
    return found


def images(node: Node | None) -> tuple[str, ...]:
    """Large image URLs ordered by ``iaiext:priority`` (then feed order)."""
    large = node.first("large") if node is not None else None
    if large is None:
        return ()
    ranked: list[tuple[int, int, int, str]] = []
    for index, image in enumerate(large.all("image")):
        url = value(image, "url")
        if url is not None:
            unranked, rank = _priority(image.get(_PRIORITY))
            ranked.append((unranked, rank, index, url))
    if len(ranked) > 1:
        ranked.sort()
    return tuple(url for _, _, _, url in ranked)


def icon(node: Node | None) -> str | None:
    """The first icon's URL."""
    icons = node.first("icons") if node is not None else None
    first = icons.first("icon") if icons is not None else None
    return value(first, "url") if first is not None else None


def _priority(raw: str | None) -> tuple[int, int]:
    """The sort key of an ``iaiext:priority``: ``(0, priority)``, or ``(1, 0)`` after every
    ranked image when absent or not an integer. Integers of any size compare exactly (no
    float: mypyc would convert it, losing precision past 2**53 or failing past 1e308)."""
    if raw is not None:
        try:
            return 0, int(raw)
        except ValueError:
            pass
    return 1, 0


def product_type(raw: str | None) -> ProductType | str | None:
    """A known :class:`ProductType`, else the stripped raw text."""
    if raw is None:
        return None
    return _PRODUCT_TYPES.get(raw.lower(), raw)


def producer(attrs: Attrs | None) -> Producer | None:
    """The producer (brand); ``None`` without an id."""
    if attrs is None:
        return None
    get = attrs.get
    key = (get("id"), get("name"))
    found = _PRODUCERS.get(key, _MISS)
    if found is not _MISS:
        return found  # type: ignore[return-value]  # a Producer or None, never the marker
    producer_id = value(attrs, "id")
    made = None if producer_id is None else Producer(id=producer_id, name=value(attrs, "name"))
    return _remember(_PRODUCERS, key, made)


def category(found: list[Attrs], language: str) -> CategoryRef | None:
    """The panel category in the feed's language (else one without ``xml:lang``, else the
    first); ``None`` without an id."""
    chosen = None
    for attrs in found:
        if value(attrs, "id") is None:
            continue
        attrs_language = value(attrs, XML_LANG)
        if attrs_language == language:
            chosen = attrs
            break
        if chosen is None or (attrs_language is None and value(chosen, XML_LANG)):
            chosen = attrs
    if chosen is None:
        return None
    return CategoryRef(
        id=value(chosen, "id") or "",
        path=value(chosen, "name") or "",
        language=value(chosen, XML_LANG),
    )


def idosell_category(attrs: Attrs | None) -> IdosellCategoryRef | None:
    """The IdoSell taxonomy node; ``None`` without an id."""
    if attrs is None:
        return None
    get = attrs.get
    key = (get("id"), get("path"))
    found = _IDOSELL_CATEGORIES.get(key, _MISS)
    if found is not _MISS:
        return found  # type: ignore[return-value]  # an IdosellCategoryRef or None
    node_id = value(attrs, "id")
    made = (
        None if node_id is None else IdosellCategoryRef(id=node_id, path=value(attrs, "path") or "")
    )
    return _remember(_IDOSELL_CATEGORIES, key, made)


_V = TypeVar("_V")


def _remember(cache: dict[Any, _V], key: object, made: _V) -> _V:
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = made
    return made


def product_id(node: Node) -> str:
    """``product@id``; a product without one cannot be read."""
    found = value(node.attrs, "id")
    if found is None:
        raise ItemError("the product has no id")
    return found


def offer_product(node: Node, feed: Mapping[str, str]) -> OfferProduct:
    """Build an :class:`OfferProduct` from a ``product`` node and the ``products`` attributes."""
    attrs = node.attrs
    identifier = product_id(node)
    language = value(feed, "language") or ""
    kids = node.kids or {}
    description = _first(kids, "description")
    images_node = _first(kids, "images")
    removed = value(attrs, "removed")
    card = _first(kids, "card")
    return _new_product(  # in PRODUCT_FIELDS order
        identifier,
        product_type(value(attrs, "type")),
        decimal(attrs.get("vat"), "vat"),
        value(attrs, "currency") or value(feed, "currency"),
        removed is not None and removed.lower() in _YES,
        value(attrs, "code_on_card"),
        producer(_first(kids, "producer")),
        category(kids.get("category") or [], language),
        idosell_category(_first(kids, "category_idosell")),
        value(card, "url") if card is not None else None,
        _description_texts(description, "name", language),
        _description_texts(description, "short_desc", language),
        _description_texts(description, "long_desc", language),
        price(_first(kids, "price"), "price"),
        price(_first(kids, "srp"), "srp"),
        price(_first(kids, "strikethrough_retail_price"), "strikethrough_retail_price"),
        sizes(_first(kids, "sizes")),
        images(images_node),
        icon(images_node),
    )


def _description_texts(node: Node | None, name: str, language: str) -> dict[str, str]:
    if node is None or node.kids is None:
        return {}
    found = node.kids.get(name)
    return texts(found, language) if found else {}


def light_product(node: Node, feed: Mapping[str, str]) -> LightProduct:
    """Build a :class:`LightProduct` from a ``light.xml`` ``product`` node."""
    attrs = node.attrs
    kids = node.kids or {}
    return LightProduct(
        id=product_id(node),
        vat=decimal(attrs.get("vat"), "vat"),
        currency=value(attrs, "currency") or value(feed, "currency"),
        price=price(_first(kids, "price"), "price"),
        srp=price(_first(kids, "srp"), "srp"),
        strikethrough_price=price(
            _first(kids, "strikethrough_retail_price"), "strikethrough_retail_price"
        ),
        sizes=sizes(_first(kids, "sizes")),
    )


def identify(node: Node) -> str | None:
    """``product@id`` of a node, for skip records (``None`` when blank or absent)."""
    return value(node.attrs, "id")
