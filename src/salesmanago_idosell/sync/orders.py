"""Orders -> PURCHASE events and category tags, at most once per order across restarts.

For each batch of new orders the stream:

1. upserts the purchased products' category tags onto the contacts (idempotent);
2. records the batch's order serial numbers as *pending* in the state store (write-ahead);
3. adds the PURCHASE events (not idempotent: never retried once they may have arrived);
4. checkpoints the cursor and the sent serial numbers in one transaction, clearing *pending*.

An order whose serial number is already recorded is never sent again. If adding the events
fails in a way that leaves it unknown whether SALESmanago stored them (a timeout, a dropped
connection, a 5xx, Ctrl-C), the serials are recorded as *uncertain* and reported: they are not
re-sent automatically. The one window left is a hard kill (power loss, ``kill -9``) between
SALESmanago's answer and step 4: the next run finds the pending record, reports those orders
as possibly sent, and sends them again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from attrs import define, field

from ..categories import CategoryTree
from ..errors import (
    AuthenticationError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    ValidationError,
)
from ..idosell import Page
from ..idosell.models import Order
from ..mapping import (
    ConsentMode,
    MappingSettings,
    Purchase,
    Skip,
    category_tags,
    consent_decision,
    purchase_event_from_order,
)
from ..salesmanago import ContactUpsert
from .engine import Run, dump_cursor

__all__ = ["ORDERS_KEY", "OrderStream"]

logger = logging.getLogger("salesmanago_idosell")
ORDERS_KEY = "orders"
STREAM = "orders"


@define
class _Item:
    serial: str
    order: Order
    purchase: Purchase


@define
class OrderStream:
    """A resumable stream of orders sent as PURCHASE events (see the module docstring).

    Attributes:
        pages: yields the orders' pages from a given page number.
        settings: the mapping settings.
        batch_size: events per batch.
        cursor: this run's cursor fields (``since``, ``until``), stored with the page.
    """

    pages: Callable[[int], Iterator[Page[Order]]]
    settings: MappingSettings
    batch_size: int
    cursor: dict[str, Any] = field(factory=dict)
    _tree: CategoryTree | None = field(default=None, init=False)
    _buffer: list[_Item] = field(factory=list, init=False)

    def run(self, run: Run, *, start_page: int) -> bool:
        """Run to the end; True when complete, False when stopped by a failure."""
        self._report_pending(run)
        next_page = start_page
        for page in self.pages(start_page):
            next_page = page.number + 1
            self._map(run, page.items)
            run.tick(STREAM, page)
            if len(self._buffer) >= self.batch_size and not self._flush(run, next_page):
                return False
        return self._flush(run, next_page)

    def _report_pending(self, run: Run) -> None:
        pending = run.state.pending(ORDERS_KEY)
        if not pending:
            return
        run.report.stream(STREAM).uncertain += len(pending)
        for serial in pending:
            run.report.problem(
                STREAM,
                f"order {serial}",
                "possibly sent twice: the previous run stopped between sending and checkpointing",
                "uncertain",
            )

    def _map(self, run: Run, orders: tuple[Order, ...]) -> None:
        stream = run.report.stream(STREAM)
        serials = [str(o.serial_number) for o in orders]
        known = {} if run.dry_run else run.state.known(ORDERS_KEY, serials)
        refused = self._without_consent(run, orders)
        for order, serial in zip(orders, serials, strict=True):
            stream.read += 1
            if serial in known:
                run.report.skip(STREAM, f"order {serial}", f"already {known[serial]}")
                continue
            account = order.client.id if order.client.id is not None else 0
            if account in refused:
                run.report.skip(STREAM, f"order {serial}", refused[account])
                continue
            mapped = purchase_event_from_order(order, settings=self.settings)
            if isinstance(mapped, Skip):
                run.report.skip(STREAM, mapped.record, mapped.reason)
                continue
            if mapped.dropped_products:
                run.report.problem(
                    STREAM,
                    f"order {serial}",
                    f"{len(mapped.dropped_products)} product ids left out (512-character limit)",
                    "skipped",
                )
            self._buffer.append(_Item(serial, order, mapped))

    def _without_consent(self, run: Run, orders: tuple[Order, ...]) -> dict[int, str]:
        """Customer id -> skip reason, for the customers whose orders are not passed.

        In ``CONSENTED_ONLY`` mode a purchase would bring a contact without consent into
        SALESmanago, so those orders are skipped; in ``ALL`` mode nothing is (``{}``).
        Orders without an account are marked by the key 0.
        """
        if self.settings.consent_mode is ConsentMode.ALL or not orders:
            return {}
        ids = sorted({o.client.id for o in orders if o.client.id is not None})
        found = {c.id: c for c in run.idosell.customers.iter(ids=ids)} if ids else {}
        refused = {0: "order without a customer account"}
        for customer_id in ids:
            customer = found.get(customer_id)
            consented = customer is not None and customer.consents_to_newsletter(
                self.settings.shop_id
            )
            decision = consent_decision(
                consented=consented, has_account=True, settings=self.settings
            )
            if not decision.send:
                refused[customer_id] = decision.reason or "not passed"
        return refused

    def _flush(self, run: Run, next_page: int) -> bool:
        batch, self._buffer = self._buffer, []
        stream = run.report.stream(STREAM)
        if run.dry_run:
            stream.sent += len(batch)
            return True
        sent: list[str] | None = []
        if batch:
            sent = self._send_events(run, batch) if self._send_tags(run, batch) else None
        if sent is None:
            return False
        run.state.checkpoint(ORDERS_KEY, dump_cursor({**self.cursor, "page": next_page}), sent=sent)
        return True

    def _tags_by_email(self, run: Run, batch: list[_Item]) -> dict[str, list[str]]:
        product_ids = {line.product_id for item in batch for line in item.order.products}
        categories = run.idosell.products.categories_of(sorted(product_ids))
        if self._tree is None:
            self._tree = run.idosell.categories.tree(language=self.settings.category_language)
        tags: dict[str, list[str]] = defaultdict(list)
        for item in batch:
            ids = [
                categories[p.product_id] for p in item.order.products if p.product_id in categories
            ]
            email = item.purchase.event.email or ""
            for tag in category_tags(ids, self._tree, settings=self.settings):
                if tag not in tags[email]:
                    tags[email].append(tag)
        return {email: found for email, found in tags.items() if found}

    def _send_tags(self, run: Run, batch: list[_Item]) -> bool:
        try:
            tags = self._tags_by_email(run, batch)
            contacts = [ContactUpsert(email=email, tags=found) for email, found in tags.items()]
            if contacts:
                run.salesmanago.contacts.batch_upsert(contacts)
        except AuthenticationError:  # refused credentials stop the whole run
            raise
        except SalesmanagoIdosellError as exc:
            self._stop(run, batch, f"category tags: {exc}", type(exc).__name__)
            return False
        return True

    def _send_events(self, run: Run, batch: list[_Item]) -> list[str] | None:
        """Add the events; the serials SALESmanago accepted, or None when the stream stops."""
        serials = [item.serial for item in batch]
        run.state.begin(ORDERS_KEY, serials)
        try:
            result = run.salesmanago.events.batch_add([i.purchase.event for i in batch])
        except AuthenticationError:  # refused before anything was stored: stop the run
            run.state.checkpoint(ORDERS_KEY, run.state.cursor(ORDERS_KEY))
            raise
        except (SalesmanagoAPIError, ValidationError) as exc:  # refused whole: nothing stored
            run.state.checkpoint(ORDERS_KEY, run.state.cursor(ORDERS_KEY))
            self._stop(run, batch, f"PURCHASE events refused: {exc}", type(exc).__name__)
            return None
        except BaseException as exc:  # may have been stored: never send these again
            self._uncertain(run, serials, exc)
            if isinstance(exc, SalesmanagoIdosellError):
                return None
            raise
        return self._count(run, batch, result.failed_items)

    def _uncertain(self, run: Run, serials: list[str], exc: BaseException) -> None:
        run.state.checkpoint(ORDERS_KEY, run.state.cursor(ORDERS_KEY), uncertain=serials)
        run.report.stream(STREAM).uncertain += len(serials)
        reason = f"unknown whether SALESmanago stored the event ({type(exc).__name__})"
        for serial in serials:
            run.report.problem(STREAM, f"order {serial}", reason, "uncertain")
        run.report.errors.append(f"orders: {type(exc).__name__}: {exc}")

    def _stop(self, run: Run, batch: list[_Item], message: str, error: str) -> None:
        run.report.fail(STREAM, [f"order {i.serial}" for i in batch], error)
        run.report.errors.append(f"orders: {message}")

    def _count(self, run: Run, batch: list[_Item], failed_items: tuple[Any, ...]) -> list[str]:
        """Count the answer; return the serials SALESmanago accepted."""
        stream = run.report.stream(STREAM)
        failed_keys = {_failed_key(item).lower() for item in failed_items}
        failed = [i for i in batch if (i.purchase.event.email or "").lower() in failed_keys]
        stream.sent += len(batch) - len(failed)
        stream.batches += 1
        if failed:
            run.report.fail(STREAM, [f"order {i.serial}" for i in failed], "refused by SALESmanago")
        refused = {i.serial for i in failed}
        return [i.serial for i in batch if i.serial not in refused]


def _failed_key(item: Any) -> str:
    """The e-mail (or contact id) of one ``failedContacts`` entry."""
    if isinstance(item, dict):
        return str(item.get("email") or item.get("contactId") or "")
    return str(item)
