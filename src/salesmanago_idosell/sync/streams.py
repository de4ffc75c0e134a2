"""Where each sync stream starts, what it reads and where it checkpoints.

``Streams`` turns the stored cursors into the IdoSell page iterators of a run (customers,
newsletter subscribers, orders) and records where a completed run ends, so that the next
incremental run starts there. The ``Integration`` facade only times runs and builds reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import attrs
from attrs import define

from ..config import IntegrationConfig
from ..idosell import IdosellClient, Page, PageIterator
from ..idosell.models import Customer, Subscriber
from ..mapping import MappingSettings, contact_from_customer, contact_from_subscriber
from .engine import ContactStream, Run, dump_cursor, load_cursor
from .orders import ORDERS_KEY, OrderStream
from .state import StateStore

__all__ = [
    "CUSTOMERS_CHANGES",
    "CUSTOMERS_EXPORT",
    "SUBSCRIBERS_EXPORT",
    "SUBSCRIBERS_LAST",
    "Streams",
]

T = TypeVar("T")
CUSTOMERS_EXPORT = "customers.export"
CUSTOMERS_CHANGES = "customers.changes"
SUBSCRIBERS_EXPORT = "subscribers.export"
SUBSCRIBERS_LAST = "subscribers.last"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


@define
class Streams:
    """The resumable streams of one integration (see the module docstring)."""

    idosell: IdosellClient
    state: StateStore
    config: IntegrationConfig
    settings: MappingSettings
    now: Callable[[], datetime]

    def last_subscribers_run(self) -> datetime | None:
        """When the last completed subscribers run started (``None`` before the first)."""
        return _parse(load_cursor(self.state.cursor(SUBSCRIBERS_LAST)).get("since"))

    def export_customers(self, run: Run) -> None:
        cursor = load_cursor(self.state.cursor(CUSTOMERS_EXPORT))
        began = cursor.get("started") or self.now().isoformat()
        self._resumed(run, "customers", cursor)
        stream = self.customer_stream(CUSTOMERS_EXPORT, None, {"started": began})
        if stream.run(run, start_page=int(cursor.get("page", 0))) and not run.dry_run:
            self.state.checkpoint(CUSTOMERS_EXPORT, None)
            if self.state.cursor(CUSTOMERS_CHANGES) is None:
                self.state.checkpoint(CUSTOMERS_CHANGES, dump_cursor({"since": began}))

    def customer_stream(
        self, key: str, since: datetime | None, cursor: dict[str, Any]
    ) -> ContactStream[Customer]:
        pages = self._paged(self.idosell.customers.iter(modified_since=since))

        def from_page(start: int) -> Iterator[Page[Customer]]:
            return pages.iter_pages(start=start)

        return ContactStream(
            name="customers",
            key=key,
            pages=from_page,
            to_contact=lambda c: contact_from_customer(c, settings=self.settings),
            batch_size=self.config.contact_batch_size,
            cursor=cursor,
        )

    def subscribers(self, run: Run, *, since: datetime | None) -> bool:
        cursor = load_cursor(self.state.cursor(SUBSCRIBERS_EXPORT))
        began = cursor.get("started") or self.now().isoformat()
        since = _parse(cursor.get("since")) or since
        self._resumed(run, "subscribers", cursor)
        pages = self._paged(
            self.idosell.newsletter.iter_email_subscribers(
                registered=False, since=since, shop_ids=[self.config.shop_id]
            )
        )

        def from_page(start: int) -> Iterator[Page[Subscriber]]:
            return pages.iter_pages(start=start)

        stream = ContactStream(
            name="subscribers",
            key=SUBSCRIBERS_EXPORT,
            pages=from_page,
            to_contact=lambda s: contact_from_subscriber(s, settings=self.settings),
            batch_size=self.config.contact_batch_size,
            cursor={"started": began, "since": _iso(since)},
        )
        done = stream.run(run, start_page=int(cursor.get("page", 0)))
        if done and not run.dry_run:
            self.state.checkpoint(SUBSCRIBERS_EXPORT, None)
            self.state.checkpoint(SUBSCRIBERS_LAST, dump_cursor({"since": began}))
        return done

    def orders(self, run: Run, *, since: datetime | None) -> bool:
        cursor = load_cursor(self.state.cursor(ORDERS_KEY))
        resuming = "until" in cursor
        if resuming:
            self._resumed(run, "orders", cursor)
        start = _parse(cursor.get("since")) if resuming or since is None else since
        until = _parse(cursor.get("until")) or self.now()
        pages = self._paged(self.idosell.orders.iter(added_since=start, until=until))
        stream = OrderStream(
            pages=lambda first: pages.iter_pages(start=first),
            settings=self.settings,
            batch_size=self.config.event_batch_size,
            cursor={"since": _iso(start), "until": until.isoformat()},
        )
        done = stream.run(run, start_page=int(cursor.get("page", 0)) if resuming else 0)
        if done and not run.dry_run:
            self.state.checkpoint(ORDERS_KEY, dump_cursor({"since": until.isoformat()}))
        return done

    def changed_customers(self, run: Run) -> None:
        cursor = load_cursor(self.state.cursor(CUSTOMERS_CHANGES))
        began = cursor.get("started") or self.now().isoformat()
        since = _parse(cursor.get("since"))
        if "page" in cursor:
            self._resumed(run, "customers", cursor)
        fields = {"since": _iso(since), "started": began}
        stream = self.customer_stream(CUSTOMERS_CHANGES, since, fields)
        if stream.run(run, start_page=int(cursor.get("page", 0))) and not run.dry_run:
            self.state.checkpoint(CUSTOMERS_CHANGES, dump_cursor({"since": began}))

    def _paged(self, pages: PageIterator[T]) -> PageIterator[T]:
        return attrs.evolve(pages, page_size=self.config.page_size)

    @staticmethod
    def _resumed(run: Run, name: str, cursor: dict[str, Any]) -> None:
        if cursor.get("page"):
            run.report.stream(name).resumed_from = f"page {cursor['page']}"
