"""Typed models of SALESmanago API v3 product catalogs and products."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from attrs import field, frozen

from ..errors import V3Problem
from .models import _tuple

__all__ = [
    "Catalog",
    "CatalogProduct",
    "CatalogUpsertResult",
    "CustomDetails",
    "PriceUpdate",
    "ProductUpsertResult",
    "SystemDetails",
]


def _problems(value: Iterable[V3Problem]) -> tuple[V3Problem, ...]:
    return tuple(value)


@frozen(kw_only=True)
class Catalog:
    """A product catalog (``/v3/product/catalogList``)."""

    catalog_id: str
    name: str
    currency: str | None = None
    location: str | None = None
    set_as_default: bool = False


@frozen
class CatalogUpsertResult:
    """The answer to a catalog create/update."""

    catalog_id: str
    request_id: str | None = None


@frozen(kw_only=True)
class SystemDetails:
    """The product's ``systemDetails`` (brand, manufacturer, ...)."""

    brand: str | None = None
    manufacturer: str | None = None
    popularity: int | None = None
    gender: int | None = None
    season: str | None = None
    color: str | None = None
    bestseller: bool | None = None
    new_product: bool | None = None


@frozen(kw_only=True)
class CustomDetails:
    """The product's ``customDetails`` (``detail1`` ... ``detail5``)."""

    detail1: str | None = None
    detail2: str | None = None
    detail3: str | None = None
    detail4: str | None = None
    detail5: str | None = None


@frozen(kw_only=True)
class CatalogProduct:
    """One product of a SALESmanago v3 catalog.

    ``None`` fields are not sent (the API keeps its stored value); list a field name in
    ``set_as_null`` to clear it.
    """

    product_id: str
    name: str | None = None
    main_category: str | None = None
    category_external_id: str | None = None
    categories: tuple[str, ...] = field(default=(), converter=_tuple)
    description: str | None = None
    product_url: str | None = None
    main_image_url: str | None = None
    image_urls: tuple[str, ...] = field(default=(), converter=_tuple)
    available: bool | None = None
    active: bool | None = None
    quantity: int | None = None
    price: Decimal | None = None
    discount_price: Decimal | None = None
    system_details: SystemDetails | None = None
    custom_details: CustomDetails | None = None
    set_as_null: tuple[str, ...] = field(default=(), converter=_tuple)


@frozen(kw_only=True)
class PriceUpdate:
    """A price change for one product (``/v3/product/updatePrice``)."""

    product_id: str
    price: Decimal
    discount_price: Decimal | None = None


@frozen
class ProductUpsertResult:
    """The merged answer of a chunked product write.

    Attributes:
        request_ids: the API's request id per chunk (processing is asynchronous).
        product_ids: the product ids the API accepted.
        warnings: reason-code-12 problems (data trimmed): accepted, but not stored whole.
    """

    request_ids: tuple[str, ...]
    product_ids: tuple[str, ...] = ()
    warnings: tuple[V3Problem, ...] = field(default=(), converter=_problems)
