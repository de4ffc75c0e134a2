"""How fast a webhook is answered, and how soon its order is in SALESmanago, on the sandbox.

Run: ``.venv/bin/python benchmarks/bench_webhooks.py [--deliveries 30]``. In one run, on a
sandbox shop of 500 customers and 1000 orders, new orders are announced by signed webhooks
to the integration's WSGI app on loopback, and the script prints:

* the median time to the HTTP answer with the default background-thread dispatcher against
  the inline dispatcher (the answer waits for the targeted sync): the ratio is how much of
  the sync the sender no longer waits for;
* the median time from delivery to the PURCHASE being stored, against one incremental poll
  (``sync_orders()``) run right after the order was created — the work a cron tick does at
  best, before counting the wait for the tick itself.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server
from zoneinfo import ZoneInfo

from salesmanago_idosell import Integration
from salesmanago_idosell._validation import email_problem
from salesmanago_idosell.demo import demo_config
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.testing import Sandbox
from salesmanago_idosell.testing.shop import Order
from salesmanago_idosell.webhooks import ThreadDispatcher, inline, make_wsgi_app

SECRET, TOKEN = "bench-secret", "bench-token"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        """No request log."""


@contextmanager
def _served(app: Any) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _new_order(box: Sandbox) -> Order:
    customer = next(c for c in box.shop.customers if email_problem(c.email.strip()) is None)
    now = datetime.now(ZoneInfo("Europe/Warsaw")).replace(tzinfo=None, microsecond=0)
    return box.idosell.add_order(customer.id, [(box.shop.products[0].id, 1)], added=now)


def _stored(box: Sandbox, serial: int) -> bool:
    return any(e.fields.get("externalId") == str(serial) for e in box.salesmanago.events.values())


def _deliveries(
    box: Sandbox, integration: Integration, dispatch: Callable[..., Any], count: int
) -> tuple[list[float], list[float]]:
    receiver = integration.webhook_receiver(secret=SECRET, token=TOKEN, dispatch=dispatch)
    answers, arrivals = [], []
    with _served(make_wsgi_app(receiver)) as url:
        for _ in range(count):
            order = _new_order(box)
            started = time.perf_counter()
            status, _ = box.idosell.send_order_webhook(
                url, [order.serial], secret=SECRET, token=TOKEN
            )
            answers.append(time.perf_counter() - started)
            assert status == 202
            for _ in range(2000):  # bounded wait for the background sync
                if _stored(box, order.serial):
                    break
                time.sleep(0.001)
            arrivals.append(time.perf_counter() - started)
    receiver.replay.close()
    return answers, arrivals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=30)
    args = parser.parse_args()
    with (
        Sandbox(3, customers=500, subscribers=50, orders=1000, products=100) as box,
        TemporaryDirectory() as tmp,
    ):
        config = demo_config(box, ConsentMode.ALL)
        with Integration(config, state=Path(tmp) / "s.sqlite", sleep=lambda _: None) as it:
            it.sync_orders()  # the shop's history, once
            threaded = ThreadDispatcher(it.sync_orders_by_serial)
            fast, fast_arrival = _deliveries(box, it, threaded, args.deliveries)
            threaded.close()
            slow, _ = _deliveries(box, it, inline(it.sync_orders_by_serial), args.deliveries)
            polls = []
            for _ in range(args.deliveries):
                _new_order(box)
                started = time.perf_counter()
                it.sync_orders()
                polls.append(time.perf_counter() - started)
    med = statistics.median
    print(f"answer, thread dispatcher : {med(fast) * 1000:7.2f} ms (median of {len(fast)})")
    print(f"answer, inline dispatcher : {med(slow) * 1000:7.2f} ms")
    print(f"  ratio thread / inline   : {med(fast) / med(slow):.2f}")
    print(f"delivery -> PURCHASE      : {med(fast_arrival) * 1000:7.2f} ms")
    print(f"one incremental poll      : {med(polls) * 1000:7.2f} ms (plus the wait for the tick)")
    print(f"  ratio webhook / poll    : {med(fast_arrival) / med(polls):.2f}")


if __name__ == "__main__":
    main()
