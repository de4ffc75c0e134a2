"""The request, response and request-log records shared by the fake servers."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Request", "RequestRecord", "Response"]


@dataclass(frozen=True)
class Request:
    """One HTTP request as the fakes see it.

    Attributes:
        method: ``GET``, ``POST``, ...
        path: the URL path without the query string.
        query: the parsed query string (every key maps to a list of values).
        headers: request headers with lower-case names.
        body: the raw request body.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON (raises ``ValueError`` when it is not JSON)."""
        return json.loads(self.body.decode("utf-8"))

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter, or ``None``."""
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Response:
    """An answer: status, a JSON-able body (or raw bytes) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"

    def encoded(self) -> bytes:
        """The body as bytes (JSON unless it already is bytes or text)."""
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class RequestRecord:
    """One line of the request log.

    Attributes:
        method: HTTP method.
        path: URL path.
        endpoint: the route key the request matched (``"POST /api/contact/upsert"``).
        status: the status sent, or ``0`` when the connection was dropped.
        duration: seconds spent answering (including injected latency).
        fault: the injected fault kind, or ``None``.
        started: wall-clock time (``time.time()``) when the request arrived.
    """

    method: str
    path: str
    endpoint: str
    status: int
    duration: float
    fault: str | None
    started: float
