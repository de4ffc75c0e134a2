"""A standard-library WSGI application (PEP 3333) serving the two callback paths.

``GET`` and ``POST`` are accepted on ``/salesmanago/opt-in`` and ``/salesmanago/opt-out``
(relative to where the application is mounted, i.e. ``PATH_INFO``); parameters come from the
query string and, for ``application/x-www-form-urlencoded`` bodies, from the body. Every
answer is JSON ``{"success": bool, "message": str}``: 404 for other paths, 405 for other
methods, 413 for bodies over :data:`MAX_BODY` bytes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import parse_qs

from .models import CallbackKind, CallbackResult, Params, result

__all__ = [
    "MAX_BODY",
    "StartResponse",
    "WSGIApplication",
    "WSGIEnvironment",
    "make_wsgi_app",
]

logger = logging.getLogger("salesmanago_idosell")

#: Largest form body read, in bytes (an e-mail and a token need far less).
MAX_BODY = 16 * 1024
_MAX_FIELDS = 20
_FORM = "application/x-www-form-urlencoded"
_ALLOWED = ("GET", "POST")

#: The WSGI ``environ`` dictionary.
WSGIEnvironment = dict[str, Any]
_ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class StartResponse(Protocol):
    """The ``start_response`` callable a WSGI server passes to the application."""

    def __call__(
        self, status: str, headers: list[tuple[str, str]], exc_info: _ExcInfo | None = ..., /
    ) -> Callable[[bytes], object]:
        """Begin the response with a status line and headers."""


#: A WSGI application (``wsgiref.types.WSGIApplication`` on Python 3.11+).
WSGIApplication = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]
#: What the application calls for each callback (``Callbacks.handle``).
Handler = Callable[[CallbackKind, Params], CallbackResult]


class _RequestError(Exception):
    """A request the application refuses before calling the handler."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _route(environ: WSGIEnvironment) -> CallbackKind:
    path = str(environ.get("PATH_INFO") or "/").rstrip("/")
    kind = next((k for k in CallbackKind if k.path == path), None)
    if kind is None:
        raise _RequestError(404, "Not found")
    if str(environ.get("REQUEST_METHOD", "GET")).upper() not in _ALLOWED:
        raise _RequestError(405, "Method not allowed")
    return kind


def _parse(text: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, max_num_fields=_MAX_FIELDS)
    except ValueError:  # too many fields
        raise _RequestError(400, "Validation failed: too many parameters") from None


def _query(environ: WSGIEnvironment) -> str:
    """The query string; PEP 3333 servers hand raw bytes over as Latin-1 text."""
    text = str(environ.get("QUERY_STRING") or "")
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def _body(environ: WSGIEnvironment) -> str:
    if str(environ.get("REQUEST_METHOD", "")).upper() != "POST":
        return ""
    if not str(environ.get("CONTENT_TYPE") or "").lower().startswith(_FORM):
        return ""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _RequestError(400, "Validation failed: bad Content-Length") from None
    if length > MAX_BODY:
        raise _RequestError(413, "Request body too large")
    if length <= 0:
        return ""
    data: bytes = environ["wsgi.input"].read(length)
    return data.decode("utf-8", "replace")


def request_params(environ: WSGIEnvironment) -> dict[str, list[str]]:
    """The query-string and form-body parameters of a request, every value of each name."""
    params = _parse(_query(environ))
    for name, values in _parse(_body(environ)).items():
        params.setdefault(name, []).extend(values)
    return params


def _answer(environ: WSGIEnvironment, handle: Handler) -> CallbackResult:
    try:
        kind = _route(environ)
        return handle(kind, request_params(environ))
    except _RequestError as refused:
        return result(refused.status, refused.message)
    except Exception:  # a bug must not leak a traceback to the caller
        logger.exception("callback handling failed")
        return result(500, "General error")


def make_wsgi_app(handle: Handler) -> WSGIApplication:
    """A WSGI application that answers both callback paths through ``handle``.

    Example:
        >>> from wsgiref.simple_server import make_server  # doctest: +SKIP
        >>> make_server("", 8000, callbacks.wsgi_app()).serve_forever()  # doctest: +SKIP
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = _answer(environ, handle)
        body = answer.json_bytes()
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
        if answer.status == 405:
            headers.append(("Allow", ", ".join(_ALLOWED)))
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
        return [body]

    return app
