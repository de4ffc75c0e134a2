"""The ``salesmanago-idosell`` command (also ``python -m salesmanago_idosell``).

Commands:
    demo             run the whole integration on the built-in sandbox and check the result
    sync STREAM      customers | subscribers | orders | changes | offer (environment config)
    feed inspect F   counts, categories and the first products of an IOF full.xml (path/URL)
    callback-urls U  the opt-in / opt-out URLs to paste into SALESmanago
    monitoring-code  the SALESmanago monitoring snippet for the shop's pages
    orders ACTION    undelivered | reconcile | resend SERIAL... | mark-delivered SERIAL...
    shops ACTION     list | sync-changes KEY... / --all: many shops from a registry
                     (--registry shops.toml, --state postgresql://... or a directory)
    monitoring ACT   install | status | uninstall the monitoring code in the shop (Admin API)

Options of every command: ``-v`` (INFO; ``-vv`` DEBUG) or ``--log-level LEVEL`` send the
library's log to stderr (secrets scrubbed, personal data masked); ``--debug`` shows the
traceback of an error.

A user error prints one ``error: ...`` line on stderr and exits with a code of
:data:`EXIT_CODES` (see ``docs/cli.md``): 0 done, 1 the run finished with problems,
2 bad usage or input, 3 credentials refused, 4 an API error, 5 no answer from an API
(network, timeout), 6 a malformed feed, 75 skipped: another run holds the state's lease
(``--wait SECONDS`` waits for it), 130 interrupted, 141 output closed (``| head``).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from ._cli_shops import add_parser as _add_shops_parser
from ._cli_shops import run_shops, state_for
from ._transport import Transport
from ._version import __version__
from .callbacks import CallbackKind, callback_url
from .config import IntegrationConfig, default_state_path
from .demo import run_demo
from .errors import (
    APIError,
    AuthenticationError,
    FeedError,
    HTTPStatusError,
    JobTimeoutError,
    ResponseValidationError,
    SalesmanagoIdosellError,
    StateMismatchError,
    StateStoreError,
    SyncInProgressError,
    TransportError,
    ValidationError,
)
from .feeds import FeedSource, OfferProduct, iter_offer_products
from .integration import Integration
from .mapping import ConsentMode
from .sync.engine import Progress
from .sync.progress import TqdmProgress
from .sync.report import SyncReport
from .sync.state import StateStore
from .tracking import monitoring_code

__all__ = ["EXIT_CODES", "exit_code", "main"]

STREAMS = ("customers", "subscribers", "orders", "changes", "offer")
EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_API = 4
EXIT_NETWORK = 5
EXIT_FEED = 6
#: Another run holds the state's lease: nothing was done (sysexits' EX_TEMPFAIL: try later).
EXIT_IN_PROGRESS = 75
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141

#: Exception -> exit status, the first matching entry wins (most specific first). Extend it
#: with new error kinds (insert before a base class they derive from).
EXIT_CODES: list[tuple[type[BaseException], int]] = [
    (AuthenticationError, EXIT_AUTH),
    (ValidationError, EXIT_USAGE),
    (StateStoreError, EXIT_USAGE),
    (StateMismatchError, EXIT_USAGE),
    (FeedError, EXIT_FEED),
    (TransportError, EXIT_NETWORK),
    (APIError, EXIT_API),
    (HTTPStatusError, EXIT_API),
    (ResponseValidationError, EXIT_API),
    (JobTimeoutError, EXIT_API),
    (SalesmanagoIdosellError, EXIT_API),
    (OSError, EXIT_USAGE),  # a file that cannot be read or written
]


def exit_code(error: BaseException) -> int | None:
    """The exit status of a user-facing error; ``None`` for a bug (shown as a traceback)."""
    return next((code for kind, code in EXIT_CODES if isinstance(error, kind)), None)


def _count(text: str) -> int:
    """argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _seconds(text: str) -> float:
    """argparse type: a finite number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds >= 0, not {text}")
    return value


def _common(verbose_dest: str = "verbose") -> argparse.ArgumentParser:
    """Options every command accepts, before or after its name (``-v`` counted on both
    sides: ``-v sync customers -v`` is ``-vv``)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, dest=verbose_dest,
        help="log to stderr: -v INFO, -vv DEBUG",
    )  # fmt: skip
    common.add_argument(
        "--log-level", default=argparse.SUPPRESS,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"], type=str.upper,
        help="log to stderr at this level",
    )  # fmt: skip
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="show the traceback of an error",
    )  # fmt: skip
    return common


