"""Delivery soak: faults, cron re-runs, SIGKILLs and an overlapping run against a clean run.

Three experiments on the sandbox (fake IdoSell and fake SALESmanago on loopback), each
compared with a fault-free run of the same shop:

1. **faults**: every endpoint of both fakes fails ~10 % of requests (5xx before the write,
   5xx and dropped connections *after* the write, 429, dropped connections); the integration
   runs ``sync_changes()`` again and again as cron would, until a run is clean and nothing is
   left undelivered.
2. **kills**: the CLI (``salesmanago-idosell sync orders``, a real process) is killed with
   SIGKILL at random moments (event batches answer slowly, so kills land while SALESmanago
   answers) and restarted each time, then run once more to the end.
3. **overlap**: two CLI processes started together on one state file.

It prints lost and duplicated contacts/events per experiment (both must be 0, except
duplicates listed as possibly duplicated by ``orders undelivered``), how many runs it took,
and what the operator saw. The data is realistic in size and shape: the sandbox's generated
Polish shop (names, addresses, invalid e-mails, consent mix, multi-line orders, statuses).

    python benchmarks/delivery_soak.py                       # 20 000 customers and orders
    python benchmarks/delivery_soak.py --customers 2000 --orders 2000 --kills 5
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesmanago_idosell import IntegrationConfig
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.delivery import DeliveryState
from salesmanago_idosell.sync.state import SQLiteStateStore
from salesmanago_idosell.testing import Faults, Sandbox

SM_FAULTS = Faults(
    error_rate=0.03, throttle_rate=0.02, drop_rate=0.02, fail_after_write_rate=0.03, retry_after=0
)
SHOP_FAULTS = Faults(error_rate=0.04, throttle_rate=0.03, drop_rate=0.03, retry_after=0)
BATCH_EVENTS = "POST /api/v2/contact/addBatchContactExtEvent"
#: Seconds before an uncertain order's absence is believed (and between two cron runs).
SETTLE = 2.0


@dataclass(frozen=True)
class Sizes:
    """The shop's size."""

    customers: int
    subscribers: int
    orders: int
    products: int = 300

    def sandbox(self, seed: int, **faults: Faults) -> Sandbox:
        return Sandbox(
            seed,
            customers=self.customers,
            subscribers=self.subscribers,
            orders=self.orders,
            products=self.products,
            idosell_faults=faults.get("idosell_faults"),
            salesmanago_faults=faults.get("salesmanago_faults"),
        )


def contacts_first(box: Sandbox, state: Path) -> None:
    """Customers and subscribers, so that only the orders stream is under test."""
    job = integration(box, state)
    job.export_customers()
    job.export_subscribers()
    job.close()


def settings(box: Sandbox) -> dict[str, str]:
    """The environment the CLI reads (and the config the library runs use)."""
    return box.environment(
        SMIDO_LOCATION="sandbox_shop",
        SMIDO_CONSENT_MODE=ConsentMode.ALL.value,
        SMIDO_IDOSELL_RATE_LIMIT="1000",  # the fake shop is on loopback
        # batches of 100 (not the default 1000): ten times the requests, so ten times the
        # faults and the kill points; the guarantee does not depend on the batch size
        SMIDO_EVENT_BATCH_SIZE="100",
        SMIDO_CONTACT_BATCH_SIZE="100",
        # cron's interval (minutes) always exceeds the settle time; here both are shrunk
        SMIDO_RECONCILE_SETTLE=str(SETTLE),
    )


def integration(box: Sandbox, state: Path) -> Integration:
    config = IntegrationConfig.from_env(settings(box))
    return Integration(config, state=SQLiteStateStore(state), sleep=lambda _: None)


def snapshot(box: Sandbox) -> tuple[dict[str, Any], Counter[str]]:
    """Contacts (synced fields) and PURCHASE events per order serial."""
    sm = box.salesmanago
    with sm.lock:
        contacts = {
            e: (c.name, c.phone, c.external_id, c.birthday, tuple(sorted(c.tags)), c.email_opt)
            for e, c in sm.contacts.items()
        }
        events = Counter(
            str(e.fields.get("externalId")) for e in sm.events.values() if e.type == "PURCHASE"
        )
    return contacts, events


def compare(
    name: str, got: tuple[dict[str, Any], Counter[str]], want: Any, listed: set[str]
) -> bool:
    contacts, events = got
    want_contacts, want_events = want
    lost_contacts = set(want_contacts) - set(contacts)
    changed = {e for e in want_contacts if e in contacts and contacts[e] != want_contacts[e]}
    lost = set(want_events) - set(events)
    dup = {k for k, n in events.items() if n > 1}
    unlisted = dup - listed
    print(
        f"  {name}: contacts {len(contacts)}/{len(want_contacts)} (lost {len(lost_contacts)}, "
        f"differing {len(changed)}); PURCHASE events for {len(events)}/{len(want_events)} "
        f"orders (lost {len(lost)}, duplicated {len(dup)}, of which not listed {len(unlisted)})"
    )
    return not lost_contacts and not changed and not lost and not unlisted


