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
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

from .callbacks import Callbacks
from .categories import CategoryTree
from .config import IntegrationConfig
from .errors import (
    AuthenticationError,
    SalesmanagoIdosellError,
    SyncInProgressError,
    ValidationError,
)
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
from .monitoring import Monitoring, MonitoringResult, MonitoringStatus
from .salesmanago import SalesmanagoClient
from .shop_events import ShopEvents
from .sync.delivery import UNSETTLED, Delivery, DeliveryState, DeliveryUpdate, LeaseHolder
from .sync.engine import Progress, Run, Throttle
from .sync.keys import is_delivery_key
from .sync.offer import OfferSync
from .sync.orders import ORDERS_KEY
from .sync.progress import ProgressOption, TqdmProgress, resolve_progress
from .sync.recovery import resend
from .sync.report import SyncReport
from .sync.state import MemoryStateStore, SQLiteStateStore, StateStore
from .sync.streams import Streams
from .tracking import monitoring_code
from .webhooks import (
    ReplayStore,
    SQLiteReplayStore,
    ThreadDispatcher,
    WebhookReceiver,
    sync_orders_by_serial,
)
from .webhooks.receiver import Dispatch

__all__ = ["Integration"]

logger = logging.getLogger("salesmanago_idosell")


def _state(value: StateStore | str | Path | None) -> StateStore:
    if value is None:
        return MemoryStateStore()
    if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
        raise ValidationError(
            "a PostgreSQL state needs the shop's key: pass "
            "PostgresStateStore(url, shop=KEY) (salesmanago_idosell.sync.postgres)",
            field="state",
        )
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
        lease_ttl: seconds a run's lease lasts unless renewed (renewed after every page);
            a run killed without releasing it blocks others at most this long on another
            host (on the same host a dead holder is detected at once).
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
        lease_ttl: float = 600.0,
    ) -> None:
        self.config = config
        self.lease_ttl = lease_ttl
        self._sleep = sleep
        self._clock = clock
        self.idosell = idosell or self._idosell_client(config.idosell_rate_limit)
        self.salesmanago = salesmanago or SalesmanagoClient(
            client_id=config.salesmanago_client_id,
            api_secret=config.salesmanago_api_secret,
            owner=config.salesmanago_owner,
            endpoint=config.salesmanago_endpoint,
            api_v3_key=config.salesmanago_api_v3_key,
            v3_endpoint=config.salesmanago_v3_endpoint,
            timeout=config.timeout,
            retry=config.retry,
            rate_limit=config.salesmanago_rate_limit,
            sleep=sleep,
            clock=clock,
        )
        self.state = _state(state)
        self.settings: MappingSettings = config.mapping_settings()
        self._now = now
        self._streams = Streams(
            idosell=self.idosell,
            state=self.state,
            config=config,
            settings=self.settings,
            now=now,
        )

    def _idosell_client(self, rate_limit: float, lane: str = "sync") -> IdosellClient:
        config = self.config
        return IdosellClient(
            shop_url=config.idosell_shop_url,
            api_key=config.idosell_api_key,
            api_version=config.idosell_api_version,
            timezone=config.timezone,
            timeout=config.timeout,
            retry=config.retry,
            rate_limit=rate_limit,
            lane=lane,
            sleep=self._sleep,
            clock=self._clock,
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
        if "callbacks" in self.__dict__:
            self.callbacks.idosell.close()
        self.state.close()

    def __enter__(self) -> Integration:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- runs -------------------------------------------------------------------------

    @property
    def identity(self) -> str:
        """The shop and SALESmanago account this integration's state belongs to.

        The shop's address (scheme, host, port) and the SALESmanago client id: the IdoSell
        API version is left out, so that moving to a newer version keeps the state.
        """
        return f"{self.idosell.shop_url} | {self.config.salesmanago_client_id}"

    def _acquire(self, holder: LeaseHolder, wait: float) -> None:
        """Take the run lease, waiting up to ``wait`` seconds for another run to end."""
        deadline = self._clock() + wait
        while True:
            try:
                self.state.acquire_lease(holder, ttl=self.lease_ttl)
                return
            except SyncInProgressError:
                left = deadline - self._clock()
                if left <= 0:
                    raise
                logger.info("another run holds the state's lease; waiting up to %.0f s", left)
                self._sleep(min(5.0, left))

    @contextmanager
    def _running(
        self, *, dry_run: bool, progress: ProgressOption, wait: float = 0.0
    ) -> Iterator[Run]:
        """One run: bind the state, hold the lease, time and count it, log its report."""
        started, requests = self._clock(), self._counts()
        self.state.bind(self.identity)
        holder = None if dry_run else LeaseHolder.current()
        if holder is not None:
            self._acquire(holder, wait)
        run = Run(
            idosell=self.idosell,
            salesmanago=self.salesmanago,
            state=self.state,
            report=SyncReport(started_at=self._now(), dry_run=dry_run),
            throttle=Throttle(
                self.idosell,
                every=self.config.load_check_pages,
                backoff=self.config.overload_backoff,
                sleep=self._sleep,
            ),
            dry_run=dry_run,
            progress=resolve_progress(progress),
            holder=holder,
            lease_ttl=self.lease_ttl,
            clock=self._clock,
        )
        try:
            yield run
        finally:
            if holder is not None:
                self.state.release_lease(holder)
            self._finish(run, started, requests)

    def _finish(self, run: Run, started: float, requests: tuple[int, int]) -> SyncReport:
        report = run.report
        report.duration = self._clock() - started
        report.requests["idosell"] += self.idosell.request_count - requests[0]
        report.requests["salesmanago"] += self.salesmanago.request_count - requests[1]
        if isinstance(run.progress, TqdmProgress):
            run.progress.close()
        logger.info("%s", report.summary())
        return report

    def _counts(self) -> tuple[int, int]:
        return self.idosell.request_count, self.salesmanago.request_count

    def export_customers(
        self, *, dry_run: bool = False, progress: ProgressOption = None, wait: float = 0.0
    ) -> SyncReport:
        """The full export of every customer account (tag ``rejestracja``); resumable.

        Interrupted at any point, the next call resumes from the last batch SALESmanago
        acknowledged. A completed export starts over on the next call; incremental changes
        are :meth:`sync_changes`' job. Consistent on a live shop: the accounts changed before
        the export started are read from the last page down, then a closing sweep reads those
        changed since (added or changed meanwhile), so no account is skipped while others are
        added or deleted.

        Args:
            dry_run: read and map everything, write nothing.
            progress: ``progress(stream, done, total)`` after every page, or ``True`` for
                tqdm bars (the ``progress`` extra).
            wait: seconds to wait for another run on the same state to end (default: fail
                at once with :class:`SyncInProgressError`).

        Raises:
            SyncInProgressError: another run holds the state's lease.
            StateMismatchError: the state belongs to another shop or account.
            AuthenticationError: a secret or key is wrong (the run stops at once).
        """
        with self._running(dry_run=dry_run, progress=progress, wait=wait) as run:
            self._streams.export_customers(run)
        return run.report

    def export_subscribers(
        self, *, dry_run: bool = False, progress: ProgressOption = None, wait: float = 0.0
    ) -> SyncReport:
        """Newsletter subscribers without an account (tag ``newsletter``); resumable.

        Arguments and errors as for :meth:`export_customers`.
        """
        with self._running(dry_run=dry_run, progress=progress, wait=wait) as run:
            self._streams.subscribers(run, since=None)
        return run.report

    def sync_orders(
        self,
        since: datetime | None = None,
        *,
        dry_run: bool = False,
        progress: ProgressOption = None,
        wait: float = 0.0,
    ) -> SyncReport:
        """Orders -> PURCHASE events and category tags, each order delivered once; an order
        that leaves the purchase statuses after its PURCHASE was sent gets one CANCELLATION
        (or RETURN) event (see ``docs/integration.md``, "Orders through their life").

        Before new orders are read, orders left unsettled by earlier runs are recovered:
        interrupted ones become uncertain, uncertain ones are reconciled with SALESmanago
        and refused ones are sent again (see ``docs/integration.md``, "Delivery guarantee");
        then the earlier orders of customers whose consent came later are sent.

        Args:
            since: orders added at or after this moment; default: orders placed or changed
                since the last completed run (all orders on the first run).
            dry_run: read and map everything, write nothing.
            progress: as for :meth:`export_customers`.
            wait: as for :meth:`export_customers`.
        """
        with self._running(dry_run=dry_run, progress=progress, wait=wait) as run:
            self._streams.orders(run, since=since)
        return run.report

    def sync_orders_by_serial(
        self, serials: Sequence[int | str], *, dry_run: bool = False, wait: float = 30.0
    ) -> SyncReport:
        """Send these orders now (a webhook's targeted sync), exactly once like ``sync_orders``.

        The orders go through the same mapping, consent rules, batches and delivery states as
        the polling run, which stays the source of truth: it skips what was sent here and
        catches anything a webhook missed. The stream's cursor is not moved. Unknown serial
        numbers are reported as skips.

        Args:
            serials: order serial numbers.
            dry_run: read and map, send nothing.
            wait: seconds to wait for a running sync of the same state to end (default 30).

        Raises:
            ValidationError: a serial number is not a positive integer.
            SyncInProgressError: another run still holds the state's lease after ``wait``.
        """
        with self._running(dry_run=dry_run, progress=None, wait=wait) as run:
            sync_orders_by_serial(run, serials, sink=self._streams.lifecycle_sink())
        return run.report

    def sync_changes(
        self, *, dry_run: bool = False, progress: ProgressOption = None, wait: float = 0.0
    ) -> SyncReport:
        """The incremental run for a scheduler: changed customers, new or changed subscribers
        (consent given or withdrawn, see "Consent changes" in ``docs/integration.md``), orders
        placed or changed.

        Each stream starts where its last successful run ended; a stream that fails does
        not stop the others. Unsettled orders are recovered before new ones are sent.
        """
        with self._running(dry_run=dry_run, progress=progress, wait=wait) as run:
            self._streams.changed_customers(run)
            self._streams.subscribers(run, since=self._streams.last_subscribers_run())
            self._streams.orders(run, since=None)
        return run.report

    # -- delivery recovery ----------------------------------------------------------------

    def undelivered(self, *, states: Iterable[DeliveryState] | None = None) -> list[Delivery]:
        """Orders whose PURCHASE event is not known to be delivered exactly once.

        Args:
            states: the states to list (default: pending, refused, uncertain and
                possibly-duplicated).

        Returns:
            one :class:`Delivery` per order (serial number, contact and its hash, state,
            since when, attempts, last error), oldest first.

        Raises:
            StateMismatchError: the state belongs to another shop or account.
        """
        self.state.bind(self.identity)
        chosen = list(states) if states is not None else list(UNSETTLED)
        return self.state.deliveries(ORDERS_KEY, states=chosen)

    def reconcile(self, *, limit: int = 1000, wait: float = 0.0) -> SyncReport:
        """Ask SALESmanago which uncertain orders it stored; re-send exactly the missing ones.

        Args:
            limit: at most this many uncertain orders (oldest first) per call.
            wait: as for :meth:`export_customers`.
        """
        with self._running(dry_run=False, progress=None, wait=wait) as run:
            self._streams.recover(run, limit=limit)
        return run.report

    def resend(
        self, serials: Iterable[str | int], *, force: bool = False, wait: float = 0.0
    ) -> SyncReport:
        """Send these orders' PURCHASE events again (an operator's decision).

        Refused orders are sent again as usual. Uncertain orders are sent again only with
        ``force=True``; they then become ``possibly-duplicated`` (listed by
        :meth:`undelivered` until :meth:`mark_delivered`), because SALESmanago may hold them
        already. Orders already sent are never sent again.
        """
        keys = [str(s).strip() for s in serials]
        bad = [k for k in keys if not is_delivery_key(k)]
        if bad:
            raise ValidationError(
                f"not order serial numbers: {', '.join(repr(b[:20]) for b in bad[:5])}",
                field="serials",
            )
        states = {DeliveryState.REFUSED}
        if force:
            states |= {DeliveryState.UNCERTAIN, DeliveryState.PENDING}
        with self._running(dry_run=False, progress=None, wait=wait) as run:
            sink = self._streams.lifecycle_sink(
                resend=frozenset(states),
                sent_state=DeliveryState.POSSIBLY_DUPLICATED if force else DeliveryState.SENT,
                operator=True,
            )
            resend(run, sink, states=states, serials=keys)
        return run.report

    def mark_delivered(self, serials: Iterable[str | int], *, wait: float = 0.0) -> list[str]:
        """Record these orders as delivered (the operator checked SALESmanago).

        Only orders this state has tried to send are changed; the others are left out of the
        returned list (the serial numbers that were marked).

        Raises:
            SyncInProgressError: another run holds the state's lease (after ``wait``).
            StateMismatchError: the state belongs to another shop or account.
        """
        keys = list(dict.fromkeys(str(s) for s in serials))
        with self._running(dry_run=False, progress=None, wait=wait):
            known = self.state.known(ORDERS_KEY, keys)
            marked = [k for k in keys if k in known]
            note = "marked delivered by operator"
            self.state.record(
                ORDERS_KEY,
                [DeliveryUpdate(key=k, state=DeliveryState.SENT, error=note) for k in marked],
            )
        return marked

    # -- the offer ----------------------------------------------------------------------

    def _feed(self, feed: FeedSource | str) -> FeedSource:
        if isinstance(feed, str) and feed.startswith(("http://", "https://")):
            return self.idosell.download(feed)
        return feed

    def _category_tree(self, categories: FeedSource | str | None) -> CategoryTree | None:
        return parse_category_tree(self._feed(categories)) if categories is not None else None

    def _offer_tree(self, run: Run, categories: FeedSource | str | None) -> CategoryTree | None:
        """The tree from ``categories.xml``, else the Admin API's (by id); ``None`` (names
        split at ``/``, the last resort) only when neither can be read."""
        if categories is not None:
            return self._category_tree(categories)
        try:
            return self.idosell.categories.tree(language=self.config.language)
        except AuthenticationError:
            raise
        except SalesmanagoIdosellError as exc:
            reason = f"category tree unreadable ({type(exc).__name__}): IOF paths split at '/'"
            logger.warning("offer: %s", reason)
            run.report.problem("offer", "categories", reason, "warning")
            return None

    def sync_offer(
        self,
        feed: FeedSource | str,
        *,
        categories: FeedSource | str | None = None,
        dry_run: bool = False,
        progress: ProgressOption = None,
        wait: float = 0.0,
    ) -> SyncReport:
        """The IOF offer feed -> the SALESmanago v3 product catalog (created when missing).

        Args:
            feed: IOF ``full.xml`` as a path, an ``http(s)`` URL, bytes, a binary file or an
                iterable of byte chunks (gzip is detected).
            categories: the feed's ``categories.xml``, to resolve category names by id;
                without it the tree is read by id from the Admin API
                (``GET /products/categories``); IOF category paths are split at ``/`` only
                when that fails too (a warning in the report).
            dry_run: read and map everything, write nothing.
            progress: ``progress("offer", done, None)`` every 100 products.
            wait: as for :meth:`export_customers`.
        """
        with self._running(dry_run=dry_run, progress=progress, wait=wait) as run:
            offer = OfferSync(
                catalog_name=self.config.catalog_name,
                currency=self.config.currency,
                location=self.config.location,
                language=self.config.language,
                batch_size=self.config.product_batch_size,
                tree=self._offer_tree(run, categories),
            )

            def unreadable(skip: FeedSkip) -> None:  # read from the feed, but not readable
                run.report.stream("offer").read += 1
                run.report.skip("offer", skip.record, skip.reason)

            products: Iterator[OfferProduct] = iter_offer_products(
                self._feed(feed), on_skip=unreadable
            )
            if run.progress is not None:
                products = _counting(products, run.progress)
            offer.run(run, products)
        return run.report

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
        """The opt-in/opt-out callbacks (needs ``opt_out_token`` in the configuration).

        They use an IdoSell client of their own, with its own request budget
        (``callback_rate_limit``), so a running sync never makes an opt-out wait.
        """
        if not self.config.opt_out_token:
            raise ValidationError(
                "callbacks need opt_out_token (SMIDO_OPT_OUT_TOKEN)", field="opt_out_token"
            )
        return Callbacks(
            token=self.config.opt_out_token,
            idosell=self._idosell_client(self.config.callback_rate_limit, "callbacks"),
            shop_id=self.config.shop_id,
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

    # -- the monitoring code in the shop (snippets gates) ------------------------------------

    def monitoring(self, **code_options: Any) -> Monitoring:
        """Install, check and remove the monitoring code (see :mod:`..monitoring`).

        ``code_options`` go to :meth:`monitoring_code` (``app=``, ``popups=`` ...).
        """
        return Monitoring(
            self.idosell,
            code=self.monitoring_code(**code_options),
            shop_id=self.config.shop_id,
            languages=(self.config.language,),
        )

    def install_monitoring_code(
        self, *, dry_run: bool = False, **code_options: Any
    ) -> MonitoringResult:
        """Put this account's monitoring code on every shop page (idempotent).

        Creates or updates one campaign, one snippet and the ``smclient`` / ``smevent``
        cookie definitions; a second call makes no write. ``dry_run=True`` lists the calls
        without making them; ``code_options`` go to :meth:`monitoring_code`. Raises
        ``IdosellItemsError`` when IdoSell refuses an item.
        """
        return self.monitoring(**code_options).install(dry_run=dry_run)

    def monitoring_status(self, **code_options: Any) -> MonitoringStatus:
        """What is installed in the shop and whether it matches this account's code."""
        return self.monitoring(**code_options).status()

    def uninstall_monitoring_code(self, *, dry_run: bool = False) -> MonitoringResult:
        """Remove exactly what :meth:`install_monitoring_code` installed."""
        return self.monitoring().uninstall(dry_run=dry_run)

    # -- webhooks --------------------------------------------------------------------------

    def webhook_receiver(
        self,
        *,
        secret: str,
        token: str,
        dispatch: Dispatch | None = None,
        replay: ReplayStore | None = None,
        **options: Any,
    ) -> WebhookReceiver:
        """A receiver of IdoSell webhooks whose order events run :meth:`sync_orders_by_serial`.

        Args:
            secret: the shared HMAC-SHA256 secret set in IdoSell.
            token: the bearer token set in IdoSell.
            dispatch: where the serial numbers go (default: one background thread running
                :meth:`sync_orders_by_serial`).
            replay: the event-uid memory (default: beside a SQLite sync state, in its file;
                otherwise in memory).
            options: more :class:`~salesmanago_idosell.webhooks.WebhookReceiver` options.
        """
        if replay is None and isinstance(self.state, SQLiteStateStore):
            replay = SQLiteReplayStore(self.state.path)
        return WebhookReceiver(
            secret=secret,
            token=token,
            dispatch=dispatch or ThreadDispatcher(self.sync_orders_by_serial),
            replay=replay,
            shop_timezone=self.idosell.timezone,
            **options,
        )
