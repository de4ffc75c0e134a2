"""Test helper: render feed models back into IOF 3.0 XML (the inverse of the parser).

Options exercise what the parser must tolerate: free element order (``rng`` shuffles the
children of every element), unknown elements and ``iaiext:`` extensions anywhere (``noise``),
comma decimals, CDATA, and IOF elements in a default or prefixed IOF namespace.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from attrs import frozen

from salesmanago_idosell.feeds import NOT_TRACKED, OfferProduct, Price, Quantity, Size, Stock

_AVAILABLE = {True: "available", False: "unavailable"}
IOF_NS = "http://www.iai-shop.com/developers/iof.phtml"
IAIEXT_NS = "http://www.iai-shop.com/developers/iof/extensions.phtml"

_NOISE = (
    '<iaiext:navigation><iaiext:site id="1"><iaiext:menu id="1"/></iaiext:site>'
    "</iaiext:navigation>",
    '<parameters><parameter id="1" name="Kolor"><value id="2" name="red"/></parameter>'
    "</parameters>",
    '<unknown_element attr="x">text<nested price="1"/></unknown_element>',
    '<ext:thing xmlns:ext="urn:other" ext:a="1"><name xml:lang="pol">not a name</name></ext:thing>',
    "<!-- a comment -->",
    "<?processing instruction?>",
)


@frozen(kw_only=True)
class Style:
    """How to render: the knobs the parser must be indifferent to."""

    rng: random.Random | None = None
    noise: bool = False
    comma: bool = False
    cdata: bool = True
    namespace: str = "none"  # "none" | "default" | "prefixed"
    blank: bool = False  # write absent attributes as blank ones (``vat=""``, ``id="  "``)


def offer_xml(
    products: Iterable[OfferProduct],
    *,
    style: Style = Style(),
    language: str = "pol",
    currency: str = "PLN",
    version: str = "3.0",
) -> bytes:
    """A complete ``full.xml`` document holding ``products``."""
    body = "".join(_product(p, style) for p in products)
    return _document("products", body, style, language=language, currency=currency, version=version)


def _document(
    container: str, body: str, style: Style, *, language: str, currency: str, version: str
) -> bytes:
    p = _prefix(style)
    xmlns = {"none": "", "default": f' xmlns="{IOF_NS}"', "prefixed": f' xmlns:iof="{IOF_NS}"'}
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{p}offer file_format="IOF" version="{version}" extensions="yes"'
        f'{xmlns[style.namespace]} xmlns:iaiext="{IAIEXT_NS}">\n'
    )
    noise = _noise(style)
    inner = f'<{p}{container} currency="{currency}" language="{language}">{body}{noise}'
    return (head + noise + inner + f"</{p}{container}></{p}offer>\n").encode()


def _prefix(style: Style) -> str:
    return "iof:" if style.namespace == "prefixed" else ""


def _noise(style: Style) -> str:
    if not style.noise or style.rng is None:
        return ""
    return style.rng.choice(_NOISE)


def _element(style: Style, name: str, attrs: Mapping[str, object], children: Sequence[str]) -> str:
    """One element; children shuffled and salted with noise as the style asks."""
    parts = [c for c in children if c]
    if style.noise and style.rng is not None:
        parts.append(_noise(style))
    if style.rng is not None:
        _shuffle(parts, style.rng)
    tag = name if name.startswith("iaiext:") else _prefix(style) + name
    rendered = "".join(
        f" {k}={quoteattr(str(v) if v is not None else _blank(style))}"
        for k, v in attrs.items()
        if v is not None or (style.blank and style.rng is not None and not k.startswith("xml"))
    )
    if not parts:
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{''.join(parts)}</{tag}>"


def _blank(style: Style) -> str:
    """A blank attribute value: empty or whitespace only."""
    return style.rng.choice(["", " ", "\t  "]) if style.rng is not None else ""


def _shuffle(parts: list[str], rng: random.Random) -> None:
    """Shuffle the kinds of children; siblings of one name keep their relative order."""
    keys: dict[str, float] = {}

    def key(part: str) -> float:
        match = re.match(r"<([^\s/>]+)", part)
        return keys.setdefault(match.group(1) if match else part, rng.random())

    parts.sort(key=key)


def _number(value: Decimal | None, style: Style) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text.replace(".", ",") if style.comma else text


def _quantity(value: Quantity | None, style: Style) -> str | None:
    if value is None:
        return None
    return "-1" if value is NOT_TRACKED else _number(value, style)


def _text(value: str, style: Style) -> str:
    if style.cdata and "]]>" not in value and "\r" not in value:
        return f"<![CDATA[{value}]]>"
    return escape(value, {"\r": "&#13;"})


def _price(name: str, price: Price | None, style: Style) -> str:
    if price is None:
        return ""
    attrs = {"gross": _number(price.gross, style), "net": _number(price.net, style)}
    return _element(style, name, attrs, [])


def _stock(stock: Stock, style: Style) -> str:
    attrs = {
        "id": stock.warehouse_id,
        "quantity": _quantity(stock.quantity, style),
        "available_stock_quantity": _quantity(stock.available_quantity, style),
    }
    return _element(style, "stock", attrs, [])


def _size(size: Size, style: Style) -> str:
    attrs = {
        "id": size.id,
        "name": size.name,
        "code": size.code,
        "code_producer": size.producer_code,
        "iaiext:code_external": size.external_code,
        "weight": _number(size.weight, style),
        "available": None if size.available is None else _AVAILABLE[size.available],
    }
    children = [_price("price", size.price, style), _price("srp", size.srp, style)]
    children.append(_price("strikethrough_retail_price", size.strikethrough_price, style))
    children += [_stock(s, style) for s in size.stocks]
    return _element(style, "size", attrs, children)


def _texts(name: str, texts: Mapping[str, str], style: Style) -> list[str]:
    p = _prefix(style)
    return [
        f'<{p}{name} xml:lang="{lang}">{_text(value, style)}</{p}{name}>'
        for lang, value in texts.items()
    ]


def _images(product: OfferProduct, style: Style) -> str:
    if not product.images and product.icon_url is None:
        return ""
    large = [
        _element(style, "image", {"url": url, "iaiext:priority": rank}, [])
        for rank, url in enumerate(product.images, start=1)
    ]
    icon = _element(style, "icon", {"url": product.icon_url}, []) if product.icon_url else ""
    children = [_element(style, "large", {}, large)] if large else []
    children += [_element(style, "icons", {}, [icon])] if icon else []
    return _element(style, "images", {}, children)


def _product(product: OfferProduct, style: Style) -> str:
    attrs = {
        "id": product.id,
        "type": getattr(product.type, "value", product.type),
        "vat": _number(product.vat, style),
        "currency": product.currency,
        "code_on_card": product.code_on_card,
        "removed": "yes" if product.removed else None,
    }
    return _element(style, "product", attrs, _product_children(product, style))


def _product_children(product: OfferProduct, style: Style) -> list[str]:
    description = _texts("name", product.names, style)
    description += _texts("short_desc", product.short_descriptions, style)
    description += _texts("long_desc", product.long_descriptions, style)
    children = [_price("price", product.price, style), _price("srp", product.srp, style)]
    children.append(_price("strikethrough_retail_price", product.strikethrough_price, style))
    if product.producer is not None:
        producer = {"id": product.producer.id, "name": product.producer.name}
        children.append(_element(style, "producer", producer, []))
    if product.category is not None:
        category = {"id": product.category.id, "name": product.category.path}
        children.append(_element(style, "category", category, []))
    if product.idosell_category is not None:
        node = {"id": product.idosell_category.id, "path": product.idosell_category.path}
        children.append(_element(style, "category_idosell", node, []))
    if product.card_url is not None:
        children.append(_element(style, "card", {"url": product.card_url}, []))
    if description:
        children.append(_element(style, "description", {}, description))
    if product.sizes:
        sizes = [_size(s, style) for s in product.sizes]
        children.append(_element(style, "sizes", {"iaiext:group_id": 1}, sizes))
    children.append(_images(product, style))
    return children
