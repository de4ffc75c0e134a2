"""Lazy iteration over IdoSell's paged list and search gates.

This module is the only place that knows how IdoSell pages: 0-based page numbers, at most
100 rows a page, camelCase (``resultsPage``/``resultsLimit``/``resultsNumberPage``) or
snake_case (``results_page``/...) names depending on the gate, page keys inside the
``params`` wrapper of POST bodies or in the query string of GETs, and an "empty result"
fault code that ends the iteration quietly.

Rows are decoded one by one: a row that does not fit its model becomes a :class:`RowSkip` on
its page (record id when the row has one, the field, the reason — never the raw value), and
the other rows go on. A page whose *shape* is wrong raises :class:`PageShapeError`: an error
body without a known fault code, a missing rows list while the gate counts results, or fewer
rows than the page size before the last page the gate announced.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from attrs import field, frozen

from .._converter import camel
from ..errors import PageShapeError, ResponseValidationError, ValidationError

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = ["MAX_PAGE_SIZE", "Gate", "Page", "PageIterator", "RowSkip"]

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
        id_keys: row keys naming a record in a skip (``clientId``, ``orderSerialNumber``);
            personal data (e-mails) is never used.
    """

    method: str
    path: str
    items_key: str
    snake: bool = False
    empty_codes: frozenset[int] = frozenset({2})
    id_keys: tuple[str, ...] = ()

    def key(self, camel_name: str) -> str:
        """The gate's spelling of a paging name given in camelCase."""
        if not self.snake:
            return camel_name
        return "".join(f"_{c.lower()}" if c.isupper() else c for c in camel_name)


@frozen(kw_only=True)
class RowSkip:
    """A row that could not be decoded (the rest of its page was).

    Attributes:
        record: ``clientId 17`` / ``orderSerialNumber 4711`` when the row names itself, else
            ``row 3 of page 2``.
        field: the wire path of the offending field (``clientPersonalData.clientBirthDate``),
            when known.
        reason: what was wrong (types and rules, not the raw value).
    """

    record: str
    field: str | None
    reason: str


_FIELD = re.compile(r" @ \$\.?([\w.\[\]'\"]*)")


def _row_skip(
    row: Any, gate: Gate, number: int, index: int, error: ResponseValidationError
) -> RowSkip:
    record = f"row {index} of page {number}"
    if isinstance(row, Mapping):
        for key in gate.id_keys:
            if row.get(key) not in (None, ""):
                record = f"{key} {row[key]}"
                break
    text = str(error)
    found = _FIELD.search(text)
    field = found.group(1) if found else None
    if field and not gate.snake:  # cattrs names attributes; say the wire's camelCase keys
        field = ".".join(camel(part) for part in field.split("."))
    reason = text.split(" shape: ", 1)[-1].split(" @ ", 1)[0]
    return RowSkip(record=record, field=field, reason=reason[:300])


@frozen(kw_only=True)
class Page(Generic[T]):
    """One page of results.

    Attributes:
        number: the 0-based page number.
        items: the page's items (cut at the iterator's limit).
        total_items: the gate's count of all results, when it sends one.
        total_pages: the gate's count of pages, when it sends one.
        skipped: rows of this page that could not be decoded.
    """

    number: int
    items: tuple[T, ...]
    total_items: int | None = None
    total_pages: int | None = None
    skipped: tuple[RowSkip, ...] = ()


