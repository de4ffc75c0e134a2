"""Item dict (as xmltodict builds it) -> typed model, written by hand for speed.

Every helper tolerates the shapes xmltodict may produce for odd but well-formed input: an
element given twice where once was expected (first one wins), text where attributes were
expected (ignored), empty elements (``None``). Unknown keys, including every ``iaiext:``
extension, are simply never read. Values that cannot be parsed raise :class:`ItemError`,
which the public functions turn into a positioned ``FeedError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

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
_NO_PRIORITY = float("inf")


class ItemError(ValueError):
    """A value inside one item could not be understood."""


def one(node: Any) -> dict[str, Any]:
    """The element's dict (first one if repeated); ``{}`` for text-only or empty elements."""
    if isinstance(node, list):
        node = node[0] if node else None
    return node if isinstance(node, dict) else {}


def many(node: Any) -> list[Any]:
    """The element as a list (absent -> empty)."""
    if node is None:
        return []
    return node if isinstance(node, list) else [node]


def text(node: Any) -> str | None:
    """An element's text content (``#text``, or the plain string xmltodict gives)."""
    if isinstance(node, dict):
        node = node.get("#text")
    return node if isinstance(node, str) else None


def decimal(value: str | None, what: str, part: str = "") -> Decimal | None:
    """A finite Decimal from ``"12.50"`` or ``"12,50"``; ``None`` when absent.

    ``what`` and ``part`` name the value in the error message (joined only on error).
    """
    if value is None:
        return None
    try:
        number = Decimal(value.replace(",", ".") if "," in value else value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        name = f"{what} {part}" if part else what
        raise ItemError(f"{name} is not a finite number: {value!r}")
    return number


def quantity(value: str | None, what: str, part: str = "") -> Quantity | None:
    """A stock quantity, with ``-1`` as :data:`NOT_TRACKED`."""
    number = decimal(value, what, part)
    if number is not None and number == _MINUS_ONE:
        return NOT_TRACKED
    return number


def parse_datetime(value: str | None, what: str) -> datetime | None:
    """An IOF ``YYYY-MM-DD HH:MM:SS`` (or ISO 8601) date; ``None`` when absent."""
    if value is None or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ItemError(f"{what} is not a date: {value!r}") from None


def required(attrs: Mapping[str, Any], key: str, what: str) -> str:
    """An attribute that must be present."""
    value = attrs.get(key)
    if not isinstance(value, str):
        raise ItemError(f"{what} has no {key.lstrip('@')} attribute")
    return value


def price(node: Any, what: str) -> Price | None:
    """A ``gross``/``net`` pair; ``None`` when absent or carrying neither value."""
    if node is None:
        return None
    attrs = one(node)
    gross = decimal(attrs.get("@gross"), what, "gross")
    net = decimal(attrs.get("@net"), what, "net")
    if gross is None and net is None:
        return None
    return Price(gross=gross, net=net)


def stock(node: Any) -> Stock:
    """One ``stock`` element of a size."""
    attrs = one(node)
    warehouse = required(attrs, "@id", "a stock")
    return Stock(
        warehouse_id=warehouse,
        quantity=quantity(attrs.get("@quantity"), "stock", "quantity"),
        available_quantity=quantity(attrs.get("@available_stock_quantity"), "stock", "available"),
    )


def size(node: Any) -> Size:
    """One ``size`` element with its prices and stocks."""
    attrs = one(node)
    size_id = required(attrs, "@id", "a size")
    return Size(
        id=size_id,
        name=attrs.get("@name"),
        code=attrs.get("@code"),
        producer_code=attrs.get("@code_producer"),
        external_code=attrs.get("@iaiext:code_external"),
        weight=decimal(attrs.get("@weight"), "size weight"),
        price=price(attrs.get("price"), "size price"),
        srp=price(attrs.get("srp"), "size srp"),
        stocks=tuple(stock(s) for s in many(attrs.get("stock"))),
    )


def sizes(node: Any) -> tuple[Size, ...]:
    """The sizes of a product (``sizes/size``)."""
    return tuple(size(s) for s in many(one(node).get("size")))


def texts(nodes: Any, default_language: str) -> dict[str, str]:
    """Texts by ``xml:lang`` in feed order; a text without ``type`` beats a typed one."""
    found: dict[str, str] = {}
    typed: set[str] = set()
    for node in many(nodes):
        value = text(node)
        if value is None:
            continue
        attrs = node if isinstance(node, dict) else {}
        language = attrs.get("@xml:lang") or default_language
        is_typed = "@type" in attrs
        if language not in found or (language in typed and not is_typed):
            found[language] = value
            if is_typed:
                typed.add(language)
            else:
                typed.discard(language)
    return found


def images(node: Any) -> tuple[str, ...]:
    """Large image URLs ordered by ``iaiext:priority`` (then feed order)."""
    ranked: list[tuple[float, int, str]] = []
    for index, image in enumerate(many(one(one(node).get("large")).get("image"))):
        attrs = one(image)
        url = attrs.get("@url")
        if isinstance(url, str):
            ranked.append((_priority(attrs.get("@iaiext:priority")), index, url))
    return tuple(url for _, _, url in sorted(ranked))


def _priority(value: str | None) -> float:
    try:
        return int(value) if value is not None else _NO_PRIORITY
    except ValueError:
        return _NO_PRIORITY


def product_type(value: str | None) -> ProductType | str | None:
    """A known :class:`ProductType`, else the stripped raw text."""
    if value is None:
        return None
    value = value.strip()
    return _PRODUCT_TYPES.get(value.lower(), value)


def producer(node: Any) -> Producer | None:
    """The producer (brand)."""
    if node is None:
        return None
    attrs = one(node)
    return Producer(id=required(attrs, "@id", "the producer"), name=attrs.get("@name"))


def category(node: Any) -> CategoryRef | None:
    """The panel category: id (an integer) and the name path as given."""
    if node is None:
        return None
    attrs = one(node)
    raw_id = required(attrs, "@id", "the category")
    try:
        category_id = int(raw_id)
    except ValueError:
        raise ItemError(f"category id is not an integer: {raw_id!r}") from None
    return CategoryRef(id=category_id, path=attrs.get("@name") or "")


def idosell_category(node: Any) -> IdosellCategoryRef | None:
    """The IdoSell taxonomy node."""
    if node is None:
        return None
    attrs = one(node)
    node_id = required(attrs, "@id", "category_idosell")
    return IdosellCategoryRef(id=node_id, path=attrs.get("@path") or "")


def offer_product(item: Any, feed: Mapping[str, str]) -> OfferProduct:
    """Build an :class:`OfferProduct` from a ``product`` dict and its ``products`` attributes."""
    attrs = one(item)
    product_id = required(attrs, "@id", "the product")
    language = feed.get("language") or ""
    description = one(attrs.get("description"))
    return OfferProduct(
        id=product_id,
        type=product_type(attrs.get("@type")),
        vat=decimal(attrs.get("@vat"), "vat"),
        currency=attrs.get("@currency") or feed.get("currency"),
        removed=(attrs.get("@removed") or "").strip().lower() in ("yes", "y"),
        code_on_card=attrs.get("@code_on_card"),
        producer=producer(attrs.get("producer")),
        category=category(attrs.get("category")),
        idosell_category=idosell_category(attrs.get("category_idosell")),
        card_url=one(attrs.get("card")).get("@url"),
        names=texts(description.get("name"), language),
        short_descriptions=texts(description.get("short_desc"), language),
        long_descriptions=texts(description.get("long_desc"), language),
        price=price(attrs.get("price"), "price"),
        srp=price(attrs.get("srp"), "srp"),
        sizes=sizes(attrs.get("sizes")),
        images=images(attrs.get("images")),
        icon_url=one(one(one(attrs.get("images")).get("icons")).get("icon")).get("@url"),
    )


def light_product(item: Any, feed: Mapping[str, str]) -> LightProduct:
    """Build a :class:`LightProduct` from a ``light.xml`` ``product`` dict."""
    attrs = one(item)
    return LightProduct(
        id=required(attrs, "@id", "the product"),
        vat=decimal(attrs.get("@vat"), "vat"),
        currency=attrs.get("@currency") or feed.get("currency"),
        price=price(attrs.get("price"), "price"),
        srp=price(attrs.get("srp"), "srp"),
        sizes=sizes(attrs.get("sizes")),
    )
