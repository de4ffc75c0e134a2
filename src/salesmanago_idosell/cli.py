"""The ``salesmanago-idosell`` command (also ``python -m salesmanago_idosell``).

Commands:
    demo             run the whole integration on the built-in sandbox and check the result
    sync STREAM      customers | subscribers | orders | changes | offer (environment config)
    feed inspect F   counts, categories and the first products of an IOF full.xml
    callback-urls U  the opt-in / opt-out URLs to paste into SALESmanago
    monitoring-code  the SALESmanago monitoring snippet for the shop's pages
    orders ACTION    undelivered | reconcile | resend SERIAL... | mark-delivered SERIAL...
    shops ACTION     list | sync-changes KEY... / --all: many shops from a registry
                     (--registry shops.toml, --state postgresql://... or a directory)

Exit codes: 0 done, 1 done with problems (see the report), 2 an error, 3 another run holds
the state's lease (nothing was done; ``--wait SECONDS`` waits for it), 130 interrupted.
    monitoring ACT   install | status | uninstall the monitoring code in the shop (Admin API)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TextIO

from ._cli_shops import add_parser as _add_shops_parser
from ._cli_shops import run_shops, state_for
from ._version import __version__
from .callbacks import CallbackKind, callback_url
from .demo import run_demo
from .errors import SalesmanagoIdosellError, SyncInProgressError, ValidationError
from .feeds import OfferProduct, iter_offer_products
from .integration import Integration
from .mapping import ConsentMode
from .sync.engine import Progress
from .sync.progress import TqdmProgress
from .sync.report import SyncReport
from .tracking import monitoring_code

__all__ = ["main"]

STREAMS = ("customers", "subscribers", "orders", "changes", "offer")
DEFAULT_STATE = "salesmanago-idosell-state.sqlite"
#: Exit code when another run holds the state's lease.
EXIT_IN_PROGRESS = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesmanago-idosell",
        description="Connect an IdoSell shop to SALESmanago.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run everything on the built-in sandbox")
    demo.add_argument("--customers", type=int, default=200)
    demo.add_argument("--subscribers", type=int, default=50)
    demo.add_argument("--orders", type=int, default=300)
    demo.add_argument("--products", type=int, default=60)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--consent", choices=[m.value for m in ConsentMode], default="all")
    sync = commands.add_parser("sync", help="sync a real shop (configuration from environment)")
    sync.add_argument("stream", choices=STREAMS)
    sync.add_argument("--dry-run", action="store_true", help="read and map, send nothing")
    sync.add_argument("--state", default=DEFAULT_STATE)
    sync.add_argument("--progress", action="store_true", help="show progress on stderr")
    sync.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for another run (default 0)"
    )
    sync.add_argument("--shop", help="the shop's key when --state is postgresql://...")
    sync.add_argument("--feed", help="offer: the IOF full.xml (path or URL)")
    sync.add_argument("--categories", help="offer: the IOF categories.xml (path or URL)")
    feed = commands.add_parser("feed", help="IOF feed tools")
    feed_commands = feed.add_subparsers(dest="feed_command", required=True)
    inspect = feed_commands.add_parser("inspect", help="summarise an IOF full.xml")
    inspect.add_argument("file")
    inspect.add_argument("--first", type=int, default=5)
    urls = commands.add_parser("callback-urls", help="the opt-in / opt-out callback URLs")
    urls.add_argument("base_url")
    commands.add_parser("monitoring-code", help="the monitoring snippet for the shop pages")
    orders = commands.add_parser("orders", help="orders whose delivery is not settled")
    orders.add_argument("action", choices=["undelivered", "reconcile", "resend", "mark-delivered"])
    orders.add_argument("serials", nargs="*", help="order serial numbers (resend, mark-delivered)")
    orders.add_argument("--state", default=DEFAULT_STATE)
    orders.add_argument("--shop", help="the shop's key when --state is postgresql://...")
    orders.add_argument(
        "--force", action="store_true", help="resend: uncertain orders too (may duplicate)"
    )
    monitoring = commands.add_parser(
        "monitoring", help="install, check or remove the monitoring code in the shop"
    )
    monitoring.add_argument("action", choices=("install", "status", "uninstall"))
    monitoring.add_argument("--dry-run", action="store_true", help="show the calls, make none")
    _add_shops_parser(commands)
    return parser


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    result = run_demo(
        customers=args.customers,
        subscribers=args.subscribers,
        orders=args.orders,
        products=args.products,
        seed=args.seed,
        consent_mode=ConsentMode(args.consent),
        out=out,
    )
    requests = ", ".join(f"{api} {n}" for api, n in sorted(result.requests.items()))
    print(f"requests received by the sandbox: {requests}", file=out)
    if result.ok:
        print("demo OK: SALESmanago holds exactly what the shop should give it", file=out)
        return 0
    for mismatch in result.mismatches:
        print(f"demo MISMATCH: {mismatch}", file=out)
    return 1


def _progress(enabled: bool) -> Progress | None:
    """tqdm bars when the ``progress`` extra is installed, else a line on stderr."""
    if not enabled:
        return None
    try:
        return TqdmProgress()
    except ValidationError:
        pass

    def show(stream: str, done: int, total: int | None) -> None:
        print(f"\r{stream}: {done}" + (f"/{total}" if total else ""), end="", file=sys.stderr)

    return show


def _sync(args: argparse.Namespace, out: TextIO) -> int:
    if args.stream == "offer" and not args.feed:
        raise ValidationError("sync offer needs --feed (a path or URL of full.xml)", field="feed")
    with Integration.from_env(state=state_for(args.state, args.shop)) as integration:
        runs: dict[str, Callable[..., SyncReport]] = {
            "offer": lambda **kw: integration.sync_offer(
                args.feed, categories=args.categories, **kw
            ),
            "customers": integration.export_customers,
            "subscribers": integration.export_subscribers,
            "orders": integration.sync_orders,
            "changes": integration.sync_changes,
        }
        report = runs[args.stream](
            dry_run=args.dry_run, progress=_progress(args.progress), wait=args.wait
        )
    print(report, file=out)
    return 0 if report.ok else 1


def _feed_inspect(args: argparse.Namespace, out: TextIO) -> int:
    count, categories = 0, Counter[str]()
    first: list[OfferProduct] = []
    for product in iter_offer_products(args.file):
        count += 1
        categories[product.category.path if product.category else "(none)"] += 1
        if len(first) < args.first:
            first.append(product)
    print(f"{count} products in {len(categories)} categories", file=out)
    for name, n in categories.most_common(10):
        print(f"  {n:6d}  {name}", file=out)
    for product in first:
        name = next(iter(product.names.values()), "") if product.names else ""
        print(f"  #{product.id}  {name}", file=out)
    return 0


def _env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ValidationError(f"{name} is not set", field=name)
    return value


def _callback_urls(args: argparse.Namespace, out: TextIO) -> int:
    token = _env("SMIDO_OPT_OUT_TOKEN")
    for kind in CallbackKind:
        url = callback_url(kind, base_url=args.base_url, token=token)
        print(f"{kind.value}: {url}", file=out)
    return 0


def _monitoring_code(_: argparse.Namespace, out: TextIO) -> int:
    code = monitoring_code(
        client_id=_env("SALESMANAGO_CLIENT_ID"), endpoint=_env("SALESMANAGO_ENDPOINT")
    )
    print(code, end="", file=out)
    return 0


def _orders(args: argparse.Namespace, out: TextIO) -> int:
    if args.action in ("resend", "mark-delivered") and not args.serials:
        raise ValidationError(f"orders {args.action} needs order serial numbers", field="serials")
    with Integration.from_env(state=state_for(args.state, args.shop)) as integration:
        if args.action == "undelivered":
            rows = integration.undelivered()
            for row in rows:
                print(
                    f"{row.key}\t{row.state.value}\t{row.since.isoformat(timespec='seconds')}"
                    f"\tattempts {row.attempts}\tcontact {row.contact_hash or '-'}"
                    f"\t{row.last_error or ''}",
                    file=out,
                )
            print(f"{len(rows)} orders not settled", file=out)
            return 0 if not rows else 1
        if args.action == "mark-delivered":
            print(f"{integration.mark_delivered(args.serials)} orders marked delivered", file=out)
            return 0
        report = (
            integration.reconcile()
            if args.action == "reconcile"
            else integration.resend(args.serials, force=args.force)
        )
    print(report, file=out)
    return 0 if report.ok else 1


def _monitoring(args: argparse.Namespace, out: TextIO) -> int:
    with Integration.from_env() as integration:
        if args.action == "status":
            status = integration.monitoring_status()
            print(status, file=out)
            return 0 if status.matches else 1
        if args.action == "install":
            result = integration.install_monitoring_code(dry_run=args.dry_run)
        else:
            result = integration.uninstall_monitoring_code(dry_run=args.dry_run)
    print(result, file=out)
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "demo": _demo,
    "sync": _sync,
    "feed": _feed_inspect,  # "inspect" is the only feed command
    "callback-urls": _callback_urls,
    "monitoring-code": _monitoring_code,
    "orders": _orders,
    "monitoring": _monitoring,
    "shops": run_shops,
}


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    stream: TextIO = out if out is not None else sys.stdout
    try:
        return COMMANDS[args.command](args, stream)
    except SyncInProgressError as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return EXIT_IN_PROGRESS
    except SalesmanagoIdosellError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the next run resumes from the last checkpoint", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
