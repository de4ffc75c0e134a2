"""Pure mapping of IOF offer products to SALESmanago v3 catalog products.

>>> from salesmanago_idosell.feeds import iter_offer_products, to_catalog_product
>>> for product in iter_offer_products("full.xml"):  # doctest: +SKIP
...     mapped = to_catalog_product(product, language="pol")

:func:`to_catalog_product` does no I/O and never raises on shop data: a product the catalog
cannot take comes back as a :class:`~salesmanago_idosell.mapping.Skip` with the reason, so a
sync (or the XML preview) reports it and goes on.

==========================================  ===================================================
IOF (``full.xml``)                          SALESmanago v3 product
==========================================  ===================================================
``product@id``                              ``productId``
``description/name`` in ``language``        ``name`` (else the first name given)
category levels (tree by id, else path)     ``categories`` (top 5), ``mainCategory`` (last)
``category@id``                             ``categoryExternalId``
``short_desc`` (else ``long_desc``)         ``description`` (plain text by default)
``card@url``                                ``productUrl``
``images/large/image`` by priority          ``mainImageUrl`` + up to 5 ``imageUrls``
``size@available``, else stock of the size  ``available`` (any size available)
stock of every size                         ``quantity``
``strikethrough_retail_price@gross`` >      ``price`` = strikethrough price,
``price@gross``                             ``discountPrice`` = price
``price@gross`` otherwise (0: no price)     ``price`` (``discountPrice`` cleared)
``producer@name``                           ``systemDetails.brand``
``product@removed``                         ``active`` = False, ``available`` = False
==========================================  ===================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..categories import CategoryTree
from ..mapping import Skip
from ..salesmanago.catalog_models import CatalogProduct, SystemDetails
from .models import NOT_TRACKED, CategoryRef, OfferProduct, Price, Size

__all__ = [
    "MAX_CATEGORIES",
    "MAX_DESCRIPTION",
    "MAX_IMAGES",
    "MAX_NAME",
    "TEMPORARY_CATEGORY_ID",
    "UNCATEGORIZED",
    "UNDEFINED_PRODUCER_ID",
    "to_catalog_product",
]

#: ``mainCategory`` of a product without a category (the SALESmanago SDK's default).
UNCATEGORIZED = "Uncategorized"
#: Categories sent per product (the official WordPress plugin sends at most 5).
MAX_CATEGORIES = 5
#: Additional images sent per product (the official WordPress plugin sends at most 5).
MAX_IMAGES = 5
#: Longer names (and brands) are shortened at a word boundary to this many characters.
MAX_NAME = 255
#: ``productId`` at most this long (API v3 reason code 11, ``max:32``).
MAX_PRODUCT_ID = 32
#: Longer descriptions are shortened at a word boundary to this many characters.
MAX_DESCRIPTION = 2000
#: IdoSell's temporary category ``*Kategoria tymczasowa``: treated as no category.
TEMPORARY_CATEGORY_ID = 0
#: IdoSell's "undefined producer": never sent as a brand.
UNDEFINED_PRODUCER_ID = "0"

_SPACES = re.compile(r"\s+")
_CENT = Decimal("0.01")
_ELLIPSIS = "…"


def to_catalog_product(
    product: OfferProduct,
    *,
    language: str,
    category_tree: CategoryTree | None = None,
    currency: str | None = None,
    max_images: int = MAX_IMAGES,
    max_categories: int = MAX_CATEGORIES,
    max_description: int = MAX_DESCRIPTION,
    html_description: bool = False,
) -> CatalogProduct | Skip:
    """Map one IOF product to a SALESmanago v3 :class:`CatalogProduct`, or a :class:`Skip`.

    Args:
        product: a product from :func:`~salesmanago_idosell.feeds.iter_offer_products`.
        language: the IOF language id of names and descriptions (``"pol"``); a product
            without a text in it falls back to its first text.
        category_tree: resolves the category levels by id (names may contain ``/``); without
            it (or for an id not in it) the IOF path is split on ``/``.
        currency: the catalog's currency; a product priced in another one is skipped.
        max_images: additional images after the main one.
        max_categories: category levels sent, from the top.
        max_description: description length limit (shortened at a word boundary).
        html_description: keep the description's HTML (default: plain text, as the
            WordPress plugin sends it).

    Returns:
        The catalog product, or a ``Skip`` for a product without an id (or one longer than
        SALESmanago's 32 characters), a name (unless removed), a price (unless removed), or
        in another currency.
    """
    problem = _problem(product, language=language, currency=currency)
    if problem is not None:
        return Skip(record=f"product {product.id.strip() or '(no id)'}", reason=problem)
    levels = _category_levels(product.category, category_tree, language=language)
    category_id = product.category.id.strip() if levels and product.category else None
    images = _image_urls(product)
    price, discount = _prices(product)
    return CatalogProduct(
        product_id=product.id.strip(),
        name=_short_text(product.name(language), MAX_NAME),
        main_category=_main_category(levels, removed=product.removed),
        category_external_id=category_id or None,
        categories=levels[: max(max_categories, 0)],
        description=_description(product, language, max_description, html=html_description),
        product_url=_url(product.card_url),
        main_image_url=images[0] if images else None,
        image_urls=images[1 : 1 + max(max_images, 0)],
        available=False if product.removed else _available(product),
        active=not product.removed,
        quantity=_quantity(product),
        price=price,
        discount_price=discount,
        system_details=_system_details(product),
        set_as_null=("discountPrice",) if price is not None and discount is None else (),
    )


def _problem(product: OfferProduct, *, language: str, currency: str | None) -> str | None:
    """Why the product cannot be sent, or ``None``."""
    wrong_id = _id_problem(product.id.strip())
    if wrong_id is not None:
        return wrong_id
    if currency and product.currency and product.currency.strip().upper() != currency.upper():
        return f"product currency {product.currency} is not the catalog currency {currency}"
    if product.removed:
        return None
    if _short_text(product.name(language), MAX_NAME) is None:
        return "product has no name"
    if _prices(product)[0] is None:
        return _no_price(product)
    return None


def _id_problem(product_id: str) -> str | None:
    if not product_id:
        return "product has no id"
    if len(product_id) > MAX_PRODUCT_ID:
        return f"product id longer than {MAX_PRODUCT_ID} characters (SALESmanago's limit)"
    return None


def _no_price(product: OfferProduct) -> str:
    if _zero_priced(product):
        return "product price is 0 (a hidden price): not published"
    return "product has no gross price"


def _clean(text: str | None) -> str | None:
    """Whitespace collapsed and trimmed; ``None`` for blank text."""
    if text is None:
        return None
    return _SPACES.sub(" ", text).strip() or None


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 1, 0)]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + _ELLIPSIS


def _short_text(text: str | None, limit: int) -> str | None:
    cleaned = _clean(text)
    return _shorten(cleaned, limit) if cleaned else None


def _category_levels(
    category: CategoryRef | None, tree: CategoryTree | None, *, language: str
) -> tuple[str, ...]:
    """Category names from the top level down, cleaned and deduplicated."""
    if category is None:
        return ()
    key = category.tree_id
    if key in (TEMPORARY_CATEGORY_ID, ""):
        return ()
    if tree is not None and key in tree:
        names: Sequence[str] = tree.path(key, language)
    else:
        names = category.path.split("/")
    return _unique(_short_text(name, MAX_NAME) for name in names)


def _main_category(levels: tuple[str, ...], *, removed: bool) -> str | None:
    """The deepest level; ``Uncategorized`` if none, except on a removed product (kept)."""
    if levels:
        return levels[-1]
    return None if removed else UNCATEGORIZED


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _url(value: str | None) -> str | None:
    """An absolute http(s) URL with a host (SALESmanago validates URLs), else ``None``."""
    url = (value or "").strip()
    if not url.lower().startswith(("http://", "https://")) or " " in url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url if host else None


def _image_urls(product: OfferProduct) -> tuple[str, ...]:
    """Large images in priority order (the icon if there is none), deduplicated."""
    images = _unique(_url(u) for u in product.images)
    if images:
        return images
    icon = _url(product.icon_url)
    return (icon,) if icon else ()


def _size_available(size: Size) -> bool | None:
    """``size@available`` when given (it wins), else the size's stock; ``None`` if unknown."""
    if size.available is not None:
        return size.available
    levels = [s.quantity for s in size.stocks if s.quantity is not None]
    if not levels:
        return None
    return any(q is NOT_TRACKED or (isinstance(q, Decimal) and q > 0) for q in levels)


def _available(product: OfferProduct) -> bool | None:
    """Any size available; ``None`` when the feed says nothing about any size."""
    known = [a for a in map(_size_available, product.sizes) if a is not None]
    return any(known) if known else None


def _quantity(product: OfferProduct) -> int | None:
    """Sum of the tracked stocks, whole units; ``None`` if unknown or any is untracked.

    A size marked ``available="unavailable"`` counts as 0 whatever its stock says.
    """
    levels = [
        stock.quantity
        for size in product.sizes
        if size.available is not False
        for stock in size.stocks
        if stock.quantity is not None
    ]
    if not levels:
        return 0 if product.sizes and _available(product) is False else None
    if NOT_TRACKED in levels:
        return None
    total = sum((q for q in levels if isinstance(q, Decimal)), Decimal(0))
    return max(int(total.to_integral_value(rounding=ROUND_FLOOR)), 0)


def _money(value: Decimal | None) -> Decimal | None:
    """A gross amount rounded to cents; ``None`` when absent, zero or less, or not finite.

    IdoSell writes a price of 0 for a product whose price is hidden ("price on request");
    publishing it would show the product as free, so 0 counts as no price.
    """
    if value is None or not value.is_finite() or value <= 0:
        return None
    try:
        rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None
    return rounded if rounded > 0 else None


def _zero_priced(product: OfferProduct) -> bool:
    prices = [product.price, *(s.price for s in product.sizes)]
    return any(p is not None and p.gross is not None and p.gross == 0 for p in prices)


def _gross(price: Price | None) -> Decimal | None:
    return _money(price.gross) if price is not None else None


def _paying_size(product: OfferProduct) -> Size | None:
    """The size with the lowest gross price (the "from" price of the product)."""
    priced = [(g, i) for i, s in enumerate(product.sizes) if (g := _gross(s.price)) is not None]
    return product.sizes[min(priced)[1]] if priced else None


def _prices(product: OfferProduct) -> tuple[Decimal | None, Decimal | None]:
    """``(price, discountPrice)`` as the shop shows them.

    The price paid is the product's gross price, else the lowest gross price of its sizes.
    When the shop shows a higher crossed-out price (``strikethrough_retail_price`` of the
    product, else of the cheapest size when that is the price paid), that is ``price`` and
    the price paid is
    ``discountPrice``. The suggested retail price (``srp``) is not a discount.
    """
    cheapest = _paying_size(product)
    paid = _gross(product.price)
    if paid is None and cheapest is not None:
        paid = _gross(cheapest.price)
    crossed = _gross(product.strikethrough_price)
    if crossed is None and cheapest is not None and _gross(cheapest.price) == paid:
        crossed = _gross(cheapest.strikethrough_price)
    if paid is not None and crossed is not None and crossed > paid:
        return crossed, paid
    return paid, None


def _description(product: OfferProduct, language: str, limit: int, *, html: bool) -> str | None:
    """The short description, else the long one; plain text unless ``html``."""
    for text in (product.short_description(language), product.long_description(language)):
        value = _clean(text if html else _plain_text(text))
        if value:
            return _shorten(value, limit)
    return None


def _system_details(product: OfferProduct) -> SystemDetails | None:
    producer = product.producer
    if producer is None or producer.id.strip() == UNDEFINED_PRODUCER_ID:
        return None
    brand = _short_text(producer.name, MAX_NAME)
    return SystemDetails(brand=brand) if brand else None


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment (entities decoded, scripts and styles dropped)."""

    _SKIPPED = frozenset({"script", "style"})
    _INLINE = frozenset(
        {"a", "abbr", "b", "code", "em", "font", "i", "mark", "s", "small", "span", "strong"}
        | {"sub", "sup", "u"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        self._separate(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED and self._skipping:
            self._skipping -= 1
        self._separate(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    def _separate(self, tag: str) -> None:
        """Block elements (paragraphs, list items, line breaks) separate words."""
        if tag not in self._INLINE:
            self.parts.append(" ")


def _plain_text(html: str | None) -> str | None:
    """The text of an HTML fragment, tags removed and entities decoded."""
    if not html:
        return html
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return "".join(extractor.parts)
