"""The one exception hierarchy of the SDK.

Every exception the SDK raises derives from :class:`SalesmanagoIdosellError`, so
``except SalesmanagoIdosellError`` catches everything the library can throw on purpose::

    SalesmanagoIdosellError
    ├── ValidationError            bad input given to the SDK (names the field)
    ├── TransportError             the request got no HTTP answer
    │   └── APITimeoutError        connect or read timeout
    ├── HTTPStatusError            a non-2xx answer without an API error body
    │   ├── AuthenticationError    401 / 403
    │   ├── NotFoundError          404
    │   ├── RateLimitError         429 (``retry_after`` in seconds, if given)
    │   └── ServerError            5xx
    ├── APIError                   the API's own error, in the body (any HTTP status)
    │   ├── SalesmanagoAPIError    v2 ``success: false`` with ``message[]``
    │   ├── SalesmanagoV3APIError  v3 ``reasonCode`` / ``problems``
    │   └── IdosellAPIError        IdoSell ``faultCode`` / ``faultString``
    ├── JobTimeoutError            an asynchronous job did not finish in time
    ├── ResponseValidationError    a 2xx body the SDK could not understand
    │   └── PageShapeError         a page that is not a page (error body, missing rows)
    ├── PartialBatchError          a chunked call stopped after some chunks were stored
    ├── SyncInProgressError        another run holds the state's run lease
    ├── StateMismatchError         a state store used with another shop or account
    ├── StateStoreError            a state file that cannot be opened, read or written
    └── FeedError                  a malformed or hostile XML feed

Exception messages never contain a secret: the clients scrub every known secret value from
every text and field of an exception before it leaves them (:meth:`~SalesmanagoIdosellError.scrub`).

Every exception pickles and unpickles with its message and fields, so an error raised in a
worker process (``ProcessPoolExecutor``, Celery prefork) reaches the parent intact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
from attrs import frozen

__all__ = [
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "FeedError",
    "HTTPStatusError",
    "IdosellAPIError",
    "IdosellItemsError",
    "JobTimeoutError",
    "NotFoundError",
    "PageShapeError",
    "PartialBatchError",
    "RateLimitError",
    "ResponseValidationError",
    "SalesmanagoAPIError",
    "SalesmanagoIdosellError",
    "SalesmanagoV3APIError",
    "ServerError",
    "StateMismatchError",
    "StateStoreError",
    "SyncInProgressError",
    "TransportError",
    "V3Problem",
    "ValidationError",
    "status_error",
]


def _restore(cls: type[BaseException], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    """Rebuild a pickled exception without calling its keyword-only ``__init__``."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


def _scrub_value(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, tuple):
        return tuple(_scrub_value(v, scrub) for v in value)
    if isinstance(value, list):
        return [_scrub_value(v, scrub) for v in value]
    if attrs.has(type(value)):
        changes = {
            a.name: _scrub_value(getattr(value, a.name), scrub)
            for a in attrs.fields(type(value))
            if a.init
        }
        return attrs.evolve(value, **changes)
    return value


