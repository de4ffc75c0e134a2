"""Catalog and system reads: the category tree, product categories and the server load."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from .._chunks import chunked
from ..categories import Category, CategoryTree
from ..errors import ResponseValidationError
from ._wire import ignores, open_record, snake_case
from .models import ServerLoad
from .pagination import MAX_PAGE_SIZE, Gate, PageIterator

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = [
    "CATEGORIES_GATE",
    "PRODUCTS_SEARCH_GATE",
    "SERVER_LOAD_PATH",
    "CategoriesAPI",
    "ProductsAPI",
    "SystemAPI",
    "category_from_record",
]

#: ``GET /products/categories`` pages in snake_case; its fault code 2 means "shop blocked",
#: not "empty", so no fault code ends it quietly.
CATEGORIES_GATE = Gate(
    method="GET",
    path="/products/categories",
    items_key="categories",
    snake=True,
    empty_codes=frozenset(),
)
PRODUCTS_SEARCH_GATE = Gate(method="POST", path="/products/products/search", items_key="results")
SERVER_LOAD_PATH = "/system/serverLoad"


@snake_case
@frozen(kw_only=True)
class _LangData:
    lang_id: str
    singular_name: str | None = None
    plural_name: str | None = None
    description: str | None = None


@ignores(
    "allegro_category_id",
    "ebay_category_id",
    "interia_category_id",
    "onet_category_id",
    "pkwiu",
    "shop_mask",
    "shops",
    "vatMappings",
    "wp_category_id",
)
@snake_case
@frozen(kw_only=True)
class _CategoryRecord:
    """A row of ``categories[]``."""

    id: int
    parent_id: int | None = None
    priority: int | None = None
    product_count: int | None = None
    lang_data: list[_LangData] = field(factory=list)


@open_record  # only category_id is asked for; the gate may add any product field
@frozen(kw_only=True)
class _ProductRecord:
    """A row of ``results[]`` of the product search (the two fields the SDK reads)."""

    product_id: int
    category_id: int | None = None


def _name(record: _CategoryRecord, language: str | None) -> str:
    langs = record.lang_data
    chosen = next((d for d in langs if language and d.lang_id == language), None)
    if chosen is None and langs:
        chosen = langs[0]
    if chosen is None:
        return str(record.id)
    return chosen.singular_name or chosen.plural_name or str(record.id)


def category_from_record(record: _CategoryRecord, language: str | None = None) -> Category:
    """A :class:`Category` named in ``language`` (else the first language sent).

    A parent id of 0, or the category's own id, marks a top-level category.
    """
    parent = record.parent_id
    if not parent or parent == record.id:
        parent = None
    names: dict[str, str] = {}
    for data in record.lang_data:
        name = data.singular_name or data.plural_name
        if data.lang_id and name:
            names[data.lang_id] = name
    return Category(id=record.id, name=_name(record, language), parent_id=parent, names=names)


class CategoriesAPI:
    """The shop's panel category tree (``client.categories``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"CategoriesAPI({self._client!r})"

    def tree(self, *, language: str | None = None) -> CategoryTree:
        """Download every category (all pages) and build the :class:`CategoryTree`.

        Args:
            language: ISO 639-2 id of the names to use (e.g. ``"pol"``); ``None`` asks for
                every language and takes the first one of each category.

        Example:
            >>> tree = shop.categories.tree(language="pol")  # doctest: +SKIP
            >>> tree.path(1214550010)  # doctest: +SKIP
            ('Odzież', 'Kurtki', 'Zimowe')
        """
        query = {"languages": language} if language else {}

        def parse(row: Any) -> Category:
            record = self._client.structure(row, _CategoryRecord, endpoint=CATEGORIES_GATE.path)
            return category_from_record(record, language)

        return CategoryTree.of(PageIterator(self._client, CATEGORIES_GATE, query, parse))


class ProductsAPI:
    """Product reads needed for category tags (``client.products``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"ProductsAPI({self._client!r})"

    def categories_of(self, product_ids: Iterable[int]) -> dict[int, int]:
        """Map product ids to their panel category ids (100 products per request).

        Products the shop does not return (deleted, unknown) are absent from the result.
        """
        ids = dict.fromkeys(int(p) for p in product_ids)
        found: dict[int, int] = {}
        for chunk in chunked(ids, MAX_PAGE_SIZE):
            params = {
                "productParams": [{"productId": p} for p in chunk],
                "returnElements": ["category_id"],
            }
            for product_id, category_id in PageIterator(
                self._client, PRODUCTS_SEARCH_GATE, params, self._parse
            ):
                if category_id is not None:
                    found[product_id] = category_id
        return found

    def _parse(self, row: Any) -> tuple[int, int | None]:
        record = self._client.structure(row, _ProductRecord, endpoint=PRODUCTS_SEARCH_GATE.path)
        return record.product_id, record.category_id or None


class SystemAPI:
    """System state (``client.system``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"SystemAPI({self._client!r})"

    def server_load(self) -> ServerLoad:
        """``normal`` or ``overloaded``: slow down bulk reads while overloaded."""
        answer = self._client.call("GET", SERVER_LOAD_PATH) or {}
        try:
            return ServerLoad(answer.get("serverLoadStatus"))
        except ValueError:
            raise ResponseValidationError(
                f"unknown serverLoadStatus {answer.get('serverLoadStatus')!r}",
                endpoint=SERVER_LOAD_PATH,
            ) from None