def _add_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    """A subcommand that also takes the common options (use it for new commands)."""
    return commands.add_parser(name, help=help_text, parents=[_common("verbose_after")])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesmanago-idosell",
        description="Connect an IdoSell shop to SALESmanago.",
        parents=[_common()],
        epilog="exit codes: 0 done, 1 finished with problems, 2 bad usage or input, "
        "3 credentials refused, 4 API error, 5 no answer (network), 6 malformed feed, "
        "75 skipped: another run holds the state's lease, 130 interrupted, 141 output closed",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = _add_command(commands, "demo", "run everything on the built-in sandbox")
    demo.add_argument("--customers", type=_count, default=200)
    demo.add_argument("--subscribers", type=_count, default=50)
    demo.add_argument("--orders", type=_count, default=300)
    demo.add_argument("--products", type=_count, default=60)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--consent", choices=[m.value for m in ConsentMode], default="all")
    sync = _add_command(commands, "sync", "sync a real shop (configuration from environment)")
    sync.add_argument("stream", choices=STREAMS)
    sync.add_argument("--dry-run", action="store_true", help="read and map, send nothing")
    sync.add_argument(
        "--state",
        help="the state file (default: one per shop and SALESmanago account in the user's "
        "data directory; printed at the start of every run)",
    )
    sync.add_argument("--progress", action="store_true", help="show progress on stderr")
    sync.add_argument(
        "--wait", type=_seconds, default=0.0, help="seconds to wait for another run (default 0)"
    )
    sync.add_argument("--shop", help="the shop's key when --state is postgresql://...")
    sync.add_argument("--feed", help="offer: the IOF full.xml (path or URL)")
    sync.add_argument("--categories", help="offer: the IOF categories.xml (path or URL)")
    feed = _add_command(commands, "feed", "IOF feed tools")
    feed_commands = feed.add_subparsers(dest="feed_command", required=True)
    inspect = _add_command(feed_commands, "inspect", "summarise an IOF full.xml (path or URL)")
    inspect.add_argument("file", help="a path or an http(s) URL")
    inspect.add_argument("--first", type=_count, default=5)
    urls = _add_command(commands, "callback-urls", "the opt-in / opt-out callback URLs")
    urls.add_argument("base_url")
    _add_command(commands, "monitoring-code", "the monitoring snippet for the shop pages")
    orders = _add_command(commands, "orders", "orders whose delivery is not settled")
    orders.add_argument("action", choices=["undelivered", "reconcile", "resend", "mark-delivered"])
    orders.add_argument("serials", nargs="*", help="order serial numbers (resend, mark-delivered)")
    orders.add_argument(
        "--state", help="the state file (default: the one `sync` uses for this shop and account)"
    )
    orders.add_argument("--shop", help="the shop's key when --state is postgresql://...")
    orders.add_argument(
        "--force", action="store_true", help="resend: uncertain orders too (may duplicate)"
    )
    orders.add_argument(
        "--wait", type=_seconds, default=0.0, help="seconds to wait for another run (default 0)"
    )
    monitoring = _add_command(
        commands, "monitoring", "install, check or remove the monitoring code in the shop"
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


class LineProgress:
    """Progress on one stderr line (without the ``progress`` extra), ended by :meth:`close`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._shown = False

    def __call__(self, name: str, done: int, total: int | None) -> None:
        text = f"\r{name}: {done}" + (f"/{total}" if total else "")
        print(text, end="", file=self._stream, flush=True)
        self._shown = True

    def close(self) -> None:
        """End the progress line, so that what follows starts on a line of its own."""
        if self._shown:
            print(file=self._stream, flush=True)
            self._shown = False


def _progress(enabled: bool) -> Progress | None:
    """tqdm bars when the ``progress`` extra is installed, else a line on stderr."""
    if not enabled:
        return None
    try:
        return TqdmProgress()
    except ValidationError:
        return LineProgress(sys.stderr)


def _state_path(args: argparse.Namespace, config: IntegrationConfig) -> Path:
    return Path(args.state) if args.state else default_state_path(config)


def _state(args: argparse.Namespace, config: IntegrationConfig) -> StateStore | Path:
    """``--state``: a PostgreSQL URL (with ``--shop``), a file, or the per-user default
    file (created and printed on stderr at the start of every run)."""
    if args.state and args.state.startswith(("postgresql://", "postgres://")):
        store = state_for(args.state, args.shop)
        assert not isinstance(store, str)  # noqa: S101 - a URL gives a store
        print(f"state: {store!r}", file=sys.stderr)
        return store
    path = _state_path(args, config)
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"state: {path}", file=sys.stderr)
    return path


def _sync(args: argparse.Namespace, out: TextIO) -> int:
    if args.stream == "offer" and not args.feed:
        raise ValidationError("sync offer needs --feed (a path or URL of full.xml)", field="feed")
    config = IntegrationConfig.from_env()
    state = _state(args, config)
    progress = _progress(args.progress)
    try:
        with Integration(config, state=state) as integration:
            runs: dict[str, Callable[..., SyncReport]] = {
                "offer": lambda **kw: integration.sync_offer(
                    args.feed, categories=args.categories, **kw
                ),
                "customers": integration.export_customers,
                "subscribers": integration.export_subscribers,
                "orders": integration.sync_orders,
                "changes": integration.sync_changes,
            }
            report = runs[args.stream](dry_run=args.dry_run, progress=progress, wait=args.wait)
    finally:
        if isinstance(progress, LineProgress | TqdmProgress):
            progress.close()
    print(report, file=out)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _feed_chunks(url: str) -> Iterator[bytes]:
    """A feed URL's body; its query (an export token) is kept out of logs and errors."""
    parts = urlsplit(url)
    transport = Transport(base_url=f"{parts.scheme}://{parts.netloc}", secrets=[parts.query])
    try:
        yield from transport.stream(url)
    finally:
        transport.close()


def _feed(location: str) -> FeedSource:
    if location.startswith(("http://", "https://")):
        return _feed_chunks(location)
    path = Path(location)
    if not path.is_file():
        raise ValidationError(f"no such feed file: {location}", field="file")
    return path


def _feed_inspect(args: argparse.Namespace, out: TextIO) -> int:
    count, categories = 0, Counter[str]()
    first: list[OfferProduct] = []
    for product in iter_offer_products(_feed(args.file)):
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
    config = IntegrationConfig.from_env()
    with Integration(config, state=_state(args, config)) as integration:
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
            return EXIT_OK if not rows else EXIT_PROBLEMS
        if args.action == "mark-delivered":
            marked = integration.mark_delivered(args.serials, wait=args.wait)
            unknown = [s for s in args.serials if str(s) not in marked]
            print(f"{len(marked)} orders marked delivered", file=out)
            if unknown:
                print(f"unknown orders (never sent by this state): {' '.join(unknown)}", file=out)
            return EXIT_OK if not unknown else EXIT_PROBLEMS
        report = (
            integration.reconcile(wait=args.wait)
            if args.action == "reconcile"
            else integration.resend(args.serials, force=args.force, wait=args.wait)
        )
    print(report, file=out)
    return EXIT_OK if report.ok else EXIT_PROBLEMS


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


_LOGGERS = ("salesmanago_idosell", "urllib3")


def _configure_logging(args: argparse.Namespace) -> tuple[logging.Handler, dict[str, int]] | None:
    """``-v``/``--log-level``: the library's log on stderr (the CLI is the application).

    Returns the handler and the loggers' former levels, restored by :func:`_unconfigure_logging`
    (``main()`` called from Python leaves the caller's logging as it found it).
    """
    level_name = getattr(args, "log_level", None)
    verbose = getattr(args, "verbose", 0) + getattr(args, "verbose_after", 0)
    if level_name is None and not verbose:
        return None
    level = getattr(logging, level_name) if level_name else max(logging.DEBUG, 30 - 10 * verbose)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)
    former = {}
    for name in _LOGGERS:
        log = logging.getLogger(name)
        former[name] = log.level
        log.setLevel(min(level, log.getEffectiveLevel()))
        log.addHandler(handler)
    return handler, former


