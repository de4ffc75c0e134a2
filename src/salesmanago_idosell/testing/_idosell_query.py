"""Request decoding for the fake IdoSell: query strings, ``params`` bodies, paging, dates."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from ._http import Request, Response

__all__ = [
    "GateError",
    "camel_page",
    "date_range",
    "in_range",
    "matches",
    "paged",
    "params_of",
    "query_list",
    "snake_page",
]

T = TypeVar("T")
MAX_LIMIT = 100


class GateError(Exception):
    """A gate refuses the request; becomes a JSON error answer."""

    def __init__(self, status: int, fault_code: int, fault_string: str) -> None:
        super().__init__(fault_string)
        self.status, self.fault_code, self.fault_string = status, fault_code, fault_string

    def response(self) -> Response:
        """The error answer: ``errors{faultCode, faultString}`` plus an ``x-error`` header."""
        body = {"errors": {"faultCode": self.fault_code, "faultString": self.fault_string}}
        ascii_text = self.fault_string.encode("ascii", "replace").decode("ascii")
        return Response(self.status, body, {"x-error": ascii_text})


def params_of(request: Request) -> dict[str, Any]:
    """The ``params`` object of a POST/PUT body (faultCode 3 when it is missing)."""
    try:
        body = request.json()
    except ValueError as exc:
        raise GateError(422, 1, "Invalid JSON in request body") from exc
    params = body.get("params") if isinstance(body, dict) else None
    if not isinstance(params, dict):
        raise GateError(207, 3, "No parameters were received")
    return params


def query_list(request: Request, name: str) -> list[str]:
    """A query array: comma-joined (``a=1,2``) or repeated (``a[]=1&a[]=2``)."""
    values = request.query.get(name, []) + request.query.get(f"{name}[]", [])
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise GateError(422, 1, f"{name} must be an integer") from exc


def _page(page_value: Any, limit_value: Any, names: tuple[str, str]) -> tuple[int, int]:
    page = _int(page_value, names[0], 0)
    limit = _int(limit_value, names[1], MAX_LIMIT)
    if page < 0:
        raise GateError(422, 1, f"{names[0]} must be >= 0")
    if not 1 <= limit <= MAX_LIMIT:
        raise GateError(422, 1, f"{names[1]} must be between 1 and {MAX_LIMIT}")
    return page, limit


def camel_page(source: Mapping[str, Any]) -> tuple[int, int]:
    """``resultsPage`` / ``resultsLimit`` (0-based page, limit 1-100, default 100)."""
    return _page(source.get("resultsPage"), source.get("resultsLimit"), _CAMEL[2:])


def snake_page(source: Mapping[str, Any]) -> tuple[int, int]:
    """``results_page`` / ``results_limit`` for the snake_case gates."""
    return _page(source.get("results_page"), source.get("results_limit"), _SNAKE[2:])


_CAMEL = ("resultsNumberAll", "resultsNumberPage", "resultsPage", "resultsLimit")
_SNAKE = ("results_number_all", "results_number_page", "results_page", "results_limit")


def paged(
    items: Sequence[T],
    page: int,
    limit: int,
    *,
    key: str,
    row: Callable[[T], dict[str, Any]],
    snake: bool = False,
    empty_status: int = 207,
) -> Response:
    """One page of ``items`` with the gate's paging meta; faultCode 2 when the page is empty."""
    names = _SNAKE if snake else _CAMEL
    chunk = items[page * limit : (page + 1) * limit]
    meta = dict(zip(names, (len(items), math.ceil(len(items) / limit), page, limit), strict=True))
    if not chunk:
        errors = {"faultCode": 2, "faultString": "Empty result"}
        return Response(empty_status, {**meta, key: [], "errors": errors})
    return Response(200, {**meta, key: [row(item) for item in chunk]})


def _when(text: Any, *, end: bool) -> datetime | None:
    if text in (None, ""):
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(str(text), pattern)
        except ValueError:
            continue
        if pattern == "%Y-%m-%d" and end:
            moment += timedelta(days=1, seconds=-1)
        return moment
    raise GateError(422, 1, f"invalid date {text!r}: expected YYYY-MM-DD [HH:MM:SS]")


def date_range(begin: Any, end: Any) -> tuple[datetime | None, datetime | None]:
    """A ``(begin, end)`` pair; a date-only end includes the whole day."""
    return _when(begin, end=False), _when(end, end=True)


def in_range(moment: datetime | None, bounds: tuple[datetime | None, datetime | None]) -> bool:
    """Whether ``moment`` lies in the inclusive range (open ends allowed); a record without
    the date is in no bounded range."""
    begin, end = bounds
    if moment is None:
        return begin is None and end is None
    return (begin is None or moment >= begin) and (end is None or moment <= end)


def matches(value: str, wanted: Any, *, exact: bool) -> bool:
    """Text filter: exact, or case-insensitive substring as IdoSell's default search."""
    if wanted in (None, ""):
        return True
    if exact:
        return value == str(wanted)
    return str(wanted).casefold() in value.casefold()


def as_ints(values: Iterable[Any], name: str) -> set[int]:
    """Integers from a list of ids (422 on garbage)."""
    return {_int(v, name, 0) for v in values}
