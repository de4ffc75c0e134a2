"""Typed models of the IOF 3.0 offer files (``full.xml``, ``light.xml``, ``gateway.xml``).

The models hold values, never wire text: numbers are :class:`~decimal.Decimal` (comma decimals
are accepted by the parser), dates are naive :class:`~datetime.datetime` (IOF dates carry no
time zone), closed sets are enums, and the ``quantity="-1"`` stock sentinel is the explicit
:data:`NOT_TRACKED` marker, never a negative number.

Texts per language (names, descriptions) are mappings from the ``xml:lang`` code (``"pol"``,
``"eng"``, ...) to the text; a text without ``xml:lang`` is filed under the feed's language
(``products@language``), or ``""`` when the feed does not name one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum

from attrs import field, frozen

__all__ = [
    "NOT_TRACKED",
    "CategoryRef",
    "FeedFile",
    "FeedSkip",
    "Gateway",
    "IdosellCategoryRef",
    "LightProduct",
    "NotTracked",
    "OfferProduct",
    "Price",
    "Producer",
    "ProductType",
    "Quantity",
    "Size",
    "Stock",
]


class NotTracked(Enum):
    """Marker for IOF's ``quantity="-1"``: the shop does not track this stock level."""

    NOT_TRACKED = "not tracked"

    def __repr__(self) -> str:
        return "NOT_TRACKED"


NOT_TRACKED = NotTracked.NOT_TRACKED
"""The only :class:`NotTracked` value (``quantity="-1"`` in the feed)."""

Quantity = Decimal | NotTracked
"""A stock quantity: a number, or :data:`NOT_TRACKED` for IOF's ``-1`` sentinel."""


class ProductType(str, Enum):
    """The IOF product types (``product@type``)."""

    REGULAR = "regular"
    PACKAGING = "packaging"
    VIRTUAL = "virtual"
    BUNDLE = "bundle"
    COLLECTION = "collection"
    SERVICE = "service"


@frozen(kw_only=True)
class Price:
    """A gross/net price pair (``price``, ``srp``, ...); either side may be absent."""

    gross: Decimal | None = None
    net: Decimal | None = None


@frozen(kw_only=True)
class Stock:
    """The stock level of one size in one warehouse.

    Attributes:
        warehouse_id: ``stock@id`` (``"0"`` is warehouse M0, ``"1"`` is M1, ...).
        quantity: the quantity, :data:`NOT_TRACKED` for ``-1``, or ``None`` when absent.
        available_quantity: ``available_stock_quantity``, same conventions.
    """

    warehouse_id: str
    quantity: Quantity | None = None
    available_quantity: Quantity | None = None

    @property
    def tracked(self) -> bool:
        """True when the shop reports a real quantity for this warehouse."""
        return isinstance(self.quantity, Decimal)


@frozen(kw_only=True)
class Size:
    """One size (variant) of a product, with its codes, price and stock levels.

    Attributes:
        id: ``size@id`` (a string: may be non-numeric, e.g. ``"uniw"``).
        name: the size name shown in the shop (``"XL"``).
        code: IdoSell's unique size code (``size@code``).
        producer_code: ``code_producer``: EAN/GTIN or the producer's code.
        external_code: ``iaiext:code_external``.
        weight: ``size@weight`` as given (grams in the samples).
        price: the size's own price, if any.
        srp: the size's suggested retail price, if any.
        strikethrough_price: the size's crossed-out retail price
            (``strikethrough_retail_price``), if any.
        available: ``size@available`` (written by marketplace and price-comparison exports):
            ``False`` for ``unavailable`` (also ``no``, ``n``, ``false``, ``0``), ``True`` for
            any other value (``available``, ``order``, ...), ``None`` when absent.
        stocks: stock levels by warehouse, in feed order.
    """

    id: str | None = None
    name: str | None = None
    code: str | None = None
    producer_code: str | None = None
    external_code: str | None = None
    weight: Decimal | None = None
    price: Price | None = None
    srp: Price | None = None
    strikethrough_price: Price | None = None
    available: bool | None = None
    stocks: tuple[Stock, ...] = ()

    @property
    def total_quantity(self) -> Quantity | None:
        """Sum of the tracked quantities; :data:`NOT_TRACKED` if any warehouse is untracked.

        ``None`` when the size has no stock level with a quantity.
        """
        quantities = [s.quantity for s in self.stocks if s.quantity is not None]
        if not quantities:
            return None
        if NOT_TRACKED in quantities:
            return NOT_TRACKED
        return sum((q for q in quantities if isinstance(q, Decimal)), Decimal(0))


@frozen(kw_only=True)
class Producer:
    """The product's producer (brand); id ``"0"`` is IdoSell's "undefined producer"."""

    id: str
    name: str | None = None


@frozen(kw_only=True)
class CategoryRef:
    """The product's panel category.

    Attributes:
        id: the category id as the feed gives it (a string in the XSD; IdoSell writes
            numbers). :attr:`tree_id` is the key into a
            :class:`~salesmanago_idosell.CategoryTree`.
        path: the full name path exactly as the feed gives it (``"Odzież/Kurtki"``). Names
            may themselves contain ``/``, so resolve levels through the tree by ``id``
            rather than splitting this string.
        language: the ``xml:lang`` of the chosen ``category`` element, if it has one.
    """

    id: str
    path: str
    language: str | None = None

    @property
    def tree_id(self) -> int | str:
        """The id as a :class:`~salesmanago_idosell.CategoryTree` key (an int when numeric)."""
        return _tree_id(self.id)


