"""Many shops: the Celery worker with 1, 2 and 4 processes against the CLI, one shop after another.

Every configuration syncs the same N sandbox shops from scratch (``sync_changes``: customers,
subscribers, orders; fresh fake SALESmanago accounts, fresh shop keys in the state
database), the fake IdoSell answering every request after ``--latency`` seconds, within the
shop's own request budget (``--rate`` per second, shared by every worker through
PostgreSQL). It prints, in one run, wall time, shops per minute, the speed-up over the
baseline (``salesmanago-idosell shops sync-changes --all`` as a real process: the shops one
after another), CPU seconds of the worker and of the fakes, and whether every shop's
SALESmanago state is exact.

Needs PostgreSQL and Redis (``source .ci/services.sh && services_start`` exports their
URLs), and the ``postgres`` and ``celery`` extras::

    python benchmarks/many_shops.py                                   # 50 x 2000 + 2000
    python benchmarks/many_shops.py --shops 10 --customers 300 --orders 300 --processes 1 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery

from salesmanago_idosell.celery import register
from salesmanago_idosell.demo import expected_contacts, expected_purchases
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.testing import Faults, Sandbox

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {"BENCH_IDOSELL_KEY": "sandbox-idosell-key", "BENCH_SM_SECRET": "sandbox-api-secret"}


def _make_app() -> Any:
    """The worker's Celery app (``celery -A benchmarks.many_shops worker``)."""
    redis = os.environ["SMIDO_TEST_REDIS_URL"]
    celery_app = Celery("smido-bench", broker=redis, backend=redis)
    celery_app.conf.update(
        task_default_queue=os.environ["SMIDO_BENCH_QUEUE"],
        worker_prefetch_multiplier=1,
        result_expires=3600,
        broker_connection_retry_on_startup=True,
    )
    register(
        celery_app,
        registry=os.environ["SMIDO_BENCH_REGISTRY"],
        state=os.environ["SMIDO_TEST_POSTGRES_URL"],
    )
    return celery_app


app: Any = _make_app() if os.environ.get("SMIDO_BENCH_QUEUE") else None


@dataclass(frozen=True)
class Setup:
    """The benchmark's shape."""

    shops: int
    customers: int
    orders: int
    subscribers: int
    latency: float
    rate: float
    postgres: str
    redis: str


def _sandboxes(setup: Setup, stack: ExitStack) -> dict[str, Sandbox]:
    run = uuid.uuid4().hex[:6]
    faults = Faults(latency=setup.latency)
    return {
        f"bench-{run}-{i:03d}": stack.enter_context(
            Sandbox(
                i,
                customers=setup.customers,
                subscribers=setup.subscribers,
                orders=setup.orders,
                products=5,
                idosell_faults=faults,
            )
        )
        for i in range(setup.shops)
    }


def _registry(path: Path, boxes: dict[str, Sandbox], rate: float) -> None:
    lines = []
    for key, box in boxes.items():
        sm = box.salesmanago
        table = {
            "idosell_shop_url": box.idosell.url,
            "idosell_api_key_env": "BENCH_IDOSELL_KEY",
            "salesmanago_client_id": sm.client_id,
            "salesmanago_api_secret_env": "BENCH_SM_SECRET",
            "salesmanago_owner": sm.owner,
            "salesmanago_endpoint": sm.url,
            "consent_mode": "all",
            "location": "bench_shop",
            "idosell_rate_limit": rate,
        }
        lines.append(f'[shops."{key}"]')
        lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _exact(boxes: dict[str, Sandbox]) -> int:
    """How many shops' SALESmanago state is exactly what the shop should give it."""
    exact = 0
    for box in boxes.values():
        sm = box.salesmanago
        events = [str(e.fields.get("externalId")) for e in sm.events.values()]
        contacts_ok = set(sm.contacts) == set(expected_contacts(box.shop, ConsentMode.ALL))
        events_ok = len(events) == len(set(events)) and set(events) == expected_purchases(
            box.shop, ConsentMode.ALL
        )
        exact += contacts_ok and events_ok
    return exact


