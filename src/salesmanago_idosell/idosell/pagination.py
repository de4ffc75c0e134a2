"""Lazy iteration over IdoSell's paged list and search gates.

This module is the only place that knows how IdoSell pages: 0-based page numbers, at most
100 rows a page, camelCase (``resultsPage``/``resultsLimit``/``resultsNumberPage``) or
snake_case (``results_page``/...) names depending on the gate, page keys inside the
``params`` wrapper of POST bodies or in the query string of GETs, and an "empty result"
fault code that ends the iteration quietly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from attrs import field, frozen

from ..errors import ResponseValidationError, ValidationError

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = ["MAX_PAGE_SIZE", "Gate", "Page", "PageIterator"]

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@frozen(kw_only=True)
class Gate:
    """How one paged endpoint is called.

    Attributes:
        method: ``GET`` (paging in the query) or ``POST`` (paging inside ``params``).
        path: the endpoint path below the API base URL.
        items_key: the response key holding the rows (``results``, ``Results``, ...).
        snake: True for gates with snake_case paging names.
        empty_codes: fault codes meaning "nothing found" on this gate.
    """

    method: str
    path: str
    items_key: str
    snake: bool = False
    empty_codes: frozenset[int] = frozenset({2})

    def key(self, camel_name: str) -> str:
        """The gate's spelling of a paging name given in camelCase."""
        if not self.snake:
            return camel_name
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel_name)


@frozen(kw_only=True)
class Page(Generic[T]):
    """One page of results.

    Attributes:
        number: the 0-based page number.
        items: the page's items (cut at the iterator's limit).
        total_items: the gate's count of all results, when it sends one.
        total_pages: the gate's count of pages, when it sends one.
    """

    number: int
    items: tuple[T, ...]
    total_items: int | None = None
    total_pages: int | None = None


def _rows(payload: Mapping[str, Any], gate: Gate) -> list[Any]:
    rows = payload.get(gate.items_key)
    if rows is None or rows == {}:
        return []
    if isinstance(rows, Mapping):  # PHP: a list sent as an object keyed by id
        return list(rows.values())
    if not isinstance(rows, list):
        raise ResponseValidationError(f"{gate.items_key} is not a list", endpoint=gate.path)
    return rows


def _count(payload: Mapping[str, Any], key: str) -> int | None:
    value = payload.get(key)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@frozen
class PageIterator(Generic[T]):
    """A lazy iterable over every item of a paged gate; nothing is sent until iterated.

    Iterate it for items, call :meth:`iter_pages` for whole pages, :meth:`first` for one item.
    Each iteration starts again from page 0.

    Example:
        >>> for customer in shop.customers.iter(modified_since=yesterday):  # doctest: +SKIP
        ...     print(customer.email)
    """

    _client: IdosellClient = field(repr=False)
    gate: Gate
    params: Mapping[str, Any] = field(repr=False)
    _parse: Callable[[Any], T] = field(repr=False)
    limit: int | None = None
    page_size: int = MAX_PAGE_SIZE

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1..{MAX_PAGE_SIZE}", field="page_size")
        if self.limit is not None and self.limit < 0:
            raise ValidationError("limit must not be negative", field="limit")

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items

    def first(self) -> T | None:
        """The first item, or ``None`` when there is none (asks for one row only)."""
        return next(
            iter(PageIterator(self._client, self.gate, self.params, self._parse, 1, 1)), None
        )

    def iter_pages(self, *, start: int = 0) -> Iterator[Page[T]]:
        """Yield pages lazily until the last one (or the limit).

        Args:
            start: the 0-based page to begin with (to resume an interrupted export).
        """
        if start < 0:
            raise ValidationError("start page must not be negative", field="start")
        if self.limit == 0:
            return
        size = min(self.page_size, self.limit) if self.limit is not None else self.page_size
        seen = 0
        number = start
        while True:
            payload = self._fetch(number, size)
            if payload is None:
                return
            rows = _rows(payload, self.gate)
            if self.limit is not None:
                rows = rows[: self.limit - seen]
            seen += len(rows)
            total_pages = _count(payload, self.gate.key("resultsNumberPage"))
            yield Page(
                number=number,
                items=tuple(self._parse(row) for row in rows),
                total_items=_count(payload, self.gate.key("resultsNumberAll")),
                total_pages=total_pages,
            )
            if not self._has_next(number, len(rows), size, total_pages, seen):
                return
            number += 1

    def _has_next(
        self, number: int, got: int, size: int, total_pages: int | None, seen: int
    ) -> bool:
        if got == 0 or (self.limit is not None and seen >= self.limit):
            return False
        if total_pages is not None:
            return number + 1 < total_pages
        return got >= size

    def _fetch(self, number: int, size: int) -> dict[str, Any] | None:
        paging = {self.gate.key("resultsPage"): number, self.gate.key("resultsLimit"): size}
        if self.gate.method == "GET":
            query = {**self.params, **{k: str(v) for k, v in paging.items()}}
            return self._client.call(
                "GET", self.gate.path, query=query, empty_codes=self.gate.empty_codes
            )
        body = {"params": {**self.params, **paging}}
        return self._client.call(
            self.gate.method, self.gate.path, body=body, empty_codes=self.gate.empty_codes
        )
