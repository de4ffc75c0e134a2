"""Cost of following a changing shop: the incremental run after consent and status changes.

Run: ``.venv/bin/python benchmarks/shop_reality.py [--customers 3000 --orders 4000]``.

One sandbox shop, a full first run (``sync_changes()`` on a fresh SQLite state), then the
shop changes: 5 % of consenting customers withdraw, 5 % of the others consent, 5 % of the
finished orders are cancelled and 2 % returned. The second ``sync_changes()`` is measured in
three configurations on copies of the same state and the same SALESmanago starting point:

* baseline: ``follow_up_events=False`` (PURCHASE only; consent memory as always);
* follow-ups: CANCELLATION / RETURN events (the default);
* shop wins: follow-ups plus ``consent_sync="shop_wins"``.

Printed: wall time, requests per API and events sent, with ratios to the baseline. Sleeping
is instant (a fake clock), so the times are the SDK's and the fakes' work, not throttling.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from salesmanago_idosell import Integration, IntegrationConfig
from salesmanago_idosell.sync.state import SQLiteStateStore
from salesmanago_idosell.testing import Sandbox


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _integration(box: Sandbox, state: Path, **options: Any) -> Integration:
    sm, shop = box.salesmanago, box.idosell
    config = IntegrationConfig(
        salesmanago_client_id=sm.client_id,
        salesmanago_api_secret=sm.api_secret,
        salesmanago_owner=sm.owner,
        salesmanago_endpoint=sm.url,
        idosell_shop_url=shop.url,
        idosell_api_key=shop.api_key,
        location="bench_shop",
        **options,
    )
    clock = _Clock()
    return Integration(config, state=SQLiteStateStore(state), sleep=clock.sleep, clock=clock)


def _change(box: Sandbox, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    shop, fake = box.shop, box.idosell
    now = fake.clock()
    consenting = [c for c in shop.customers if c.newsletter_since is not None]
    others = [c for c in shop.customers if c.newsletter_since is None]
    finished = [o for o in shop.orders if o.status == "finished"]
    withdrawn = rng.sample(consenting, len(consenting) // 20)
    given = rng.sample(others, len(others) // 20)
    moved = rng.sample(finished, len(finished) * 7 // 100)
    for customer in withdrawn:
        fake.update_customer(customer.id, newsletter_since=None, modified=now)
    for customer in given:
        fake.update_customer(customer.id, newsletter_since=now, modified=now)
    for index, order in enumerate(moved):
        fake.update_order(order.serial, status="returned" if index % 7 < 2 else "canceled")
    return {"withdrawn": len(withdrawn), "given": len(given), "orders changed": len(moved)}


def _snapshot(box: Sandbox) -> tuple[dict[str, Any], dict[str, Any]]:
    sm = box.salesmanago
    return dict(sm.contacts), dict(sm.events)


def _restore(box: Sandbox, saved: tuple[dict[str, Any], dict[str, Any]]) -> None:
    contacts, events = saved
    with box.salesmanago.lock:
        box.salesmanago.contacts.clear()
        box.salesmanago.contacts.update(contacts)
        box.salesmanago.events.clear()
        box.salesmanago.events.update(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--orders", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shop-reality-"))
    sizes = {"customers": args.customers, "subscribers": args.customers // 5}
    with Sandbox(args.seed, orders=args.orders, products=200, **sizes) as box:
        first_state = work / "first.sqlite"
        started = time.perf_counter()
        with _integration(box, first_state) as initial:  # closed: the WAL is folded in
            first = initial.sync_changes()
        print(f"full first run: {time.perf_counter() - started:.2f} s, ok={first.ok}, "
              f"requests {dict(first.requests)}")  # fmt: skip
        changes = _change(box, args.seed)
        print(f"changes: {changes}")
        saved = _snapshot(box)
        configurations: dict[str, dict[str, Any]] = {
            "baseline (PURCHASE only)": {"follow_up_events": False},
            "follow-ups (default)": {},
            "follow-ups + shop wins": {"consent_sync": "shop_wins"},
        }
        base: tuple[float, int, int] | None = None
        for name, options in configurations.items():
            _restore(box, saved)
            state = work / f"{len(name)}.sqlite"
            shutil.copy(first_state, state)
            before = len(box.salesmanago.events)
            integration = _integration(box, state, **options)
            started = time.perf_counter()
            report = integration.sync_changes()
            seconds = time.perf_counter() - started
            ido, sm = report.requests["idosell"], report.requests["salesmanago"]
            events = len(box.salesmanago.events) - before
            base = base or (seconds, ido, sm)
            print(
                f"{name:28} {seconds:6.2f} s ({seconds / base[0]:.2f}x)  idosell {ido:4d} "
                f"({ido / base[1]:.2f}x)  salesmanago {sm:4d} ({sm / base[2]:.2f}x)  "
                f"events {events}  ok={report.ok}"
            )
            integration.close()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
