"""``Integration``: the shop -> SALESmanago sync, resumable, throttled and reported.

Orchestration only: it reads through :class:`IdosellClient`, maps with the pure functions
of :mod:`salesmanago_idosell.mapping`, writes through :class:`SalesmanagoClient`, and keeps
its progress in a :class:`StateStore`. Constructing it does no I/O.

Example:
    >>> integration = Integration.from_env(state="sync-state.sqlite")  # doctest: +SKIP
    >>> print(integration.export_customers())  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from .callbacks import Callbacks
from .categories import CategoryTree
from .config import IntegrationConfig
from .errors import ValidationError
from .feeds import (
    FeedSkip,
    FeedSource,
    OfferProduct,
    PreviewResult,
    XmlTarget,
    iter_offer_products,
    parse_category_tree,
    preview_offer,
)
from .idosell import IdosellClient
from .mapping import MappingSettings
from .salesmanago import SalesmanagoClient
from .shop_events import ShopEvents
from .sync.engine import Progress, Run, Throttle
from .sync.offer import OfferSync
from .sync.progress import ProgressOption, TqdmProgress, resolve_progress
from .sync.report import SyncReport
from .sync.state import MemoryStateStore, SQLiteStateStore, StateStore
from .sync.streams import Streams
from .tracking import monitoring_code

__all__ = ["Integration"]

logger = logging.getLogger("salesmanago_idosell")


def _state(value: StateStore | str | Path | None) -> StateStore:
    if value is None:
        return MemoryStateStore()
    if isinstance(value, str | Path):
        return SQLiteStateStore(value)
    return value


def _counting(products: Iterator[OfferProduct], progress: Progress) -> Iterator[OfferProduct]:
    for done, product in enumerate(products, start=1):
        if done % 100 == 0:
            progress("offer", done, None)
        yield product


class Integration:
    """An IdoSell shop connected to a SALESmanago account.

    Args:
        config: the settings.
        idosell: the IdoSell client (built from ``config`` when not given).
        salesmanago: the SALESmanago client (built from ``config`` when not given).
        state: a :class:`StateStore`, or a SQLite file path (default: in memory — pass a
            path to resume across processes).
        sleep: the sleep function for throttling (injected in tests).
        clock: the monotonic clock for throttling (injected in tests).
        now: the current UTC time (injected in tests).
    """

    def __init__(
        self,
        config: IntegrationConfig,
        *,
        idosell: IdosellClient | None = None,
        salesmanago: SalesmanagoClient | None = None,
        state: StateStore | str | Path | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self.config = config
        self.idosell = idosell or IdosellClient(
            shop_url=config.idosell_shop_url,
            api_key=config.idosell_api_key,
            api_version=config.idosell_api_version,
            timezone=config.timezone,
            rate_limit=config.idosell_rate_limit,
            sleep=sleep,
            clock=clock,
        )
        self.salesmanago = salesmanago or SalesmanagoClient(
            client_id=config.salesmanago_client_id,
            api_secret=config.salesmanago_api_secret,
            owner=config.salesmanago_owner,
            endpoint=config.salesmanago_endpoint,
            api_v3_key=config.salesmanago_api_v3_key,
            v3_endpoint=config.salesmanago_v3_endpoint,
            sleep=sleep,
            clock=clock,
        )
        self.state = _state(state)
        self.settings: MappingSettings = config.mapping_settings()
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._streams = Streams(
            idosell=self.idosell,
            state=self.state,
            config=config,
            settings=self.settings,
            now=now,
        )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **options: Any) -> Integration:
        """Build from environment variables (see ``IntegrationConfig.from_env``)."""
        return cls(IntegrationConfig.from_env(environ), **options)

    def __repr__(self) -> str:
        return f"Integration(shop={self.idosell.base_url!r}, state={self.state!r})"

    def close(self) -> None:
        """Close the clients' connections and the state store."""
        self.idosell.close()
        self.salesmanago.close()
        self.state.close()

    def __enter__(self) -> Integration:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------

    def _run(self, *, dry_run: bool, progress: ProgressOption) -> Run:
        report = SyncReport(started_at=self._now(), dry_run=dry_run)
        throttle = Throttle(
            self.idosell,
            every=self.config.load_check_pages,
            backoff=self.config.overload_backoff,
            sleep=self._sleep,
        )
        return Run(
            idosell=self.idosell,
            salesmanago=self.salesmanago,
            state=self.state,
            report=report,
            throttle=throttle,
            dry_run=dry_run,
            progress=resolve_progress(progress),
        )

    def _finish(self, run: Run, started: float, requests: tuple[int, int]) -> SyncReport:
        report = run.report
        report.duration = self._clock() - started
        report.requests["idosell"] += self.idosell.request_count - requests[0]
        report.requests["salesmanago"] += self.salesmanago.request_count - requests[1]
        if isinstance(run.progress, TqdmProgress):
            run.progress.close()
        logger.info("%s", report)
        return report

    def _counts(self) -> tuple[int, int]:
        return self.idosell.request_count, self.salesmanago.request_count

    def export_customers(
        self, *, dry_run: bool = False, progress: ProgressOption = None
    ) -> SyncReport:
        """The full export of every customer account (tag ``rejestracja``); resumable.

        Interrupted at any point, the next call resumes from the last batch SALESmanago
        acknowledged. A completed export starts over on the next call; incremental changes
        are :meth:`sync_changes`' job.
        """
        started, requests = self._clock(), self._counts()
        run = self._run(dry_run=dry_run, progress=progress)
        self._streams.export_customers(run)
        return self._finish(run, started, requests)

    def export_subscribers(
        self, *, dry_run: bool = False, progress: ProgressOption = None
    ) -> SyncReport:
        """Newsletter subscribers without an account (tag ``newsletter``); resumable."""
        started, requests = self._clock(), self._counts()
        run = self._run(dry_run=dry_run, progress=progress)
        self._streams.subscribers(run, since=None)
        return self._finish(run, started, requests)

    def sync_orders(
        self,
        since: datetime | None = None,
        *,
        dry_run: bool = False,
        progress: ProgressOption = None,
    ) -> SyncReport:
        """New orders -> PURCHASE events and category tags, at most once per order.

        Args:
            since: orders added at or after this moment; default: since the last completed
                run (all orders on the first run).
            dry_run: read and map everything, write nothing.
            progress: ``progress(stream, done, total)`` after every page, or ``True`` for
                tqdm bars (the ``progress`` extra).
        """
        started, requests = self._clock(), self._counts()
        run = self._run(dry_run=dry_run, progress=progress)
        self._streams.orders(run, since=since)
        return self._finish(run, started, requests)

    def sync_changes(self, *, dry_run: bool = False, progress: ProgressOption = None) -> SyncReport:
        """The incremental run for a scheduler: changed customers, new subscribers, orders.

        Each stream starts where its last successful run ended; a stream that fails does
        not stop the others.
        """
        started, requests = self._clock(), self._counts()
        run = self._run(dry_run=dry_run, progress=progress)
        self._streams.changed_customers(run)
        self._streams.subscribers(run, since=self._streams.last_subscribers_run())
        self._streams.orders(run, since=None)
        return self._finish(run, started, requests)

    # -- the offer ----------------------------------------------------------------------

    def _feed(self, feed: FeedSource | str) -> FeedSource:
        if isinstance(feed, str) and feed.startswith(("http://", "https://")):
            return self.idosell.download(feed)
        return feed

    def _category_tree(self, categories: FeedSource | str | None) -> CategoryTree | None:
        return parse_category_tree(self._feed(categories)) if categories is not None else None

    def sync_offer(
        self,
        feed: FeedSource | str,
        *,
        categories: FeedSource | str | None = None,
        dry_run: bool = False,
        progress: ProgressOption = None,
    ) -> SyncReport:
        """The IOF offer feed -> the SALESmanago v3 product catalog (created when missing).

        Args:
            feed: IOF ``full.xml`` as a path, an ``http(s)`` URL, bytes, a binary file or an
                iterable of byte chunks (gzip is detected).
            categories: the feed's ``categories.xml``, to resolve category names by id.
            dry_run: read and map everything, write nothing.
            progress: ``progress("offer", done, None)`` every 100 products.
        """
        started, requests = self._clock(), self._counts()
        run = self._run(dry_run=dry_run, progress=progress)
        offer = OfferSync(
            catalog_name=self.config.catalog_name,
            currency=self.config.currency,
            location=self.config.location,
            language=self.config.language,
            batch_size=self.config.product_batch_size,
            tree=self._category_tree(categories),
        )

        def unreadable(skip: FeedSkip) -> None:  # read from the feed, but not readable
            run.report.stream("offer").read += 1
            run.report.skip("offer", skip.record, skip.reason)

        products: Iterator[OfferProduct] = iter_offer_products(self._feed(feed), on_skip=unreadable)
        if run.progress is not None:
            products = _counting(products, run.progress)
        offer.run(run, products)
        return self._finish(run, started, requests)

    def write_offer_preview(
        self,
        feed: FeedSource | str,
        out: XmlTarget,
        *,
        categories: FeedSource | str | None = None,
        limit: int | None = 20,
    ) -> PreviewResult:
        """Write the SALESmanago XML of the feed's first ``limit`` products (the preview)."""
        return preview_offer(
            self._feed(feed),
            out,
            language=self.config.language,
            limit=limit,
            category_tree=self._category_tree(categories),
            currency=self.config.currency,
        )

    # -- callbacks and tracking -------------------------------------------------------

    @cached_property
    def callbacks(self) -> Callbacks:
        """The opt-in/opt-out callbacks (needs ``opt_out_token`` in the configuration)."""
        if not self.config.opt_out_token:
            raise ValidationError(
                "callbacks need opt_out_token (SMIDO_OPT_OUT_TOKEN)", field="opt_out_token"
            )
        return Callbacks(
            token=self.config.opt_out_token, idosell=self.idosell, shop_id=self.config.shop_id
        )

    @cached_property
    def events(self) -> ShopEvents:
        """Live CART and VISIT events (see :mod:`salesmanago_idosell.shop_events`)."""
        return ShopEvents(
            self.salesmanago,
            location=self.config.location,
            shop_domain=self.settings.shop_domain,
            now=self._now,
        )

    def track_cart(
        self,
        *,
        products: Iterable[str],
        value: Decimal,
        email: str | None = None,
        contact_id: str | None = None,
        cart_event_id: str | None = None,
        description: str | None = None,
    ) -> str:
        """Add or update the visitor's CART event; returns its id (see ``ShopEvents``)."""
        return self.events.track_cart(
            products=products,
            value=value,
            email=email,
            contact_id=contact_id,
            cart_event_id=cart_event_id,
            description=description,
        )

    def track_product_view(
        self, *, product_id: str, email: str | None = None, contact_id: str | None = None
    ) -> str:
        """A VISIT event for a product page view; returns its id."""
        return self.events.track_product_view(
            product_id=product_id, email=email, contact_id=contact_id
        )

    def monitoring_code(self, *, contact_id: str | None = None, **options: Any) -> str:
        """The SALESmanago monitoring snippet for this account (see ``tracking``)."""
        return monitoring_code(
            client_id=self.config.salesmanago_client_id,
            endpoint=self.config.salesmanago_endpoint,
            contact_id=contact_id,
            **options,
        )
