"""SALESmanago API v3 product catalogs and products.

Every call sends the ``API-KEY`` header to ``https://api.salesmanago.com``. Product writes are
chunked to 100 products per request (the API maximum) and processed asynchronously by the
API (each chunk returns a ``requestId``). Reason code 12 (data trimmed) is a warning returned
in the result, not an exception; any other reason code raises
:class:`~salesmanago_idosell.errors.SalesmanagoV3APIError` naming the offending fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cattrs import Converter

from .._chunks import chunked
from ..errors import ResponseValidationError, V3Problem, ValidationError
from ._calls import TimeoutArg, V3Caller
from .catalog_models import (
    Catalog,
    CatalogProduct,
    CatalogUpsertResult,
    PriceUpdate,
    ProductUpsertResult,
)

__all__ = ["PRODUCTS_MAX", "CatalogsAPI", "ProductsAPI"]

PRODUCTS_MAX = 100


class CatalogsAPI:
    """Product catalogs (``client.catalogs``; needs ``api_v3_key``)."""

    def __init__(self, call: V3Caller, converter: Converter) -> None:
        self._call = call
        self._converter = converter

    def list(self, *, timeout: TimeoutArg = None) -> list[Catalog]:
        """All catalogs of the account (``GET /v3/product/catalogList``)."""
        answer, _ = self._call("GET", "/v3/product/catalogList", idempotent=True, timeout=timeout)
        return [self._converter.structure(c, Catalog) for c in answer.get("catalogs") or ()]

    def upsert(
        self,
        *,
        name: str,
        currency: str,
        location: str,
        set_as_default: bool = False,
        catalog_id: str | None = None,
        timeout: TimeoutArg = None,
    ) -> CatalogUpsertResult:
        """Create a catalog, or update it when ``catalog_id`` is given.

        Creating is not retried after the request may have reached the server (a repeat
        would create a second catalog); updating is.
        """
        if not name.strip():
            raise ValidationError("catalog name must not be empty", field="name")
        if len(currency) != 3 or not currency.isalpha():
            raise ValidationError("currency must be an ISO 4217 code", field="currency")
        body: dict[str, Any] = {
            "name": name.strip(),
            "currency": currency.upper(),
            "location": location,
            "setAsDefault": set_as_default,
        }
        if catalog_id:
            body["catalogId"] = catalog_id
        answer, _ = self._call(
            "POST",
            "/v3/product/catalogUpsert",
            body,
            idempotent=catalog_id is not None,
            timeout=timeout,
        )
        if not answer.get("catalogId"):
            raise ResponseValidationError(
                "catalogUpsert answered without catalogId", endpoint="/v3/product/catalogUpsert"
            )
        request_id = answer.get("requestId")
        return CatalogUpsertResult(
            catalog_id=str(answer["catalogId"]),
            request_id=str(request_id) if request_id is not None else None,
        )

    def delete(self, catalog_id: str) -> None:
        """Delete a catalog (``POST /v3/product/catalogDelete``)."""
        if not catalog_id:
            raise ValidationError("catalog_id must not be empty", field="catalog_id")
        self._call("POST", "/v3/product/catalogDelete", {"catalogId": catalog_id}, idempotent=True)


class ProductsAPI:
    """Products of a catalog (``client.products``; needs ``api_v3_key``)."""

    def __init__(self, call: V3Caller, converter: Converter) -> None:
        self._call = call
        self._converter = converter

    def upsert(
        self,
        catalog_id: str,
        products: Iterable[CatalogProduct],
        *,
        chunk_size: int = PRODUCTS_MAX,
    ) -> ProductUpsertResult:
        """Create or update products (``POST /v3/product/upsert``, 100 per request)."""
        items = [self._converter.unstructure(p) for p in products]
        return self._send("/v3/product/upsert", catalog_id, items, chunk_size)

    def update_quantity(
        self, catalog_id: str, quantities: Mapping[str, int], *, chunk_size: int = PRODUCTS_MAX
    ) -> ProductUpsertResult:
        """Set stock quantities by product id (``POST /v3/product/updateQuantity``)."""
        items = [{"productId": pid, "quantity": qty} for pid, qty in quantities.items()]
        return self._send("/v3/product/updateQuantity", catalog_id, items, chunk_size)

    def update_price(
        self, catalog_id: str, prices: Iterable[PriceUpdate], *, chunk_size: int = PRODUCTS_MAX
    ) -> ProductUpsertResult:
        """Set prices by product id (``POST /v3/product/updatePrice``)."""
        items = [self._converter.unstructure(p) for p in prices]
        return self._send("/v3/product/updatePrice", catalog_id, items, chunk_size)

    def _send(
        self, path: str, catalog_id: str, items: list[dict[str, Any]], chunk_size: int
    ) -> ProductUpsertResult:
        if not catalog_id:
            raise ValidationError("catalog_id must not be empty", field="catalog_id")
        if not 1 <= chunk_size <= PRODUCTS_MAX:
            raise ValidationError(f"chunk_size must be 1..{PRODUCTS_MAX}", field="chunk_size")
        missing = [i for i, item in enumerate(items) if not item.get("productId")]
        if missing:
            raise ValidationError(f"products {missing} have no product_id", field="product_id")
        request_ids: list[str] = []
        product_ids: list[str] = []
        warnings: list[V3Problem] = []
        for chunk in chunked(items, chunk_size):
            body = {"catalogId": catalog_id, "products": chunk}
            answer, chunk_warnings = self._call("POST", path, body, idempotent=True)
            if answer.get("requestId") is not None:
                request_ids.append(str(answer["requestId"]))
            product_ids.extend(str(p) for p in answer.get("productIds") or ())
            warnings.extend(chunk_warnings)
        return ProductUpsertResult(
            request_ids=tuple(request_ids), product_ids=tuple(product_ids), warnings=warnings
        )
