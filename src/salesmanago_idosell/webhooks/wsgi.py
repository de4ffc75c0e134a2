"""A standard-library WSGI application (PEP 3333) serving the webhook receiver.

Every path of the mount point accepts ``POST`` (others: 405); the body is read up to
:data:`MAX_BODY` bytes (413 beyond). The answer is JSON ``{"success": bool, "message": str}``
with the receiver's status (see :mod:`.receiver`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus

from ..callbacks.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
from .receiver import WebhookReceiver, WebhookResult

__all__ = ["MAX_BODY", "make_wsgi_app", "request_headers"]

logger = logging.getLogger("salesmanago_idosell")

#: Largest body read, in bytes (an order event is far smaller).
MAX_BODY = 1024 * 1024


def request_headers(environ: WSGIEnvironment) -> dict[str, str]:
    """The request headers with lower-case names (``HTTP_X_IAI_EVENT`` -> ``x-iai-event``)."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    return headers


def _body(environ: WSGIEnvironment) -> bytes | WebhookResult:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return WebhookResult(400, "bad Content-Length")
    if length > MAX_BODY:
        return WebhookResult(413, "request body too large")
    if length <= 0:
        return b""
    data: bytes = environ["wsgi.input"].read(length)
    return data


def _answer(environ: WSGIEnvironment, receiver: WebhookReceiver) -> WebhookResult:
    if str(environ.get("REQUEST_METHOD", "")).upper() != "POST":
        return WebhookResult(405, "method not allowed")
    body = _body(environ)
    if isinstance(body, WebhookResult):
        return body
    try:
        return receiver.handle(request_headers(environ), body)
    except Exception:  # a bug must not leak a traceback to the sender
        logger.exception("webhook handling failed")
        return WebhookResult(500, "general error")


def make_wsgi_app(receiver: WebhookReceiver) -> WSGIApplication:
    """A WSGI application answering webhook deliveries through ``receiver``.

    Example:
        >>> from wsgiref.simple_server import make_server  # doctest: +SKIP
        >>> make_server("", 8001, make_wsgi_app(receiver)).serve_forever()  # doctest: +SKIP
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        answer = _answer(environ, receiver)
        body = answer.json_bytes()
        headers = [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
        if answer.status == 405:
            headers.append(("Allow", "POST"))
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", headers)
        return [body]

    return app