def _env(setup: Setup, registry: Path, queue: str = "") -> dict[str, str]:
    return {
        **os.environ,
        **SECRETS,
        "SMIDO_TEST_POSTGRES_URL": setup.postgres,
        "SMIDO_TEST_REDIS_URL": setup.redis,
        "SMIDO_BENCH_REGISTRY": str(registry),
        "SMIDO_BENCH_QUEUE": queue,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


@dataclass
class Result:
    """One configuration's figures."""

    name: str
    seconds: float
    exact: int
    worker_cpu: float
    fakes_cpu: float


def run_cli(setup: Setup, tmp: Path) -> Result:
    """The baseline: the CLI syncs the shops one after another."""
    with ExitStack() as stack:
        boxes = _sandboxes(setup, stack)
        registry = tmp / "cli.toml"
        _registry(registry, boxes, setup.rate)
        _, children = _cpu()
        own = _cpu()[0]
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "salesmanago_idosell", "shops", "sync-changes", "--all",
             "--registry", str(registry), "--state", setup.postgres],
            env=_env(setup, registry), capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - start
        own2, children2 = _cpu()
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:])
        return Result("CLI, one shop after another", seconds, _exact(boxes),
                      children2 - children, own2 - own)  # fmt: skip


def run_worker(setup: Setup, tmp: Path, processes: int) -> Result:
    """The shops fanned out to a Celery worker with ``processes`` prefork processes."""
    queue = f"smido-bench-{uuid.uuid4().hex[:8]}"
    registry = Path(os.environ["SMIDO_BENCH_REGISTRY"])
    registry.write_text("")
    env = _env(setup, registry, queue)
    _, children_before = _cpu()
    log = open(tmp / f"worker{processes}.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "celery", "-A", "benchmarks.many_shops", "worker", "--pool",
         "prefork", "--concurrency", str(processes), "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=0.5):
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(f"worker did not start; see {log.name}")
        with ExitStack() as stack:
            boxes = _sandboxes(setup, stack)
            _registry(registry, boxes, setup.rate)
            own, _ = _cpu()
            start = time.perf_counter()
            fan_out = app.tasks["salesmanago_idosell.fan_out"]
            enqueued = fan_out.apply_async(("sync_changes",), queue=queue).get(timeout=60)
            results = [app.AsyncResult(i).get(timeout=3600) for i in enqueued["ids"]]
            seconds = time.perf_counter() - start
            fakes = _cpu()[0] - own
            bad = [r for r in results if r["status"] != "ok"]
            if bad:
                print(f"  {len(bad)} shops not ok, e.g. {bad[0]}")
            exact = _exact(boxes)
    finally:
        worker.terminate()
        worker.wait(60)
        log.close()
    worker_cpu = _cpu()[1] - children_before  # the worker and its processes, reaped
    return Result(f"Celery worker, {processes} process(es)", seconds, exact, worker_cpu, fakes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shops", type=int, default=50)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1, help="IdoSell answer delay (s)")
    parser.add_argument("--rate", type=float, default=10.0, help="IdoSell requests/s per shop")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    postgres = os.environ.get("SMIDO_TEST_POSTGRES_URL")
    redis = os.environ.get("SMIDO_TEST_REDIS_URL")
    if not postgres or not redis:
        print("needs SMIDO_TEST_POSTGRES_URL and SMIDO_TEST_REDIS_URL: run "
              "'source .ci/services.sh && services_start' first")  # fmt: skip
        return 2
    setup = Setup(args.shops, args.customers, args.orders, args.subscribers, args.latency,
                  args.rate, postgres, redis)  # fmt: skip
    print(f"{setup.shops} shops x ({setup.customers} customers, {setup.subscribers} "
          f"subscribers, {setup.orders} orders); IdoSell latency {setup.latency * 1000:.0f} ms, "
          f"budget {setup.rate:g} requests/s per shop; {os.cpu_count()} CPUs")  # fmt: skip
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(_env(setup, Path(tmp) / "registry.toml", "smido-bench-client"))
        global app  # noqa: PLW0603 - the app the worker runs, built once in this process
        app = _make_app()
        results.append(run_cli(setup, Path(tmp)))
        print(f"  {results[-1].name}: {results[-1].seconds:.1f} s", flush=True)
        for processes in args.processes:
            results.append(run_worker(setup, Path(tmp), processes))
            print(f"  {results[-1].name}: {results[-1].seconds:.1f} s", flush=True)
    base = results[0].seconds
    print(f"\n{'configuration':34} {'seconds':>8} {'shops/min':>10} {'speed-up':>9} "
          f"{'worker CPU s':>13} {'fakes CPU s':>12} {'exact':>7}")  # fmt: skip
    for r in results:
        print(f"{r.name:34} {r.seconds:8.1f} {setup.shops / r.seconds * 60:10.1f} "
              f"{base / r.seconds:8.2f}x {r.worker_cpu:13.1f} {r.fakes_cpu:12.1f} "
              f"{r.exact:>3}/{setup.shops}")  # fmt: skip
    return 0 if all(r.exact == setup.shops for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