def _tree_id(raw: str) -> int | str:
    text = raw.strip()
    return int(text) if text.isdecimal() and text.isascii() else text


@frozen(kw_only=True)
class IdosellCategoryRef:
    """The product's place in IdoSell's own taxonomy (``category_idosell``).

    Attributes:
        id: the taxonomy node id.
        path: the path as given, levels joined with ``" > "``.
    """

    id: str
    path: str

    @property
    def levels(self) -> tuple[str, ...]:
        """The path split on ``" > "``."""
        return tuple(self.path.split(" > ")) if self.path else ()


@frozen(kw_only=True)
class OfferProduct:
    """One ``product`` of an IOF ``full.xml`` (or ``full_change*.xml``) file.

    Attributes:
        id: ``product@id``.
        type: a :class:`ProductType`, or the raw (stripped) text for a type this SDK does
            not know yet.
        vat: VAT rate in percent (``Decimal("23.0")``).
        currency: the product's currency, else the feed's (``products@currency``).
        removed: True when the feed marks the product deleted (``removed="yes"``).
        code_on_card: the code shown on the product card.
        producer: producer (brand), if given.
        category: panel category (id + name path), if given.
        idosell_category: IdoSell taxonomy node, if given.
        card_url: the product page URL.
        names: product names by language.
        short_descriptions: short descriptions by language.
        long_descriptions: long descriptions (HTML) by language.
        price: the product price.
        srp: suggested retail price.
        strikethrough_price: the crossed-out retail price the shop shows
            (``strikethrough_retail_price``), if any.
        sizes: sizes with their codes, prices and stock levels.
        images: large image URLs in priority order (``iaiext:priority``, then feed order).
        icon_url: the product icon URL, if any.
    """

    id: str
    type: ProductType | str | None = None
    vat: Decimal | None = None
    currency: str | None = None
    removed: bool = False
    code_on_card: str | None = None
    producer: Producer | None = None
    category: CategoryRef | None = None
    idosell_category: IdosellCategoryRef | None = None
    card_url: str | None = None
    names: Mapping[str, str] = field(factory=dict)
    short_descriptions: Mapping[str, str] = field(factory=dict)
    long_descriptions: Mapping[str, str] = field(factory=dict)
    price: Price | None = None
    srp: Price | None = None
    strikethrough_price: Price | None = None
    sizes: tuple[Size, ...] = ()
    images: tuple[str, ...] = ()
    icon_url: str | None = None

    def name(self, language: str | None = None) -> str | None:
        """The name in ``language``, else the first name given (``None`` if there is none)."""
        return _pick(self.names, language)

    def short_description(self, language: str | None = None) -> str | None:
        """The short description in ``language``, else the first one given."""
        return _pick(self.short_descriptions, language)

    def long_description(self, language: str | None = None) -> str | None:
        """The long description in ``language``, else the first one given."""
        return _pick(self.long_descriptions, language)


def _pick(texts: Mapping[str, str], language: str | None) -> str | None:
    if language is not None and language in texts:
        return texts[language]
    return next(iter(texts.values()), None)


@frozen(kw_only=True)
class LightProduct:
    """One ``product`` of an IOF ``light.xml`` file: current prices and stock per size."""

    id: str
    vat: Decimal | None = None
    currency: str | None = None
    price: Price | None = None
    srp: Price | None = None
    strikethrough_price: Price | None = None
    sizes: tuple[Size, ...] = ()


@frozen(kw_only=True)
class FeedSkip:
    """A product the parser could not read; the stream went on without it.

    Attributes:
        id: ``product@id`` (``None`` when the product has none).
        line: the line where the product starts.
        reason: what could not be read (``"vat is not a finite number: 'abc'"``).
    """

    id: str | None
    line: int
    reason: str

    @property
    def record(self) -> str:
        """``"product <id> (line <n>)"``, for reports."""
        return f"product {self.id or '(no id)'} (line {self.line})"


@frozen(kw_only=True)
class FeedFile:
    """One file listed in ``gateway.xml``.

    The URL carries the shop's export token (a credential), so it is kept out of ``repr``.

    Attributes:
        kind: the element name (``"full"``, ``"light"``, ``"categories"``, ...) or
            ``"change"`` for a differential ``full_change*`` file.
        url: the download URL (secret: contains a token).
        hash: the file's hash, to skip unchanged downloads.
        changed: when the file last changed.
        changes: for ``full``: its differential files, in gateway order.
    """

    kind: str
    url: str = field(repr=False)
    hash: str | None = None
    changed: datetime | None = None
    changes: tuple[FeedFile, ...] = ()


@frozen(kw_only=True)
class Gateway:
    """The content of ``gateway.xml``: the files of one IOF offer.

    Attributes:
        generated: when the gateway was generated.
        shop_name: ``meta/long_name``.
        files: the listed files by kind (``"full"``, ``"light"``, ``"categories"``, ...).
    """

    generated: datetime | None = None
    shop_name: str | None = None
    files: Mapping[str, FeedFile] = field(factory=dict)

    @property
    def full(self) -> FeedFile | None:
        """The ``full`` file entry (with its differential ``changes``)."""
        return self.files.get("full")

    @property
    def light(self) -> FeedFile | None:
        """The ``light`` file entry."""
        return self.files.get("light")
