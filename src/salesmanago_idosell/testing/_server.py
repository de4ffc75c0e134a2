"""The threading HTTP server shared by both fakes: routing, fault injection, request log.

Everything here is standard library. A fake subclasses :class:`FakeServer`, registers routes
with :meth:`FakeServer.route` and answers :class:`Request` objects with :class:`Response`
objects; the base class binds 127.0.0.1 on a free port, injects faults, logs every request
and shuts down without leaking threads or sockets.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from ._http import Request, RequestRecord, Response
from .faults import Decision, FaultInjector, Faults, FaultSpec

__all__ = ["FakeServer"]

_SHUTDOWN_JOIN_SECONDS = 5.0


Handler = Callable[[Request], Response]
_S = TypeVar("_S", bound="FakeServer")

_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


def _html_error(status: int) -> Response:
    """An injected failure, shaped like a load balancer's HTML error page."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return Response(status, page, {}, "text/html; charset=utf-8")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, app: FakeServer) -> None:
        self.app = app
        self.open_connections: set[socket.socket] = set()
        self.threads: set[threading.Thread] = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_one, args=(request, client_address), daemon=True
        )
        with self.conn_lock:
            self.open_connections.add(request)
            self.threads.add(thread)
        thread.start()

    def _serve_one(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.conn_lock:
                self.open_connections.discard(request)
                self.threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client went away; report anything else as usual."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def close_all(self) -> None:
        with self.conn_lock:
            connections, threads = list(self.open_connections), list(self.threads)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(_SHUTDOWN_JOIN_SECONDS)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _HTTPServer
    timeout = 30

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr logging."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        answer = self.server.app.answer(request)
        if answer is None:
            self.close_connection = True
            return
        payload = answer.encoded()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class FakeServer:
    """Base of the fakes: a real HTTP server on 127.0.0.1 with a free port.

    Use it as a context manager (``with FakeIdoSell() as shop: ...``) or call
    :meth:`start` / :meth:`stop`. ``faults`` sets fault injection for every endpoint;
    ``seed`` makes the injected faults repeatable.
    """

    def __init__(self, *, seed: int = 0, faults: FaultSpec = None) -> None:
        self.faults = FaultInjector(seed=seed, faults=faults)
        self._routes: dict[tuple[str, str], Handler] = {}
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL of the running server, e.g. ``http://127.0.0.1:54321``."""
        if self._httpd is None:
            raise RuntimeError("the fake server is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._httpd is not None

    def start(self: _S) -> _S:
        """Bind a free port on 127.0.0.1 and serve in a background thread."""
        if self._httpd is None:
            self._httpd = _HTTPServer(self)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every open connection and join all server threads."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        httpd.close_all()
        if thread is not None:
            thread.join(_SHUTDOWN_JOIN_SECONDS)

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- routing and faults ----------------------------------------------------------------
    def route(self, method: str, path: str, handler: Handler) -> None:
        """Register ``handler`` for an exact method and path."""
        self._routes[(method.upper(), path)] = handler

    def endpoint_of(self, request: Request) -> str:
        """The route key of a request (``"METHOD /path"``); fakes may normalise the path."""
        return f"{request.method} {request.path}"

    def set_faults(self, faults: Faults | None, *, endpoint: str | None = None) -> None:
        """Set the fault mix for one endpoint (``"POST /api/contact/upsert"``) or all."""
        self.faults.set(faults, endpoint=endpoint)

    def answer(self, request: Request) -> Response | None:
        """Answer one request (``None`` = drop the connection); logs it."""
        started, clock = time.time(), time.perf_counter()
        endpoint = self.endpoint_of(request)
        decision = self.faults.decide(endpoint)
        if decision.latency:
            time.sleep(decision.latency)
        answer = self._answer_with(decision, request, endpoint)
        record = RequestRecord(
            method=request.method,
            path=request.path,
            endpoint=endpoint,
            status=0 if answer is None else answer.status,
            duration=time.perf_counter() - clock,
            fault=decision.kind,
            started=started,
        )
        with self._log_lock:
            self._log.append(record)
        return answer

    def _answer_with(self, decision: Decision, request: Request, endpoint: str) -> Response | None:
        if decision.drop_before:
            return None
        if decision.status == 429:
            headers = {"Retry-After": str(decision.retry_after)}
            return Response(429, "Too Many Requests", headers, "text/plain; charset=utf-8")
        if decision.status is not None:
            return _html_error(decision.status)
        answer = self._handle(request, endpoint)
        if decision.after == "drop":
            return None
        if decision.after == "status":
            return _html_error(decision.after_status)
        return answer

    def _handle(self, request: Request, endpoint: str) -> Response:
        method, path = endpoint.split(" ", 1)
        handler = self._routes.get((method, path))
        if handler is None:
            return self.not_found(request)
        try:
            return handler(request)
        except Exception as exc:  # a fake must answer, not crash
            return Response(500, {"error": f"fake server error: {type(exc).__name__}: {exc}"})

    def not_found(self, request: Request) -> Response:
        """The answer for an unknown path (fakes override it with their API's shape)."""
        return Response(404, {"error": f"no such endpoint: {request.method} {request.path}"})

    # -- request log -----------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._log_lock:
            return list(self._log)

    def count(self, endpoint: str | None = None, *, status: int | None = None) -> int:
        """How many requests matched ``endpoint`` (``"METHOD /path"`` or a bare path)."""
        return sum(
            1
            for r in self.requests
            if (endpoint is None or endpoint in (r.endpoint, r.endpoint.split(" ", 1)[1]))
            and (status is None or r.status == status)
        )

    def clear_log(self) -> None:
        """Forget every logged request."""
        with self._log_lock:
            self._log.clear()