class SalesmanagoIdosellError(Exception):
    """Root of every exception raised by ``salesmanago_idosell``.

    Every subclass pickles with its attributes (keyword-only constructors included), so an
    error crosses process boundaries intact (Celery results, multiprocessing).
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))

    def scrub(self, scrub: Callable[[str], str]) -> None:
        """Pass the message and every text field through ``scrub`` (secret removal), in place."""
        self.args = tuple(_scrub_value(a, scrub) for a in self.args)
        for name, value in list(self.__dict__.items()):
            self.__dict__[name] = _scrub_value(value, scrub)


class ValidationError(SalesmanagoIdosellError, ValueError):
    """Input given to the SDK is invalid; nothing was sent.

    Attributes:
        field: the name of the offending field (Python name), when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class TransportError(SalesmanagoIdosellError):
    """The request got no HTTP answer (DNS, refused or dropped connection, timeout).

    Attributes:
        method: HTTP method of the failed request.
        url: the URL (never carries a secret; query secrets are redacted).
        attempts: how many attempts were made before giving up.
    """

    def __init__(self, message: str, *, method: str, url: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts


class APITimeoutError(TransportError):
    """The connect or read timeout expired."""


class HTTPStatusError(SalesmanagoIdosellError):
    """The server answered with a non-2xx status and no recognisable API error body.

    Attributes:
        status_code: the HTTP status.
        body_excerpt: the first characters of the body (secrets scrubbed).
        method: HTTP method.
        url: request URL.
        attempts: attempts made before giving up.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body_excerpt: str,
        method: str,
        url: str,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body_excerpt = body_excerpt
        self.method = method
        self.url = url
        self.attempts = attempts


class AuthenticationError(HTTPStatusError):
    """The credentials were refused; a sync stops at the first such answer.

    Raised for HTTP 401/403 from either API, for SALESmanago API v2's ``success: false``
    with a "not authenticated" message (HTTP 200) and for API v3's reason code 10. The
    ``body_excerpt`` holds the API's own message.
    """


class NotFoundError(HTTPStatusError):
    """HTTP 404."""


class RateLimitError(HTTPStatusError):
    """HTTP 429 after every allowed attempt.

    Attributes:
        retry_after: the server's ``Retry-After`` in seconds, if it sent one.
    """

    retry_after: float | None = None


class ServerError(HTTPStatusError):
    """HTTP 5xx after every allowed attempt."""


def status_error(
    *,
    status_code: int,
    body_excerpt: str,
    method: str,
    url: str,
    attempts: int = 1,
    retry_after: float | None = None,
) -> HTTPStatusError:
    """Build the :class:`HTTPStatusError` subclass that matches ``status_code``."""
    cls: type[HTTPStatusError]
    if status_code in (401, 403):
        cls = AuthenticationError
    elif status_code == 404:
        cls = NotFoundError
    elif status_code == 429:
        cls = RateLimitError
    elif status_code >= 500:
        cls = ServerError
    else:
        cls = HTTPStatusError
    message = f"HTTP {status_code} from {method} {url}"
    if body_excerpt:
        message += f": {body_excerpt}"
    error = cls(
        message,
        status_code=status_code,
        body_excerpt=body_excerpt,
        method=method,
        url=url,
        attempts=attempts,
    )
    if isinstance(error, RateLimitError):
        error.retry_after = retry_after
    return error


class APIError(SalesmanagoIdosellError):
    """The API reported an error of its own inside the response body.

    Attributes:
        status_code: the HTTP status of the answer carrying the error (often 200).
        endpoint: the API path that was called.
    """

    def __init__(self, message: str, *, status_code: int, endpoint: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.endpoint = endpoint


class SalesmanagoAPIError(APIError):
    """SALESmanago API v2 answered ``success: false``.

    Attributes:
        messages: the API's ``message`` list, as sent.
    """

    def __init__(self, *, messages: Sequence[str], status_code: int, endpoint: str) -> None:
        self.messages = tuple(messages)
        text = "; ".join(self.messages) or "success: false without a message"
        super().__init__(
            f"SALESmanago {endpoint} failed: {text}", status_code=status_code, endpoint=endpoint
        )


@frozen
class V3Problem:
    """One item-level problem reported by SALESmanago API v3.

    Attributes:
        reason_code: the API's reason code (11 too long, 13 missing, 14 wrong type, ...);
            ``None`` when the API sent none (or not a number).
        message: the API's message, e.g. ``"name|max:256|value too long"``.
        field: the field name parsed from the message (before the first ``|`` or ``:``).
    """

    reason_code: int | None
    message: str
    field: str | None


class SalesmanagoV3APIError(APIError):
    """SALESmanago API v3 answered with a reason code other than the warning 12.

    Attributes:
        reason_code: the request-level reason code (first problem's code if item-level only).
        messages: the API's messages.
        problems: item-level problems, each naming its field.
        fields: the names of the offending fields.
    """

    def __init__(
        self,
        *,
        reason_code: int | None,
        messages: Sequence[str],
        problems: Sequence[V3Problem],
        status_code: int,
        endpoint: str,
    ) -> None:
        self.reason_code = reason_code
        self.messages = tuple(messages)
        self.problems = tuple(problems)
        self.fields = tuple(p.field for p in self.problems if p.field)
        parts = list(self.messages) + [
            f"[{p.reason_code}] {p.field or '?'}: {p.message}" for p in self.problems
        ]
        text = "; ".join(parts) or "no message"
        super().__init__(
            f"SALESmanago v3 {endpoint} failed (reasonCode {reason_code}): {text}",
            status_code=status_code,
            endpoint=endpoint,
        )


class IdosellAPIError(APIError):
    """IdoSell answered with a ``faultCode`` other than 0 (or an empty-result code).

    Attributes:
        fault_code: IdoSell's ``faultCode``.
        fault_string: IdoSell's ``faultString``.
    """

    def __init__(
        self, *, fault_code: int, fault_string: str, status_code: int, endpoint: str
    ) -> None:
        self.fault_code = fault_code
        self.fault_string = fault_string
        super().__init__(
            f"IdoSell {endpoint} failed: faultCode {fault_code}: {fault_string}",
            status_code=status_code,
            endpoint=endpoint,
        )


class IdosellItemsError(IdosellAPIError):
    """Some items of a multi-item write failed (HTTP 207: one result per item, with errors).

    ``fault_code`` and ``fault_string`` are the first failed item's; the items that succeeded
    were applied (IdoSell does not roll them back).

    Attributes:
        results: every item's result, in the order sent (``ItemResult`` of the snippets API).
        failed: the indexes of the items that failed.
    """

    def __init__(
        self,
        *,
        fault_code: int,
        fault_string: str,
        status_code: int,
        endpoint: str,
        results: Sequence[Any],
        failed: Sequence[int],
    ) -> None:
        super().__init__(
            fault_code=fault_code,
            fault_string=f"item {failed[0]} of {len(results)}: {fault_string}",
            status_code=status_code,
            endpoint=endpoint,
        )
        self.results = tuple(results)
        self.failed = tuple(failed)


class JobTimeoutError(SalesmanagoIdosellError):
    """An asynchronous API job was still running when the caller's timeout expired.

    Attributes:
        request_id: the job's request id, to poll again later.
    """

    def __init__(self, message: str, *, request_id: str) -> None:
        super().__init__(message)
        self.request_id = request_id


class ResponseValidationError(SalesmanagoIdosellError):
    """A successful answer had a shape the SDK could not turn into its models.

    Attributes:
        endpoint: the API path that was called.
    """

    def __init__(self, message: str, *, endpoint: str) -> None:
        super().__init__(message)
        self.endpoint = endpoint


class FeedError(SalesmanagoIdosellError):
    """An XML feed is malformed, hostile or of an unsupported version.

    Attributes:
        line: 1-based line of the problem, when known.
        column: 0-based column of the problem, when known.
        item: index or id of the item being read, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        item: str | None = None,
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.item = item


class PageShapeError(ResponseValidationError):
    """A page of a paged IdoSell gate that is not a page: an error body, an unknown fault, or
    fewer rows than the gate promised before its last page.

    A stream that meets it stops and is *not* marked complete, so no record is skipped.

    Attributes:
        page: the 0-based page number that was asked for.
    """

    def __init__(self, message: str, *, endpoint: str, page: int) -> None:
        super().__init__(message, endpoint=endpoint)
        self.page = page


class PartialBatchError(SalesmanagoIdosellError):
    """A chunked batch call stopped at a failing chunk after earlier chunks were stored.

    Attributes:
        acknowledged: how many leading items SALESmanago acknowledged (whole chunks).
        failed_start: index of the first item of the failing chunk.
        failed_end: index after the last item of the failing chunk.
        certain: True when the failing chunk was certainly not stored (``success: false``),
            False when it may have been (timeout, dropped connection, 5xx).
        cause: the failing chunk's own exception.
    """

    def __init__(
        self,
        message: str,
        *,
        acknowledged: int,
        failed_start: int,
        failed_end: int,
        certain: bool,
        cause: SalesmanagoIdosellError,
    ) -> None:
        super().__init__(message)
        self.acknowledged = acknowledged
        self.failed_start = failed_start
        self.failed_end = failed_end
        self.certain = certain
        self.cause = cause


class SyncInProgressError(SalesmanagoIdosellError):
    """Another run holds the state store's run lease (one run at a time per shop state).

    Attributes:
        holder: who holds it (``host``, ``pid``, start time), as text.
        expires_at: when the lease expires unless renewed (ISO 8601, UTC).
    """

    def __init__(self, message: str, *, holder: str, expires_at: str) -> None:
        super().__init__(message)
        self.holder = holder
        self.expires_at = expires_at


class StateMismatchError(SalesmanagoIdosellError):
    """A state store was written for another shop or SALESmanago account.

    Using it would skip that shop's records as "already sent" or re-send this one's.

    Attributes:
        stored: the identity recorded in the store (``shop host | client id``).
        current: the identity of this integration.
    """

    def __init__(self, message: str, *, stored: str, current: str) -> None:
        super().__init__(message)
        self.stored = stored
        self.current = current


class StateStoreError(SalesmanagoIdosellError):
    """A state store that cannot be used: the file cannot be opened, is not a database, or
    is read-only (the message names the file and the database's own error).

    Attributes:
        path: the state file (or the store's location).
    """

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path
