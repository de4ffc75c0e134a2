"""Where each sync stream starts, what it reads and where it checkpoints.

``Streams`` turns the stored cursors into the IdoSell page iterators of a run (customers,
newsletter subscribers, orders), runs them through the one page loop
(:func:`~.engine.run_pages`), and records where a completed run ends, so that the next
incremental run starts there. The ``Integration`` facade only times runs and builds reports.

===================== ==================================================================
state key             cursor
===================== ==================================================================
``customers.export``  the full export in progress (``page`` counted down to 0,
                      ``descending``, ``started``, ``until``: the window's end, none
                      when every account is read); cleared when done
``customers.changes`` ``since``: changed customers are read from there
``subscribers.export`` a subscribers run in progress (``page``, ``since``, ``started``)
``subscribers.last``  ``since``: when the last complete subscribers run started
``orders``            ``since`` (next run's start) or a run in progress (``page``,
                      ``since``, ``until``); per-order delivery states beside it
===================== ==================================================================

Marks beside them: ``consent`` (the consent last sent per contact, :mod:`.consent`),
``orders.history`` (customers whose earlier orders are due) and ``orders.waiting``
(orders whose follow-up waits for their PURCHASE to settle, :mod:`.lifecycle`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

import attrs
from attrs import define

from ..config import IntegrationConfig
from ..idosell import IdosellClient, Page, PageIterator
from ..idosell.models import Customer, Subscriber
from ..mapping import MappingSettings, contact_from_customer, contact_from_subscriber
from .consent import ConsentSink, ContactRules
from .cursor import Cursor
from .engine import Run, run_pages
from .lifecycle import LifecycleSink, follow_up_events, recover_follow_ups, send_history
from .orders import ORDERS_KEY, STREAM, OrderSink
from .recovery import reconcile, resend, settle_interrupted
from .state import StateStore

__all__ = [
    "CUSTOMERS_CHANGES",
    "CUSTOMERS_EXPORT",
    "SUBSCRIBERS_EXPORT",
    "SUBSCRIBERS_LAST",
    "Streams",
]

T = TypeVar("T")
logger = logging.getLogger("salesmanago_idosell")
CUSTOMERS_EXPORT = "customers.export"
CUSTOMERS_CHANGES = "customers.changes"
SUBSCRIBERS_EXPORT = "subscribers.export"
SUBSCRIBERS_LAST = "subscribers.last"


@define
class Streams:
    """The resumable streams of one integration (see the module docstring)."""

    idosell: IdosellClient
    state: StateStore
    config: IntegrationConfig
    settings: MappingSettings
    now: Callable[[], datetime]
    reconcile_wait: float = 120.0

    def _next_window(self, end: datetime | None) -> Cursor:
        """Where the next incremental run starts: this run's start (``end``) less the
        configured overlap, so a record stamped a moment before a run ended — a shop clock
        behind this host's, a write that became visible late — is still read. Records read
        twice are harmless: upserts are idempotent and orders have delivery states."""
        overlap = timedelta(seconds=self.config.read_overlap)
        return Cursor(since=end - overlap if end is not None else None)

    def _cursor(self, key: str) -> Cursor:
        return Cursor.load(self.state.cursor(key))

    def _done(self, run: Run, key: str, cursor: Cursor | None) -> None:
        if not run.dry_run:
            self.state.checkpoint(key, cursor.dump() if cursor is not None else None)

    def last_subscribers_run(self) -> datetime | None:
        """When the last completed subscribers run started (``None`` before the first)."""
        return self._cursor(SUBSCRIBERS_LAST).since

    # -- customers and subscribers --------------------------------------------------------

    def export_customers(self, run: Run) -> bool:
        """The full export of every customer account; resumable, consistent on a live shop.

        The export reads the accounts last changed before it started, from the last page
        down to page 0: that set only loses rows while it is read (deleted accounts, changed
        ones leaving the window), which shifts rows towards pages still to be read, so nobody
        is skipped. A closing sweep then reads every account changed since the export
        started (added and changed ones) — see :meth:`changed_customers`.
        """
        cursor = self._cursor(CUSTOMERS_EXPORT)
        last_page: int | None = None
        if not cursor.in_progress:
            started = cursor.started or self.now()
            cursor, last_page = self._export_window(started)
        if cursor.descending:
            query = self._paged(self.idosell.customers.iter(modified_until=cursor.until))
            pages = _descending(query, last_page)
        else:  # an export interrupted by an older version: resumed as it was started
            pages = _from(self._paged(self.idosell.customers.iter()))
        if not run_pages(
            run, name="customers", key=CUSTOMERS_EXPORT, cursor=cursor, pages=pages,
            sink=self._contact_sink(CUSTOMERS_EXPORT, cursor),
        ):  # fmt: skip
            return False
        changes = self._cursor(CUSTOMERS_CHANGES)
        if changes.since is None or (cursor.started and changes.since > cursor.started):
            self._done(run, CUSTOMERS_CHANGES, self._next_window(cursor.started))
        self._done(run, CUSTOMERS_EXPORT, None)
        return run.dry_run or self.changed_customers(run)

    def _export_window(self, started: datetime) -> tuple[Cursor, int]:
        """A new export's cursor and its first (last) page.

        The window is "last changed at or before ``started``" when it holds every account
        (each has a modification date): nobody then enters it while it is read. When the
        shop counts more accounts than the window does, the export reads all of them (new
        accounts then come after those read, by IdoSell's order by id, and the closing
        sweep reads them). Two counting requests.
        """
        everyone = self.idosell.customers.iter()
        windowed = self.idosell.customers.iter(modified_until=started)
        total, inside = everyone.count(), windowed.count()
        until: datetime | None = started
        if inside < total:
            logger.warning(
                "%d of %d customer accounts have no modification date before the export: "
                "the export reads every account",
                total - inside,
                total,
            )
            until, inside = None, total
        size = self.config.page_size
        cursor = Cursor(descending=True, started=started, until=until)
        return cursor, max(0, -(-inside // size) - 1)

    def changed_customers(self, run: Run) -> bool:
        """Customers changed since the last complete run."""
        cursor = self._cursor(CUSTOMERS_CHANGES)
        cursor = attrs.evolve(cursor, started=cursor.started or self.now())
        if not self._customers(run, CUSTOMERS_CHANGES, cursor):
            return False
        self._done(run, CUSTOMERS_CHANGES, self._next_window(cursor.started))
        return True

    def _contact_sink(self, key: str, cursor: Cursor) -> ConsentSink[Customer]:
        rules: ContactRules[Customer] = ContactRules(
            email=lambda c: c.email,
            consented=lambda c: c.consents_to_newsletter(self.settings.shop_id),
            to_contact=lambda c, p: contact_from_customer(c, settings=self.settings, previous=p),
            has_account=True,
            customer_id=lambda c: c.id,
        )
        return ConsentSink(
            name="customers",
            key=key,
            rules=rules,
            settings=self.settings,
            batch_size=self.config.contact_batch_size,
            # a changes run after an earlier one: a consenting customer the SDK never sent
            # (a state from before consent memory) may have earlier orders to send
            history_for_unknown=key == CUSTOMERS_CHANGES and cursor.since is not None,
        )

    def _customers(self, run: Run, key: str, cursor: Cursor) -> bool:
        pages = self._paged(self.idosell.customers.iter(modified_since=cursor.since))
        return run_pages(
            run, name="customers", key=key, cursor=cursor, pages=_from(pages),
            sink=self._contact_sink(key, cursor),
        )  # fmt: skip

    def subscribers(self, run: Run, *, since: datetime | None) -> bool:
        """Newsletter subscribers without an account (since a moment, or all)."""
        cursor = self._cursor(SUBSCRIBERS_EXPORT)
        if not cursor.in_progress:
            cursor = Cursor(since=since)
        cursor = attrs.evolve(cursor, started=cursor.started or self.now())
        pages = self._paged(
            self.idosell.newsletter.iter_email_subscribers(
                registered=False, since=cursor.since, shop_ids=[self.config.shop_id]
            )
        )
        rules: ContactRules[Subscriber] = ContactRules(
            email=lambda s: s.email,
            consented=lambda s: s.is_approved(self.settings.shop_id),
            to_contact=lambda s, p: contact_from_subscriber(s, settings=self.settings, previous=p),
            has_account=False,
        )
        sink = ConsentSink(
            name="subscribers",
            key=SUBSCRIBERS_EXPORT,
            rules=rules,
            settings=self.settings,
            batch_size=self.config.contact_batch_size,
        )
        key = SUBSCRIBERS_EXPORT
        if not run_pages(
            run, name="subscribers", key=key, cursor=cursor, pages=_from(pages), sink=sink
        ):
            return False
        self._done(run, SUBSCRIBERS_EXPORT, None)
        self._done(run, SUBSCRIBERS_LAST, self._next_window(cursor.started))
        return True

    # -- orders ---------------------------------------------------------------------------

    def order_sink(self, **options: object) -> OrderSink:
        """A sink for PURCHASE events with this integration's settings."""
        return OrderSink(
            settings=self.settings,
            batch_size=self.config.event_batch_size,
            category_ttl=self.config.category_cache_ttl,
            **options,  # type: ignore[arg-type]
        )

    def lifecycle_sink(self, **options: object) -> LifecycleSink:
        """PURCHASE events, then CANCELLATION / RETURN when an order leaves a purchase status
        (``options`` go to both :class:`OrderSink`)."""
        return LifecycleSink(
            settings=self.settings,
            purchases=self.order_sink(**options),
            follow_ups=self.order_sink(events=follow_up_events(self.settings), **options),
        )

    def recover(self, run: Run, *, limit: int = 1000) -> None:
        """Settle interrupted orders, reconcile (up to ``limit``) uncertain ones, re-send
        refused ones and the follow-ups that waited for them."""
        if run.dry_run:
            return
        settle_interrupted(run)
        reconcile(
            run,
            wait_timeout=self.reconcile_wait,
            limit=limit,
            settle=self.config.reconcile_settle,
        )
        resend(run, self.lifecycle_sink())
        recover_follow_ups(run, self.lifecycle_sink())

    def orders(self, run: Run, *, since: datetime | None) -> bool:
        """Orders changed since the last complete run (or added since ``since``), after
        recovery and the earlier orders of customers whose consent came later."""
        self.recover(run)
        if not run.dry_run:
            send_history(run, self.lifecycle_sink())
        cursor = self._cursor(ORDERS_KEY)
        if not cursor.in_progress:
            start = cursor.since if since is None else since
            cursor = Cursor(page=None, since=start, until=self.now(), descending=True)
        if since is None:  # the incremental window: placed or changed (status) since
            found = self.idosell.orders.iter(modified_since=cursor.since, until=cursor.until)
        else:
            found = self.idosell.orders.iter(added_since=cursor.since, until=cursor.until)
        # read from the last page down: an order changed while the window is read leaves it
        # (its date passes ``until``), which shifts later rows towards pages still to read,
        # never past one (read upwards, the next page's first row would be skipped)
        paged = self._paged(found)
        done = run_pages(
            run,
            name=STREAM,
            key=ORDERS_KEY,
            cursor=cursor,
            pages=_descending(paged) if cursor.descending else _from(paged),
            sink=self.lifecycle_sink(),
        )
        if done:
            self._done(run, ORDERS_KEY, self._next_window(cursor.until))
        return done

    def _paged(self, pages: PageIterator[T]) -> PageIterator[T]:
        return attrs.evolve(pages, page_size=self.config.page_size)


def _from(pages: PageIterator[T]) -> Callable[[int | None], Iterator[Page[T]]]:
    def from_page(start: int | None) -> Iterator[Page[T]]:
        return pages.iter_pages(start=start or 0)

    return from_page


def _descending(
    pages: PageIterator[T], last_page: int | None = None
) -> Callable[[int | None], Iterator[Page[T]]]:
    def from_page(start: int | None) -> Iterator[Page[T]]:
        return pages.iter_pages_descending(start=last_page if start is None else start)

    return from_page
