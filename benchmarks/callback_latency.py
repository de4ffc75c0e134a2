"""Opt-out callback latency while a sync runs: the callbacks' own IdoSell budget vs. sharing
the sync's.

Run: ``.venv/bin/python benchmarks/callback_latency.py [--callbacks 12] [--rate 2]``. A
customer export runs in a thread against the sandbox's fake IdoSell, throttled to ``--rate``
requests per second (the shop's budget); meanwhile opt-out callbacks are handled one after
another and timed. The baseline, measured in the same run, hands the callbacks the sync's own
IdoSell client (what ``Integration.callbacks`` did before it got a budget of its own).
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import threading
import time
from collections.abc import Callable

from salesmanago_idosell import Integration, IntegrationConfig
from salesmanago_idosell.callbacks import Callbacks
from salesmanago_idosell.errors import SalesmanagoIdosellError
from salesmanago_idosell.testing import Sandbox

TOKEN = "bench-Token_1"  # noqa: S105 - the sandbox's callback token


def _config(box: Sandbox, rate: float) -> IntegrationConfig:
    sm, shop = box.salesmanago, box.idosell
    return IntegrationConfig(
        salesmanago_client_id=sm.client_id,
        salesmanago_api_secret=sm.api_secret,
        salesmanago_owner=sm.owner,
        salesmanago_endpoint=sm.url,
        idosell_shop_url=shop.url,
        idosell_api_key=shop.api_key,
        idosell_rate_limit=rate,
        callback_rate_limit=rate,
        opt_out_token=TOKEN,
        page_size=5,  # many small pages: the sync keeps the shop's budget busy
        contact_batch_size=5,
    )


def _latencies(
    box: Sandbox, rate: float, count: int, callbacks_of: Callable[[Integration], Callbacks]
) -> list[float]:
    integration = Integration(_config(box, rate))
    callbacks = callbacks_of(integration)

    def run_sync() -> None:
        with contextlib.suppress(SalesmanagoIdosellError):  # the sandbox stops under it
            integration.export_customers()

    sync = threading.Thread(target=run_sync, daemon=True)
    sync.start()
    time.sleep(1.0)  # let the sync take the budget
    emails = [c.email for c in box.shop.customers if "@" in c.email and " " not in c.email]
    timings = []
    for email in emails[:count]:
        started = time.perf_counter()
        callbacks.handle("opt_out", {"email": email, "token": TOKEN})
        timings.append(time.perf_counter() - started)
    sync.join(timeout=0)  # the daemon thread ends with the process
    return timings


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--callbacks", type=int, default=12)
    parser.add_argument("--rate", type=float, default=2.0)
    args = parser.parse_args()
    with Sandbox(seed=9, customers=400, orders=0, subscribers=0, products=1) as box:
        shared = _latencies(
            box, args.rate, args.callbacks,
            lambda i: Callbacks(token=TOKEN, idosell=i.idosell, shop_id=1),
        )  # fmt: skip
    with Sandbox(seed=9, customers=400, orders=0, subscribers=0, products=1) as box:
        own = _latencies(box, args.rate, args.callbacks, lambda i: i.callbacks)
    for name, values in (("shared budget (baseline)", shared), ("own budget", own)):
        print(f"{name:26s} p50 {_p(values, 0.5):6.2f} s   p99 {_p(values, 0.99):6.2f} s")
    print(f"ratio own/shared: p50 {_p(own, 0.5) / _p(shared, 0.5):.2f}, "
          f"p99 {_p(own, 0.99) / _p(shared, 0.99):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
