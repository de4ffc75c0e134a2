"""The IdoSell Admin API client: base URL, API key, transport and fault handling."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import date, datetime, tzinfo
from typing import Any, TypeVar
from urllib.parse import urlsplit

from cattrs import Converter, transform_error
from cattrs.errors import BaseValidationError

from .._policy import Limiter, shared_limiter
from .._transport import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    HTTPResponse,
    RetryPolicy,
    Timeout,
    Transport,
)
from .._urls import normalize_base_url
from ..errors import (
    HTTPStatusError,
    IdosellAPIError,
    ResponseValidationError,
    ValidationError,
    status_error,
)
from ._wire import (
    DEFAULT_TIMEZONE,
    format_date,
    format_datetime,
    make_idosell_converter,
    resolve_timezone,
)
from .catalog import CategoriesAPI, ProductsAPI, SystemAPI
from .customers import CustomersAPI
from .newsletter import NewsletterAPI
from .orders import OrdersAPI
from .snippets import SnippetsAPI

__all__ = ["IdosellClient", "normalize_shop_url"]

T = TypeVar("T")
#: Non-2xx statuses whose body is read here (fault codes, the ``x-error`` header).
_READ_STATUSES = frozenset({400, 401, 403, 404, 409, 422})
#: Statuses on which an "empty result" fault code ends a search quietly.
_EMPTY_STATUSES = frozenset({200, 207, 404})


def normalize_shop_url(shop_url: str) -> str:
    """``shop.example.pl`` -> ``https://shop.example.pl``; explicit ``http(s)://`` is kept."""
    return normalize_base_url(shop_url, field="shop_url")


def fault_of(payload: Any) -> tuple[int, str] | None:
    """The ``(faultCode, faultString)`` of an answer's top-level ``errors``, if any."""
    if not isinstance(payload, Mapping):
        return None
    errors = payload.get("errors")
    if isinstance(errors, list):
        errors = next((e for e in errors if isinstance(e, Mapping) and "faultCode" in e), None)
    if not isinstance(errors, Mapping) or "faultCode" not in errors:
        return None
    try:
        code = int(errors["faultCode"])
    except (TypeError, ValueError):
        return None
    return code, str(errors.get("faultString") or "")


