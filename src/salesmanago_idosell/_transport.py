"""HTTP transport: the only module that imports ``requests``.

It owns one :class:`requests.Session` per client, connect/read timeouts, the retry loop
(capped exponential backoff with full jitter, ``Retry-After``), an optional rate limiter and
DEBUG logging with every secret redacted. API clients build requests and interpret bodies;
they never touch ``requests`` themselves.

Retry policy (one place): a call is either *idempotent* (reads, upserts: retried on connection
errors, timeouts, 429 and 500/502/503/504) or not (adding an event: retried only when the
request certainly did not reach the server, i.e. the connection could not be opened, or the
server refused it with 429).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, NoReturn

import requests
from attrs import define, frozen
from urllib3.exceptions import NewConnectionError

from ._json import loads as _json_loads
from ._logs import mask_personal, personal_data_allowed, register_secrets
from ._policy import (
    DEFAULT_RETRY,
    DEFAULT_TIMEOUT,
    RETRY_STATUSES,
    Limiter,
    RateLimiter,
    RetryPolicy,
    Timeout,
)
from ._version import __version__
from .errors import APITimeoutError, SalesmanagoIdosellError, TransportError, status_error

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "USER_AGENT",
    "HTTPResponse",
    "Limiter",
    "RateLimiter",
    "RetryPolicy",
    "Timeout",
    "Transport",
    "redact",
]

logger = logging.getLogger("salesmanago_idosell")

USER_AGENT = f"salesmanago-idosell/{__version__}"
REDACTED = "***"
#: Body keys whose values are always redacted in logs and exceptions.
SECRET_BODY_KEYS = frozenset({"apiKey", "sha", "apiSecret", "api_secret", "password", "key"})
#: Header names (case-insensitive) whose values are always redacted.
SECRET_HEADERS = frozenset({"x-api-key", "api-key", "authorization"})
BODY_EXCERPT_CHARS = 500


@frozen
class HTTPResponse:
    """A received HTTP answer, independent of ``requests``."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    elapsed: float

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (invalid bytes replaced)."""
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (raises ``ValueError`` when it is not JSON); by msgspec
        when the ``speed`` extra is installed, with the same result (see :mod:`._json`)."""
        return _json_loads(self.content)


def redact(value: Any, secret_keys: Iterable[str] = SECRET_BODY_KEYS) -> Any:
    """Return a copy of a JSON-like value with the values of secret keys replaced."""
    keys = frozenset(secret_keys)
    if isinstance(value, Mapping):
        return {k: (REDACTED if k in keys else redact(v, keys)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v, keys) for v in value]
    return value