def _rows(payload: Mapping[str, Any], gate: Gate, number: int) -> list[Any]:
    rows = payload.get(gate.items_key)
    if rows is None:
        counted = _count(payload, gate.key("resultsNumberAll"))
        if payload.get("errors") or counted != 0:
            raise PageShapeError(
                f"{gate.path} page {number}: no {gate.items_key} in the answer"
                + (" (it carries errors)" if payload.get("errors") else ""),
                endpoint=gate.path,
                page=number,
            )
        return []
    if rows == {}:
        return []
    if isinstance(rows, Mapping):  # PHP: a list sent as an object keyed by id
        return list(rows.values())
    if not isinstance(rows, list):
        raise PageShapeError(f"{gate.items_key} is not a list", endpoint=gate.path, page=number)
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
        announced: int | None = None
        while True:
            payload = self._fetch(number, size)
            if payload is None:
                if announced is not None and number < announced:
                    raise PageShapeError(
                        f"{self.gate.path} page {number} of {announced} answered 'no results'",
                        endpoint=self.gate.path,
                        page=number,
                    )
                return
            rows = _rows(payload, self.gate, number)
            if self.limit is not None:
                rows = rows[: self.limit - seen]
            seen += len(rows)
            total_pages = _count(payload, self.gate.key("resultsNumberPage"))
            announced = total_pages if total_pages is not None else announced
            answered = _count(payload, self.gate.key("resultsLimit"))
            self._check_full(number, len(rows), answered or size, total_pages, seen)
            items, skipped = self._decode(rows, number)
            yield Page(
                number=number,
                items=items,
                total_items=_count(payload, self.gate.key("resultsNumberAll")),
                total_pages=total_pages,
                skipped=skipped,
            )
            if not self._has_next(number, len(rows), size, total_pages, seen):
                return
            number += 1

    def count(self) -> int:
        """How many results the gate counts now (one request for a single row)."""
        payload = self._fetch(0, 1)
        if payload is None:
            return 0
        total = _count(payload, self.gate.key("resultsNumberAll"))
        if total is None:
            raise PageShapeError(
                f"{self.gate.path}: no {self.gate.key('resultsNumberAll')} in the answer",
                endpoint=self.gate.path,
                page=0,
            )
        return total

    def iter_pages_descending(self, *, start: int | None = None) -> Iterator[Page[T]]:
        """Yield pages from ``start`` (default: the last page, after one counting request)
        down to page 0, each page asked even when it comes back empty.

        Read this way, a result set that only loses rows while it is read (records deleted,
        or changed out of a fixed date window) cannot make a row be skipped: a removal shifts
        the rows after it towards lower pages, which are still to be read, never into pages
        already read (a row may then be read twice). Used by the full customer export.
        """
        if start is None:
            start = -(-self.count() // self.page_size) - 1
        for number in range(start, -1, -1):
            payload = self._fetch(number, self.page_size)
            rows = [] if payload is None else _rows(payload, self.gate, number)
            total_pages = (
                None if payload is None else _count(payload, self.gate.key("resultsNumberPage"))
            )
            answered = None if payload is None else _count(payload, self.gate.key("resultsLimit"))
            self._check_full(number, len(rows), answered or self.page_size, total_pages, 0)
            items, skipped = self._decode(rows, number)
            total = None if payload is None else _count(payload, self.gate.key("resultsNumberAll"))
            yield Page(
                number=number,
                items=items,
                total_items=total,
                total_pages=total_pages,
                skipped=skipped,
            )

    def _decode(self, rows: list[Any], number: int) -> tuple[tuple[T, ...], tuple[RowSkip, ...]]:
        items: list[T] = []
        skipped: list[RowSkip] = []
        for index, row in enumerate(rows):
            try:
                items.append(self._parse(row))
            except ResponseValidationError as exc:
                if self._client.strict:
                    raise
                skipped.append(_row_skip(row, self.gate, number, index, exc))
        return tuple(items), tuple(skipped)

    def _check_full(
        self, number: int, got: int, size: int, total_pages: int | None, seen: int
    ) -> None:
        """A page before the announced last one must be full (else rows were lost).

        Full means the page size the gate says it used (``resultsLimit``), else the one asked.
        """
        limited = self.limit is not None and seen >= self.limit
        if total_pages is not None and number + 1 < total_pages and got < size and not limited:
            raise PageShapeError(
                f"{self.gate.path} page {number} of {total_pages} has {got} rows, not {size}",
                endpoint=self.gate.path,
                page=number,
            )

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