def _header_text(value: str) -> str:
    """Headers arrive decoded as Latin-1; IdoSell sends UTF-8 (Polish letters)."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return value


class IdosellClient:
    """Client of the IdoSell Admin API (customers, newsletter, orders, catalog, snippets).

    Args:
        shop_url: the shop's address: a bare host (``shop.example.pl``, HTTPS is used) or an
            explicit ``https://`` / ``http://`` URL (the latter for local test servers).
        api_key: the Admin API key (sent as ``X-API-KEY``; never logged or shown).
        api_version: the API version path segment.
        timezone: the shop's time zone (IANA name or ``tzinfo``); wire dates are naive shop
            times and models hold aware datetimes in this zone.
        timeout: a number, a ``(connect, read)`` pair or a :class:`Timeout`.
        retry: the retry policy (reads and searches are retried on 429/5xx).
        rate_limit: at most this many requests per second, a shared
            :class:`~salesmanago_idosell._policy.Limiter` (one budget for many workers, e.g.
            across processes through the state database), or ``None``. A number is the
            shop's budget: every client of the same shop and ``lane`` in this process shares
            one limiter (:func:`~salesmanago_idosell._policy.shared_limiter`), so two clients
            together stay within it; the lowest limit asked counts.
        lane: the name of the budget within the shop (``"sync"``; the opt-in/opt-out
            callbacks use ``"callbacks"`` so that a running sync never delays them).
        limiter: an injected limiter (any object with ``acquire()``, e.g. one shared across
            processes) instead of the shared one; ``rate_limit`` is then ignored.
        strict: reject unknown response fields (for tests on recorded fixtures); a row that
            does not fit then raises instead of becoming a skip on its page.
        sleep: the sleep function used between retries (inject a no-op in tests).
        clock: the monotonic clock of the rate limiter (injected in tests).

    Example:
        >>> shop = IdosellClient(shop_url="shop.example.pl", api_key="secret")
        >>> shop.base_url
        'https://shop.example.pl/api/admin/v6'
        >>> customers = shop.customers.iter(modified_since=None)  # lazy: nothing sent yet
    """

    def __init__(
        self,
        *,
        shop_url: str,
        api_key: str,
        api_version: str = "v6",
        timezone: str | tzinfo = DEFAULT_TIMEZONE,
        timeout: float | Timeout | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        rate_limit: float | Limiter | None = None,
        lane: str = "sync",
        limiter: Limiter | None = None,
        strict: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not api_key:
            raise ValidationError("api_key must not be empty", field="api_key")
        self.shop_url = normalize_shop_url(shop_url)
        self.api_version = api_version.strip("/")
        self.base_url = f"{self.shop_url}/api/admin/{self.api_version}"
        self.timezone = resolve_timezone(timezone)
        self.strict = strict
        self.converter: Converter = make_idosell_converter(strict=strict, tz=self.timezone)
        self._fast: Converter = make_idosell_converter(
            strict=strict, tz=self.timezone, detailed=False
        )
        if limiter is None and rate_limit is not None and not isinstance(rate_limit, int | float):
            limiter = rate_limit  # a shared Limiter given as the rate limit
        if limiter is None and isinstance(rate_limit, int | float):
            limiter = shared_limiter(
                f"idosell {self.base_url} {lane}", rate_limit, clock=clock, sleep=sleep
            )
        self._transport = Transport(
            base_url=self.base_url,
            headers={"X-API-KEY": api_key},
            timeout=timeout,
            retry=retry,
            limiter=limiter,
            secrets=[api_key],
            sleep=sleep,
            clock=clock,
        )
        self.customers = CustomersAPI(self)
        self.newsletter = NewsletterAPI(self)
        self.orders = OrdersAPI(self)
        self.products = ProductsAPI(self)
        self.categories = CategoriesAPI(self)
        self.system = SystemAPI(self)
        self.snippets = SnippetsAPI(self)

    def __repr__(self) -> str:
        return f"IdosellClient(base_url={self.base_url!r}, timezone={self.timezone!s})"

    def download(self, url: str, *, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """Stream a file (e.g. the shop's IOF feed) in chunks, lazily.

        The URL's query string (IOF feed URLs carry an export token) is treated as a secret:
        it never appears in logs or exception messages.
        """
        if not url.startswith(("http://", "https://")):
            raise ValidationError("download needs an http(s) URL", field="url")
        query = urlsplit(url).query
        if query:
            self._transport.add_secret(query)
        return self._transport.stream(url, chunk_size=chunk_size)

    @property
    def request_count(self) -> int:
        """HTTP attempts made so far by this client (retries included)."""
        return self._transport.request_count

    @property
    def load_signals(self) -> tuple[int, float]:
        """``(overload answers so far, seconds the last answer took)``: what the sync's
        adaptive server-load probe watches (429/5xx/no answer count as overload)."""
        return self._transport.overload_count, self._transport.last_elapsed

    def close(self) -> None:
        """Close the HTTP connections."""
        self._transport.close()

    def __enter__(self) -> IdosellClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def wire_datetime(self, value: datetime | date) -> str:
        """A moment as the shop-local ``YYYY-MM-DD HH:MM:SS`` string."""
        return format_datetime(value, self.timezone)

    def wire_date(self, value: datetime | date) -> str:
        """A day as the shop-local ``YYYY-MM-DD`` string."""
        return format_date(value, self.timezone)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, str] | None = None,
        empty_codes: Collection[int] = (),
        idempotent: bool = True,
    ) -> dict[str, Any] | None:
        """Send one request and return its JSON object, or ``None`` for an empty result.

        Raises:
            IdosellAPIError: the body carries a ``faultCode`` other than 0 and ``empty_codes``
                (whatever the HTTP status, 400 included).
            AuthenticationError: HTTP 401/403 (the ``x-error`` header text in the message).
            HTTPStatusError: another non-2xx answer without a fault code.
            ResponseValidationError: a 2xx answer that is not a JSON object.
        """
        with self._transport.scrubbing():
            response = self._transport.request(
                method,
                path,
                json_body=body,
                params=query,
                idempotent=idempotent,
                ok_statuses=_READ_STATUSES,
            )
            return self._interpret(method, path, response, empty_codes)

    def _interpret(
        self, method: str, path: str, response: HTTPResponse, empty_codes: Collection[int]
    ) -> dict[str, Any] | None:
        payload = _json_or_none(response)
        fault = fault_of(payload)
        status = response.status_code
        if fault is not None and fault[0] in empty_codes and status in _EMPTY_STATUSES:
            return None
        if fault is not None and fault[0] != 0 and status not in (401, 403):
            raise IdosellAPIError(
                fault_code=fault[0],
                fault_string=self._transport.scrub(fault[1]),
                status_code=status,
                endpoint=path,
            )
        if not 200 <= status < 300:
            raise self._status_error(method, response, fault)
        if not isinstance(payload, dict):
            raise ResponseValidationError(f"{path} did not answer a JSON object", endpoint=path)
        return payload

    def structure(self, data: Any, cls: type[T], *, endpoint: str) -> T:
        """Turn a wire record into ``cls``, raising :class:`ResponseValidationError` on drift.

        Rows are decoded by the fast converter; one that fails is decoded again by the
        detailed one, whose error names every offending field with its path.
        """
        with contextlib.suppress(Exception):  # explained below by the detailed converter
            return self._fast.structure(data, cls)
        try:
            return self.converter.structure(data, cls)
        except (BaseValidationError, ValueError, TypeError, KeyError) as exc:
            details = (
                "; ".join(transform_error(exc))
                if isinstance(exc, BaseValidationError)
                else repr(exc)
            )
            raise ResponseValidationError(
                f"{endpoint}: unexpected {cls.__name__} shape: {details}"[:500], endpoint=endpoint
            ) from exc

    def _status_error(
        self, method: str, response: HTTPResponse, fault: tuple[int, str] | None
    ) -> HTTPStatusError:
        header = next((v for k, v in response.headers.items() if k.lower() == "x-error"), None)
        if header is not None:
            text = _header_text(header)
        elif fault is not None:
            text = fault[1]
        else:
            text = response.text
        return status_error(
            status_code=response.status_code,
            body_excerpt=self._transport.scrub(text[:500]),
            method=method,
            url=self._transport.scrub(response.url),
        )


def _json_or_none(response: HTTPResponse) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:  # includes JSONDecodeError and UnicodeDecodeError
        return None
