"""The fake SALESmanago's API v3 product catalog methods (``API-KEY`` header auth).

Errors: request-level ``{"reasonCode": n, "messages": [...]}`` and item-level
``{"problems": [{"reasonCode": n, "message": "field|rule|text"}]}`` with HTTP 400; reason
code 12 ("data trimmed") is a warning returned with HTTP 200 next to the normal answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._http import Response
from ._sm_records import Catalog

if TYPE_CHECKING:
    from .salesmanago import FakeSalesmanago

__all__ = ["ROUTES", "V3Error"]

MAX_PRODUCTS = 100
PRODUCT_ID_MAX = 32
NAME_MAX = 255
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LOCATION = re.compile(r"^[A-Za-z0-9/_.\-]{1,36}$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


class V3Error(Exception):
    """A request-level v3 error (``reasonCode`` + ``messages``)."""

    def __init__(self, reason: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.reason, self.message, self.status = reason, message, status

    def response(self) -> Response:
        """The error answer."""
        return Response(self.status, {"reasonCode": self.reason, "messages": [self.message]})


def _problem(reason: int, message: str) -> dict[str, Any]:
    return {"reasonCode": reason, "message": message}


def _catalog(fake: FakeSalesmanago, body: dict[str, Any]) -> Catalog:
    catalog_id = body.get("catalogId")
    if not catalog_id:
        raise V3Error(13, "catalogId|required|Missing required field")
    catalog = fake.catalogs.get(str(catalog_id))
    if catalog is None:
        raise V3Error(16, f"catalogId|{catalog_id}|Identifier not found")
    return catalog


def catalog_list(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``GET /v3/product/catalogList``."""
    catalogs = [c.as_json() for c in fake.catalogs.values()]
    return Response(200, {"catalogs": catalogs, "limits": {"max": fake.catalog_limit}})


def catalog_upsert(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``POST /v3/product/catalogUpsert``: create, or update with ``catalogId``."""
    name, currency = body.get("name"), body.get("currency")
    location = body.get("location")
    if not name:
        raise V3Error(13, "name|required|Missing required field")
    if len(str(name)) > NAME_MAX:
        raise V3Error(11, f"name|max:{NAME_MAX}|Field exceeds limit")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise V3Error(18, "currency|ISO 4217|Value does not match the required format")
    if not isinstance(location, str) or not _LOCATION.match(location):
        raise V3Error(18, "location|^[A-Za-z0-9/_.-]{1,36}$|Wrong location")
    if body.get("catalogId"):
        catalog = _catalog(fake, body)
    elif len(fake.catalogs) >= fake.catalog_limit:
        raise V3Error(19, f"catalogs|max:{fake.catalog_limit}|Above available limit")
    else:
        catalog = Catalog(fake.new_id(), "", "", "")
        fake.catalogs[catalog.catalog_id] = catalog
    catalog.name, catalog.currency, catalog.location = str(name), currency, location
    catalog.set_as_default = bool(body.get("setAsDefault", False))
    return Response(200, {"requestId": fake.new_id(), "catalogId": catalog.catalog_id})


def catalog_delete(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``POST /v3/product/catalogDelete``."""
    catalog = _catalog(fake, body)
    del fake.catalogs[catalog.catalog_id]
    return Response(200, {"requestId": fake.new_id(), "catalogId": catalog.catalog_id})


def _products(body: dict[str, Any]) -> list[Any]:
    products = body.get("products")
    if not isinstance(products, list) or not products:
        raise V3Error(13, "products|required|Missing required field")
    if len(products) > MAX_PRODUCTS:
        raise V3Error(19, f"products|max:{MAX_PRODUCTS}|Above available limit")
    return products


def _check_product(index: int, product: Any) -> list[dict[str, Any]]:
    where = f"products[{index}]"
    if not isinstance(product, dict) or not product.get("productId"):
        return [_problem(13, f"{where}.productId|required|Missing required field")]
    problems = []
    if len(str(product["productId"])) > PRODUCT_ID_MAX:
        problems.append(_problem(11, f"{where}.productId|max:{PRODUCT_ID_MAX}|Exceeds limit"))
    for key in ("price", "discountPrice", "quantity"):
        value = product.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(_problem(14, f"{where}.{key}:number|Wrong type"))
    urls = [product.get("productUrl"), product.get("mainImageUrl"), *product.get("imageUrls", [])]
    if any(u is not None and not _URL.match(str(u)) for u in urls):
        problems.append(_problem(18, f"{where}.productUrl|url|Invalid URL"))
    return problems


def product_upsert(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``POST /v3/product/upsert``: at most 100 products; long names trimmed (code 12)."""
    catalog = _catalog(fake, body)
    products = _products(body)
    problems = [p for i, item in enumerate(products) for p in _check_product(i, item)]
    if problems:
        return Response(400, {"problems": problems})
    warnings = []
    for index, product in enumerate(products):
        stored = dict(product)
        if len(str(stored.get("name", ""))) > NAME_MAX:
            stored["name"] = str(stored["name"])[:NAME_MAX]
            warnings.append(_problem(12, f"products[{index}].name|max:{NAME_MAX}|Data trimmed"))
        old = catalog.products.get(str(product["productId"]), {})
        catalog.products[str(product["productId"])] = {**old, **stored}
    answer: dict[str, Any] = {"requestId": fake.new_id(),
                              "productIds": [str(p["productId"]) for p in products]}  # fmt: skip
    if warnings:
        answer["problems"] = warnings
    return Response(200, answer)


def _update(fake: FakeSalesmanago, body: dict[str, Any], keys: tuple[str, ...]) -> Response:
    catalog = _catalog(fake, body)
    products = _products(body)
    problems = []
    for index, item in enumerate(products):
        problems += _check_product(index, item)
        if isinstance(item, dict) and str(item.get("productId")) not in catalog.products:
            problems.append(_problem(16, f"products[{index}].productId|Identifier not found"))
    if problems:
        return Response(400, {"problems": problems})
    for item in products:
        target = catalog.products[str(item["productId"])]
        target.update({k: item[k] for k in keys if k in item})
    return Response(200, {"requestId": fake.new_id(),
                          "productIds": [str(p["productId"]) for p in products]})  # fmt: skip


ROUTES = {
    ("GET", "/v3/product/catalogList"): catalog_list,
    ("POST", "/v3/product/catalogUpsert"): catalog_upsert,
    ("POST", "/v3/product/catalogDelete"): catalog_delete,
    ("POST", "/v3/product/upsert"): product_upsert,
    ("POST", "/v3/product/updateQuantity"): lambda f, b: _update(f, b, ("quantity",)),
    ("POST", "/v3/product/updatePrice"): lambda f, b: _update(f, b, ("price", "discountPrice")),
}
