"""``SalesmanagoClient``: the entry point to SALESmanago API v2 and v3.

Example:
    >>> sm = SalesmanagoClient(client_id="abc", api_secret="s3cr3t",
    ...                        owner="owner@shop.pl", endpoint="app2.salesmanago.pl")
    >>> sm.contacts.upsert(ContactUpsert(email="jan@example.pl"))  # doctest: +SKIP
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable
from types import TracebackType
from urllib.parse import urlsplit

from .._transport import DEFAULT_RETRY, DEFAULT_TIMEOUT, RetryPolicy, Timeout, Transport
from .._urls import normalize_base_url
from ..errors import ValidationError
from ._calls import V2Caller, V3Caller
from ._wire import make_salesmanago_converter
from .auth import Credentials, new_api_key
from .contacts import BATCH_MAX, ContactsAPI
from .events import EventOverflow, EventsAPI
from .exports import ExportsAPI
from .products import CatalogsAPI, ProductsAPI

__all__ = ["DEFAULT_V3_ENDPOINT", "SalesmanagoClient", "normalize_endpoint"]

logger = logging.getLogger("salesmanago_idosell")

DEFAULT_V3_ENDPOINT = "https://api.salesmanago.com"


def normalize_endpoint(endpoint: str, *, field: str = "endpoint") -> str:
    """The base URL for an endpoint given as a host or a URL.

    ``app2.salesmanago.pl`` and ``https://app2.salesmanago.pl`` both give
    ``https://app2.salesmanago.pl``; an explicit ``http://`` URL (local test servers, the
    sandbox) is kept as given. A trailing ``/`` or ``/api`` is dropped.
    """
    return normalize_base_url(endpoint, field=field, strip_suffix="/api")


def _default_v3_endpoint(endpoint: str) -> str:
    """The real v3 host, unless the v2 endpoint is on loopback (the sandbox serves both)."""
    host = urlsplit(endpoint).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return endpoint if loopback else DEFAULT_V3_ENDPOINT


def _required(value: str, field: str) -> str:
    if not value or not value.strip():
        raise ValidationError(f"{field} must not be empty", field=field)
    return value.strip()


class SalesmanagoClient:
    """A typed client for one SALESmanago account.

    Args:
        client_id: the account's client id.
        api_secret: the API secret (never sent, never logged, not in ``repr``).
        owner: the e-mail of the SALESmanago user who owns the contacts.
        endpoint: the account's server, e.g. ``app2.salesmanago.pl`` (a bare host becomes
            ``https://``; an explicit ``http://`` URL is kept).
        api_v3_key: the API v3 key, needed only for ``catalogs`` and ``products``.
        v3_endpoint: the v3 base URL. Default: ``https://api.salesmanago.com``, except when
            ``endpoint`` is a loopback URL (the sandbox): then ``endpoint`` itself, so that a
            test or an example never reaches the real service by accident.
        timeout: default timeouts (seconds, ``(connect, read)`` or :class:`Timeout`).
        retry: the retry policy (attempts, back-off, ``Retry-After`` cap).
        rate_limit: maximum requests per second per API, or ``None``.
        batch_size: contacts per batch upsert request (1..1000, default 1000).
        event_overflow: ``"raise"`` (default) or ``"truncate"`` for event fields over the
            API's limits (see :mod:`salesmanago_idosell.salesmanago.events`).
        api_key: the ``apiKey`` body field (random by default; any string works).
        sleep: the sleep function (injected in tests).
        clock: the monotonic clock (injected in tests).
        wallclock: epoch seconds for the v2 ``requestTime`` (injected in tests).

    Attributes:
        contacts: :class:`ContactsAPI`.
        events: :class:`EventsAPI`.
        exports: :class:`ExportsAPI` (reading contacts' external events back).
        catalogs: :class:`CatalogsAPI` (API v3).
        products: :class:`ProductsAPI` (API v3).
    """

    def __init__(
        self,
        *,
        client_id: str,
        api_secret: str,
        owner: str,
        endpoint: str,
        api_v3_key: str | None = None,
        v3_endpoint: str | None = None,
        timeout: float | Timeout | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        rate_limit: float | None = None,
        batch_size: int = BATCH_MAX,
        event_overflow: EventOverflow = "raise",
        api_key: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], float] = time.time,
    ) -> None:
        if event_overflow not in ("raise", "truncate"):
            raise ValidationError("event_overflow must be 'raise' or 'truncate'", field="event")
        self.credentials = Credentials(
            client_id=_required(client_id, "client_id"),
            api_secret=_required(api_secret, "api_secret"),
            owner=_required(owner, "owner"),
            api_key=api_key or new_api_key(),
        )
        self.endpoint = normalize_endpoint(endpoint)
        creds = self.credentials

        def transport(base_url: str, secrets: tuple[str, ...], **headers: str) -> Transport:
            return Transport(
                base_url=base_url,
                headers=headers,
                secrets=secrets,
                timeout=timeout,
                retry=retry,
                rate_limit=rate_limit,
                sleep=sleep,
                clock=clock,
                wallclock=wallclock,
            )

        self._v2 = transport(self.endpoint + "/api", (creds.api_secret, creds.api_key, creds.sha))
        self._v3 = None
        if api_v3_key:
            v3_url = normalize_endpoint(
                v3_endpoint or _default_v3_endpoint(self.endpoint), field="v3_endpoint"
            )
            self._v3 = transport(v3_url, (api_v3_key, creds.api_secret), **{"API-KEY": api_v3_key})
        converter = make_salesmanago_converter()
        call = V2Caller(self._v2, creds, wallclock=wallclock, converter=converter)
        v3_call = V3Caller(self._v3)
        self.contacts = ContactsAPI(call, batch_size=batch_size, sleep=sleep, clock=clock)
        self.events = EventsAPI(call, overflow=event_overflow)
        self.exports = ExportsAPI(call, self.contacts)
        self.catalogs = CatalogsAPI(v3_call, converter)
        self.products = ProductsAPI(v3_call, converter)

    def __repr__(self) -> str:
        return (
            f"SalesmanagoClient(client_id={self.credentials.client_id!r}, "
            f"owner={self.credentials.owner!r}, endpoint={self.endpoint!r}, "
            f"api_v3={'yes' if self._v3 else 'no'})"
        )

    @property
    def request_count(self) -> int:
        """HTTP attempts made so far by this client (v2 and v3, retries included)."""
        return self._v2.request_count + (self._v3.request_count if self._v3 else 0)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._v2.close()
        if self._v3 is not None:
            self._v3.close()

    def __enter__(self) -> SalesmanagoClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
