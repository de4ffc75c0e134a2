"""Requests per second of the fake IdoSell clients gate vs. a bare ThreadingHTTPServer.

Run: ``.venv/bin/python benchmarks/bench_sandbox.py [--requests 2000]``. Both servers are
measured in the same run over one kept-alive HTTP/1.1 connection (``http.client``), so the
ratio shows the cost of the fake's routing, auth, fault injection, logging and filtering
(1-row page) plus building and JSON-encoding rows (100-row page) relative to the standard
library's bare minimum.
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from salesmanago_idosell.testing import FakeIdoSell, generate_shop

GATE = "/api/admin/v6/clients/clients?resultsPage=0&resultsLimit="


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        body = self.path.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """No logging."""


def _rate(port: int, path: str, headers: dict[str, str], count: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        started = time.perf_counter()
        for _ in range(count):
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        return count / (time.perf_counter() - started)
    finally:
        connection.close()


def bench_echo(count: int) -> float:
    """Requests/s of a bare ThreadingHTTPServer echoing the path."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return _rate(server.server_address[1], "/echo", {}, count)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def bench_fake(count: int, limit: int) -> float:
    """Requests/s of ``GET /clients/clients`` (``limit`` rows per page) on the fake IdoSell."""
    with FakeIdoSell(generate_shop(1, customers=500, orders=0, products=1)) as fake:
        port = int(fake.url.rsplit(":", 1)[1])
        return _rate(port, f"{GATE}{limit}", {"X-API-KEY": fake.api_key}, count)


def main() -> None:
    """Measure both and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    count = parser.parse_args().requests
    echo = bench_echo(count)
    small, full = bench_fake(count, 1), bench_fake(count, 100)
    print(f"bare ThreadingHTTPServer echo:       {echo:9.0f} requests/s")
    print(f"FakeIdoSell clients gate (1 row):    {small:9.0f} requests/s  ratio {small / echo:.3f}")
    print(f"FakeIdoSell clients gate (100 rows): {full:9.0f} requests/s  ratio {full / echo:.3f}")


if __name__ == "__main__":
    main()