def _unconfigure_logging(configured: tuple[logging.Handler, dict[str, int]] | None) -> None:
    if configured is not None:
        handler, former = configured
        for name in _LOGGERS:
            log = logging.getLogger(name)
            log.removeHandler(handler)
            log.setLevel(former[name])


def _quiet_closed_pipe(out: TextIO | None) -> int:
    """The reader went away (``| head``): no traceback, no more output."""
    if out is None:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
    return EXIT_PIPE


def _error_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.filename is not None:
        return f"error: cannot use {error.filename}: {error.strerror or error}"
    return f"error: {error}"


def main(argv: Sequence[str] | None = None, *, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_CODES`)."""
    args = _parser().parse_args(argv)
    handler = _configure_logging(args)
    try:
        return _run(args, out)
    finally:
        _unconfigure_logging(handler)


def _run(args: argparse.Namespace, out: TextIO | None) -> int:
    stream: TextIO = out if out is not None else sys.stdout
    try:
        code = COMMANDS[args.command](args, stream)
        stream.flush()
        return code
    except SyncInProgressError as exc:
        print(f"skipped: {exc}", file=sys.stderr)
        return EXIT_IN_PROGRESS
    except BrokenPipeError:
        return _quiet_closed_pipe(out)
    except KeyboardInterrupt:
        print("interrupted; the next run resumes from the last checkpoint", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        status = exit_code(exc)
        if status is None or getattr(args, "debug", False):
            raise
        print(_error_line(exc), file=sys.stderr)
        return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
