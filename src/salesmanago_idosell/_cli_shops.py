"""``salesmanago-idosell shops list | sync-changes``: many shops from a registry.

Kept apart from :mod:`salesmanago_idosell.cli`, which only adds the parser and dispatches.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from .errors import SalesmanagoIdosellError, SyncInProgressError, ValidationError
from .integration import Integration
from .shops import ShopConfig, ShopRegistry, open_state
from .sync.delivery import UNSETTLED
from .sync.orders import ORDERS_KEY
from .sync.state import SQLiteStateStore, StateStore

__all__ = ["add_parser", "run_shops", "state_for"]


def _codes() -> tuple[int, Any]:
    """The CLI's code for a held lease and its error -> code function, if it has one."""
    from . import cli  # noqa: PLC0415 - cli imports this module

    return cli.EXIT_IN_PROGRESS, getattr(cli, "exit_code", None)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``shops`` to the command line."""
    shops = commands.add_parser("shops", help="many shops from a registry (TOML or environment)")
    shops.add_argument("action", choices=("list", "sync-changes"))
    shops.add_argument("keys", nargs="*", help="shop keys (sync-changes; or --all)")
    shops.add_argument("--all", action="store_true", help="sync-changes: every shop")
    shops.add_argument(
        "--registry", help="the registry TOML file (default: $SMIDO_REGISTRY, else environment)"
    )
    shops.add_argument(
        "--state",
        default="salesmanago-idosell-state/",
        help="postgresql://... (one database for all shops), a directory of <shop>.sqlite "
        "files, or a path with {shop} (default: salesmanago-idosell-state/)",
    )
    shops.add_argument(
        "--wait", type=float, default=0.0, help="seconds to wait for a shop's running sync"
    )


def state_for(value: str, key: str | None) -> StateStore | str:
    """``sync``/``orders`` ``--state``: a PostgreSQL URL needs a shop key (``--shop``)."""
    if not value.startswith(("postgresql://", "postgres://")):
        return value
    if not key:
        raise ValidationError(
            "--state postgresql://... needs --shop KEY (the shop's key in the database)",
            field="shop",
        )
    return open_state(value, key)


def _list(registry: ShopRegistry, state: str, out: TextIO) -> int:
    for shop in registry:
        store = open_state(state, shop.key)
        if isinstance(store, SQLiteStateStore) and not store.path.exists():
            print(
                f"{shop.key}\t{shop.settings.get('idosell_shop_url', '?')}\tnever synced", file=out
            )
            continue
        try:
            unsettled = len(store.deliveries(ORDERS_KEY, states=UNSETTLED))
            lease = getattr(store, "lease", None)
            held = lease() if callable(lease) else None
        finally:
            store.close()
        running = f"running on {held[0].describe()}" if held else "idle"
        print(
            f"{shop.key}\t{shop.settings.get('idosell_shop_url', '?')}\t{running}"
            f"\t{unsettled} orders not settled",
            file=out,
        )
    print(f"{len(registry)} shops", file=out)
    return 0


def _sync_one(shop: ShopConfig, state: str, wait: float, out: TextIO) -> int:
    in_progress, exit_code = _codes()
    integration: Integration | None = None
    try:  # a shop that cannot even be built (a missing secret) fails alone
        integration = shop.integration(state)
        report = integration.sync_changes(wait=wait)
    except SyncInProgressError as exc:
        print(f"{shop.key}: skipped: already running: {exc.holder}", file=out)
        return int(in_progress)
    except SalesmanagoIdosellError as exc:
        print(f"{shop.key}: error: {exc}", file=out)
        code = exit_code(exc) if callable(exit_code) else None
        return int(code or 2)
    finally:
        if integration is not None:
            integration.close()
    print(f"{shop.key}: {report}", file=out)
    return 0 if report.ok else 1


def run_shops(args: argparse.Namespace, out: TextIO) -> int:
    """Run ``shops``; the exit code is the worst shop's: an error's code (2 and up), else 1
    (problems), else the "already running" code, else 0."""
    registry = ShopRegistry.load(args.registry)
    if args.action == "list":
        return _list(registry, args.state, out)
    if args.all == bool(args.keys):
        raise ValidationError("shops sync-changes needs shop keys or --all", field="keys")
    chosen = list(registry) if args.all else [registry[k] for k in args.keys]
    in_progress, _ = _codes()
    codes = [_sync_one(shop, args.state, args.wait, out) for shop in chosen]
    failed = [c for c in codes if c not in (0, 1, in_progress)]
    print(
        f"{len(chosen)} shops: {codes.count(0)} ok, {codes.count(1)} with problems, "
        f"{len(failed)} failed, {codes.count(in_progress)} skipped (already running)",
        file=out,
    )
    if failed:
        return max(failed)
    for code in (1, in_progress):
        if code in codes:
            return int(code)
    return 0