def clean(sizes: Sizes, seed: int, tmp: Path) -> tuple[dict[str, Any], Counter[str]]:
    with sizes.sandbox(seed) as box:
        start = time.perf_counter()
        report = integration(box, tmp / "clean.sqlite").sync_changes()
        print(f"clean run: {time.perf_counter() - start:.1f} s, ok={report.ok}")
        return snapshot(box)


def faults(sizes: Sizes, seed: int, tmp: Path, want: Any, max_runs: int) -> bool:
    print("1. faults on every endpoint (~10 %), cron re-runs of sync_changes()")
    with sizes.sandbox(seed, idosell_faults=SHOP_FAULTS, salesmanago_faults=SM_FAULTS) as box:
        state = tmp / "faults.sqlite"
        for run in range(1, max_runs + 1):
            job = integration(box, state)
            report = job.sync_changes()
            left = job.undelivered()
            job.close()
            s = report.stream("orders")
            print(
                f"  run {run}: ok={report.ok} orders sent {s.sent} uncertain {s.uncertain} "
                f"reconciled {s.reconciled}; undelivered after: {len(left)}"
            )
            if report.ok and not left:
                break
            time.sleep(SETTLE)  # the next cron tick
        listed = {r.key for r in left if r.state is DeliveryState.POSSIBLY_DUPLICATED}
        faulted = sum(1 for r in box.salesmanago.requests if r.fault) + sum(
            1 for r in box.idosell.requests if r.fault
        )
        total = len(box.salesmanago.requests) + len(box.idosell.requests)
        print(f"  injected faults: {faulted} of {total} requests ({faulted / total:.1%})")
        return compare("result", snapshot(box), want, listed)


def cli(box: Sandbox, state: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings(box)}
    command = [sys.executable, "-m", "salesmanago_idosell", "sync", "orders", "--state", str(state)]
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [*command, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def listed_duplicates(box: Sandbox, state: Path) -> set[str]:
    job = integration(box, state)
    rows = job.undelivered(states=[DeliveryState.POSSIBLY_DUPLICATED])
    job.close()
    return {r.key for r in rows}


def kills(sizes: Sizes, seed: int, tmp: Path, want: Any, count: int, rng: random.Random) -> bool:
    print(f"2. the CLI killed with SIGKILL {count} times, restarted each time")
    with sizes.sandbox(seed) as box:
        box.salesmanago.set_faults(Faults(latency=0.15), endpoint=BATCH_EVENTS)
        state = tmp / "kills.sqlite"
        contacts_first(box, state)
        for kill in range(1, count + 1):
            process = cli(box, state)
            time.sleep(rng.uniform(0.5, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            _, events = snapshot(box)
            print(f"  kill {kill}: {len(events)} orders have a PURCHASE so far")
        box.salesmanago.set_faults(None, endpoint=BATCH_EVENTS)
        for attempt in range(1, 6):  # cron ticks until nothing is left open
            time.sleep(SETTLE)
            final = cli(box, state)
            final.communicate(timeout=600)
            print(f"  run {attempt} after the kills: exit {final.returncode}")
            if final.returncode == 0:
                break
        return compare("result", snapshot(box), want, listed_duplicates(box, state))


def overlap(sizes: Sizes, seed: int, tmp: Path, want: Any) -> bool:
    print("3. two CLI runs started together on one state file")
    with sizes.sandbox(seed) as box:
        state = tmp / "overlap.sqlite"
        contacts_first(box, state)
        first, second = cli(box, state), cli(box, state)
        codes = [p.wait(600) for p in (first, second)]
        lines = [
            line
            for p in (first, second)
            if p.stderr
            for line in p.stderr.read().decode().splitlines()
        ]
        print(f"  exit codes {codes}; refused: {[e for e in lines if e.startswith('skipped')]}")
        rerun = cli(box, state)
        rerun.wait(600)
        return compare("result", snapshot(box), want, listed_duplicates(box, state)) and 75 in codes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--max-runs", type=int, default=20)
    args = parser.parse_args()
    sizes = Sizes(args.customers, args.customers // 10, args.orders)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        want = clean(sizes, args.seed, tmp)
        results = {
            "faults": faults(sizes, args.seed, tmp, want, args.max_runs),
            "kills": kills(sizes, args.seed, tmp, want, args.kills, rng),
            "overlap": overlap(sizes, args.seed, tmp, want),
        }
    print("summary: " + ", ".join(f"{k} {'OK' if v else 'FAILED'}" for k, v in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