def _redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: (REDACTED if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


def _never_sent(exc: requests.RequestException | None) -> bool:
    """True when the request certainly did not reach the server (connection not opened)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        return isinstance(reason, NewConnectionError)
    return False


def _json_default(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@define
class _Attempt:
    """The outcome of one attempt: a response or an exception, plus its timing."""

    response: HTTPResponse | None = None
    error: requests.RequestException | None = None
    raw: requests.Response | None = None  # an open streamed body


class Transport:
    """Sends HTTP requests for one API client.

    Args:
        base_url: prefix of every request path (``https://host/api``).
        headers: headers sent with every request (e.g. an API key).
        timeout: default timeouts; a number, a ``(connect, read)`` pair or :class:`Timeout`.
        retry: the :class:`RetryPolicy`.
        rate_limit: maximum requests per second, a shared :class:`Limiter` (one budget for
            many workers), or ``None`` for no limit.
        limiter: a :class:`~._policy.Limiter` to use instead of a limiter of its own (shared
            by every client of one shop: see :func:`~._policy.shared_limiter`).
        secrets: secret strings to scrub from logs and exception texts.
        session: a ``requests.Session`` to use instead of a new one.
        sleep: the sleep function (injected in tests).
        clock: a monotonic clock (injected in tests).
        wallclock: epoch seconds, used for ``Retry-After`` HTTP dates (injected in tests).
        rng: the random source for jitter (injected in tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str] | None = None,
        timeout: float | Timeout | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy = DEFAULT_RETRY,
        rate_limit: float | Limiter | None = None,
        limiter: Limiter | None = None,
        secrets: Iterable[str] = (),
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        wallclock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = Timeout.of(timeout)
        self.retry = retry
        self.sleep = sleep
        self.clock = clock
        self.wallclock = wallclock
        self.rng = rng if rng is not None else random.Random()
        if limiter is None and rate_limit is not None:
            limiter = (
                RateLimiter(rate_limit, clock=clock, sleep=sleep)
                if isinstance(rate_limit, int | float)
                else rate_limit
            )
        self.limiter: Limiter | None = limiter
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        #: HTTP attempts made by this transport (every retry counts), for reports.
        self.request_count = 0
        #: Answers saying the server is overloaded (429, 503) or failing (5xx, no answer).
        self.overload_count = 0
        #: Seconds the last answer took (0.0 before the first).
        self.last_elapsed = 0.0
        self.session = session if session is not None else requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        if headers:
            self.session.headers.update(headers)
        register_secrets(self)

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"retry={self.retry!r}, rate_limit={self.limiter!r})"
        )

    def add_secret(self, secret: str) -> None:
        """Register one more secret string to scrub from logs and exceptions."""
        if secret and secret not in self._secrets:
            self._secrets = tuple(sorted((*self._secrets, secret), key=len, reverse=True))

    def scrub(self, text: str) -> str:
        """Replace every known secret value in ``text``."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def close(self) -> None:
        """Close the underlying session and its connections."""
        self.session.close()

    def secret_values(self) -> tuple[str, ...]:
        """The secret strings this transport scrubs (for the log filter)."""
        return self._secrets

    @contextmanager
    def scrubbing(self) -> Iterator[None]:
        """Scrub known secrets from any SDK exception raised inside the block."""
        try:
            yield
        except SalesmanagoIdosellError as exc:
            exc.scrub(self.scrub)
            raise

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | Timeout | tuple[float, float] | None = None,
        idempotent: bool,
        ok_statuses: Iterable[int] = (),
    ) -> HTTPResponse:
        """Send one request, retrying per the policy, and return a 2xx answer.

        Args:
            method: HTTP method.
            path: path appended to ``base_url`` (or an absolute ``http(s)://`` URL).
            json_body: a JSON-serialisable body.
            params: query parameters.
            headers: extra headers for this call.
            timeout: overrides the client's default timeouts for this call.
            idempotent: True when repeating the call cannot do harm (reads, upserts).
            ok_statuses: non-2xx statuses returned to the caller instead of raised
                (e.g. IdoSell's 404 carrying ``faultCode``).

        Raises:
            TransportError: no answer after every allowed attempt.
            APITimeoutError: the last attempt timed out, or the call's deadline passed.
            HTTPStatusError: a non-2xx answer after every allowed attempt.
        """
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        data = None
        send_headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False, default=_json_default).encode()
            send_headers.setdefault("Content-Type", "application/json;charset=UTF-8")

        def send(limit: tuple[float, float]) -> _Attempt:
            return self._attempt(method, url, data, params, send_headers, limit)

        effective = Timeout.of(timeout) if timeout is not None else self.timeout
        outcome = self._loop(
            method, url, send, effective, idempotent, frozenset(ok_statuses), json_body
        )
        assert outcome.response is not None  # noqa: S101  (_loop raises otherwise)
        return outcome.response

    def stream(
        self,
        url: str,
        *,
        timeout: float | Timeout | tuple[float, float] | None = None,
        chunk_size: int = 1 << 16,
    ) -> Iterator[bytes]:
        """GET ``url`` and yield its body in chunks (for large feeds); no retries once open."""
        effective = Timeout.of(timeout) if timeout is not None else self.timeout

        def send(limit: tuple[float, float]) -> _Attempt:
            return self._attempt("GET", url, None, None, {}, limit, stream=True)

        outcome = self._loop("GET", url, send, effective, True, frozenset(), None)
        assert outcome.raw is not None  # noqa: S101  (_loop raises otherwise)
        with outcome.raw as raw:
            yield from raw.iter_content(chunk_size=chunk_size)

    def _loop(
        self,
        method: str,
        url: str,
        send: Callable[[tuple[float, float]], _Attempt],
        timeout: Timeout,
        idempotent: bool,
        accepted: frozenset[int],
        body: Any,
    ) -> _Attempt:
        """The one retry loop: attempts, back-off, ``Retry-After``, deadline, logging."""
        deadline = None if timeout.total is None else self.clock() + timeout.total
        attempt = 0
        while True:
            attempt += 1
            read = timeout.read
            if deadline is not None:
                read = max(0.001, min(read, deadline - self.clock()))
            outcome = send((timeout.connect, read))
            self._log(method, url, outcome, attempt, body)
            delay = self._retry_delay(outcome, attempt, idempotent, accepted)
            if delay is not None and deadline is not None and self.clock() + delay >= deadline:
                delay = None  # the deadline would pass while waiting
            if delay is None:
                return self._finish(method, url, outcome, attempt, accepted)
            self._warn_retry(method, url, outcome, attempt, delay)
            self.sleep(delay)

    def _warn_retry(
        self, method: str, url: str, outcome: _Attempt, attempt: int, delay: float
    ) -> None:
        if outcome.response is not None:
            why = f"HTTP {outcome.response.status_code}"
        else:
            why = type(outcome.error).__name__
        logger.warning(
            "%s %s: %s on attempt %d of %d; waiting %.1f s before retrying",
            method,
            self.scrub(url),
            why,
            attempt,
            self.retry.max_attempts,
            delay,
        )

    def _attempt(
        self,
        method: str,
        url: str,
        data: bytes | None,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        timeout: tuple[float, float],
        *,
        stream: bool = False,
    ) -> _Attempt:
        if self.limiter is not None:
            self.limiter.acquire()
        self.request_count += 1
        started = self.clock()
        try:
            raw = self.session.request(
                method,
                url,
                data=data,
                params=params,
                headers=headers,
                timeout=timeout,
                stream=stream,
            )
        except requests.RequestException as exc:
            self.overload_count += 1
            return _Attempt(error=exc)
        elapsed = self.last_elapsed = self.clock() - started
        if raw.status_code == 429 or raw.status_code >= 500:
            self.overload_count += 1
        if stream and 200 <= raw.status_code < 300:
            return _Attempt(response=self._wrap(raw, b"", elapsed), raw=raw)
        return _Attempt(response=self._wrap(raw, raw.content, elapsed))

    @staticmethod
    def _wrap(raw: requests.Response, body: bytes, elapsed: float) -> HTTPResponse:
        return HTTPResponse(
            status_code=raw.status_code,
            headers=dict(raw.headers),
            content=body,
            url=raw.url,
            elapsed=elapsed,
        )

    def _retry_delay(
        self, outcome: _Attempt, attempt: int, idempotent: bool, accepted: frozenset[int]
    ) -> float | None:
        """Seconds to wait before the next attempt, or None to stop here."""
        if attempt >= self.retry.max_attempts:
            return None
        response = outcome.response
        if response is None:
            if idempotent or _never_sent(outcome.error):
                return self.retry.backoff(attempt, self.rng)
            return None
        status = response.status_code
        if 200 <= status < 300 or status in accepted or status not in RETRY_STATUSES:
            return None
        if status != 429 and not idempotent:
            return None
        return self._status_delay(response, attempt)

    def _status_delay(self, response: HTTPResponse, attempt: int) -> float:
        retry_after = self._retry_after(response)
        if retry_after is not None:
            return min(retry_after, self.retry.retry_after_max)
        return self.retry.backoff(attempt, self.rng)

    def _retry_after(self, response: HTTPResponse) -> float | None:
        """Parse ``Retry-After`` as delta-seconds or an HTTP-date; None when absent/invalid."""
        value = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), None)
        if value is None:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - self.wallclock())

    def _finish(
        self, method: str, url: str, outcome: _Attempt, attempt: int, accepted: frozenset[int]
    ) -> _Attempt:
        response = outcome.response
        if response is not None and (
            200 <= response.status_code < 300 or response.status_code in accepted
        ):
            return outcome
        return self._raise(method, url, outcome, attempt)

    def _raise(self, method: str, url: str, outcome: _Attempt, attempt: int) -> NoReturn:
        response = outcome.response
        if response is None:
            error = outcome.error or requests.RequestException("no response")
            raise self._transport_error(method, url, error, attempt) from None
        raise status_error(
            status_code=response.status_code,
            body_excerpt=self.scrub(response.text[:BODY_EXCERPT_CHARS]),
            method=method,
            url=self.scrub(url),
            attempts=attempt,
            retry_after=self._retry_after(response),
        )

    def _transport_error(
        self, method: str, url: str, exc: requests.RequestException, attempt: int
    ) -> TransportError:
        safe_url = self.scrub(url)
        kind = type(exc).__name__
        if isinstance(exc, requests.exceptions.Timeout):
            return APITimeoutError(
                f"{kind}: {method} {safe_url} timed out after {attempt} attempt(s)",
                method=method,
                url=safe_url,
                attempts=attempt,
            )
        return TransportError(
            f"{kind}: {method} {safe_url} failed after {attempt} attempt(s): "
            f"{self.scrub(str(exc))[:BODY_EXCERPT_CHARS]}",
            method=method,
            url=safe_url,
            attempts=attempt,
        )

    def _log(self, method: str, url: str, outcome: _Attempt, attempt: int, body: Any) -> None:
        """One DEBUG line per attempt: secrets redacted, personal data masked by default."""
        if not logger.isEnabledFor(logging.DEBUG):
            return
        if outcome.response is not None:
            status = str(outcome.response.status_code)
            duration = outcome.response.elapsed
        else:
            status = type(outcome.error).__name__
            duration = 0.0
        all_headers = {k: str(v) for k, v in self.session.headers.items()}
        shown = redact(body)
        if not personal_data_allowed():
            shown = mask_personal(shown)
        logger.debug(
            "%s %s -> %s (attempt %d, %.3fs) headers=%s body=%s",
            method,
            self.scrub(url),
            status,
            attempt,
            duration,
            _redact_headers(all_headers),
            self.scrub(json.dumps(shown, ensure_ascii=False, default=str)),
        )
