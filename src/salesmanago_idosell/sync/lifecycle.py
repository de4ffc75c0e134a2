"""Orders followed through their life: a PURCHASE once, then at most one CANCELLATION / RETURN.

The orders stream reads orders *modified* in its window (placing an order sets its
modification date too, so new orders are among them) and routes each one:

=====================================  ===================================================
the order now                          what is sent
=====================================  ===================================================
in a purchase status                   PURCHASE (key ``<serial>``), unless already sent
in a non-purchase status, its          CANCELLATION, or RETURN for a return status (key
PURCHASE sent                          ``<serial>:cancellation`` / ``<serial>:return``),
                                       same ``externalId``, products and value; once
in a non-purchase status, its          nothing yet: the order waits (marks of
PURCHASE uncertain or being sent       :data:`WAITING_KEY`) until reconciliation settles
                                       the PURCHASE, then is read again
in a non-purchase status, no           nothing (skipped: "status ... is not a purchase")
PURCHASE sent
=====================================  ===================================================

Every event goes through the same write-ahead, delivery states and reconciliation as a
PURCHASE (:class:`~.orders.OrderSink`). Nothing is repeated when a status flaps: a PURCHASE
is sent once per order, and one follow-up event at most (an order back in a purchase
status after its CANCELLATION keeps both events; SALESmanago events are not withdrawn).
Each delivery keeps the order status it was sent for (``Delivery.status``).

Which statuses count is ``MappingSettings.non_purchase_statuses`` (the rest are purchases)
and ``return_statuses``; ``follow_ups=False`` sends PURCHASE events only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from attrs import define, field

from .._chunks import chunked
from ..errors import SalesmanagoIdosellError
from ..idosell.models import Order
from ..mapping import MappingSettings, follow_up_event_from_order
from ..salesmanago.models import EventType
from .consent import HISTORY_KEY
from .cursor import Cursor
from .delivery import DeliveryState
from .engine import Run
from .keys import follow_up_key
from .orders import ORDERS_KEY, STREAM, OrderEvents, OrderSink
from .recovery import send_orders

__all__ = [
    "WAITING_KEY",
    "LifecycleSink",
    "follow_up_events",
    "follow_up_kind",
    "recover_follow_ups",
    "send_history",
]

logger = logging.getLogger("salesmanago_idosell")
#: Marks: order serial -> ``due``: left a purchase status while its PURCHASE was unsettled.
WAITING_KEY = "orders.waiting"
_DELIVERED = frozenset({DeliveryState.SENT, DeliveryState.POSSIBLY_DUPLICATED})
_UNSETTLED = frozenset({DeliveryState.PENDING, DeliveryState.UNCERTAIN})
_CLIENTS_PER_SEARCH = 100
_KINDS = (EventType.CANCELLATION, EventType.RETURN)


def _leaves(order: Order, settings: MappingSettings) -> bool:
    status = order.status._value_.lower() if order.status is not None else None
    return status is not None and status in settings.non_purchase_statuses


def follow_up_kind(order: Order, settings: MappingSettings) -> EventType:
    """RETURN for a return status, CANCELLATION for any other non-purchase status."""
    status = order.status._value_.lower() if order.status is not None else ""
    return EventType.RETURN if status in settings.return_statuses else EventType.CANCELLATION


def follow_up_events(settings: MappingSettings) -> OrderEvents:
    """CANCELLATION / RETURN events keyed ``<serial>:<kind>``, without category tags, sent
    whatever the customer's consent now (the contact has the PURCHASE; nothing is created)."""
    return OrderEvents(
        key=lambda order: follow_up_key(order.serial_number, follow_up_kind(order, settings)),
        event=lambda order, s: follow_up_event_from_order(order, settings=s),
        tags=False,
        needs_consent=False,
    )


@define
class LifecycleSink:
    """Routes orders to the PURCHASE sink or the follow-up sink (see the module docstring).

    Attributes:
        settings: the mapping settings.
        purchases: the PURCHASE :class:`OrderSink`.
        follow_ups: the CANCELLATION / RETURN :class:`OrderSink`.
    """

    settings: MappingSettings
    purchases: OrderSink
    follow_ups: OrderSink
    _routes: dict[int, str] = field(factory=dict, init=False)
    _waiting: dict[str, str | None] = field(factory=dict, init=False)

    def see(self, run: Run, orders: Iterable[Order]) -> None:
        """Route a page's orders by their delivery states, then let each sink look."""
        orders = list(orders)
        self._routes = {} if run.dry_run else self._route(run, orders)
        self.purchases.see(run, [o for o in orders if o.serial_number not in self._routes])
        follow = [o for o in orders if self._routes.get(o.serial_number) == "follow"]
        if follow:
            self.follow_ups.see(run, follow)

    def _route(self, run: Run, orders: list[Order]) -> dict[int, str]:
        if not self.settings.follow_ups:
            return {}
        leaving = [o for o in orders if _leaves(o, self.settings)]
        if not leaving:
            return {}
        keys = [str(o.serial_number) for o in leaving]
        keys += [follow_up_key(o.serial_number, k) for o in leaving for k in _KINDS]
        known = run.state.known(ORDERS_KEY, keys)
        routes: dict[int, str] = {}
        for order in leaving:
            purchase = known.get(str(order.serial_number))
            kind = follow_up_kind(order, self.settings)
            other = next(k for k in _KINDS if k is not kind)
            if purchase in _UNSETTLED:
                routes[order.serial_number] = "wait"
            elif purchase in _DELIVERED and _taken(
                known.get(follow_up_key(order.serial_number, other))
            ):
                routes[order.serial_number] = "done"
            elif purchase in _DELIVERED:
                routes[order.serial_number] = "follow"
        return routes

    def add(self, run: Run, item: Order) -> None:
        """Hand the order to its sink, or report why it waits."""
        route = self._routes.get(item.serial_number)
        if route is None:
            self.purchases.add(run, item)
        elif route == "follow":
            self.follow_ups.add(run, item)
        else:
            run.report.stream(STREAM).read += 1
            reason = (
                "left a purchase status while its PURCHASE is unsettled: waits for reconciliation"
                if route == "wait"
                else "a follow-up event was already sent"
            )
            run.report.skip(STREAM, f"order {item.serial_number}", reason)
            if route == "wait":
                self._waiting[str(item.serial_number)] = "due"

    def full(self) -> bool:
        """Either sink holds a whole batch."""
        return self.purchases.full() or self.follow_ups.full()

    def empty(self) -> bool:
        """Nothing is buffered."""
        return self.purchases.empty() and self.follow_ups.empty() and not self._waiting

    def flush(self, run: Run, resume: Cursor | None) -> bool:
        """Send both sinks' batches; the cursor is checkpointed with the last one."""
        waiting, self._waiting = self._waiting, {}
        if waiting and not run.dry_run:
            run.state.mark(WAITING_KEY, waiting)
        if self.follow_ups.empty():  # the common case: states and cursor in one checkpoint
            return self.purchases.flush(run, resume)
        # both hold events: the PURCHASE states are recorded first, the cursor moves with the
        # follow-ups' states (a crash in between re-reads the page: recorded states skip it)
        if not self.purchases.flush(run, None):
            return False  # the cursor stays: the page is read again by the next run
        self.purchases.reached(resume)
        # never past an order whose PURCHASE's category tags still wait
        return self.follow_ups.flush(run, self.purchases.held(resume))


def _taken(state: DeliveryState | None) -> bool:
    """The order's other follow-up was sent or may have been: this one is not sent too. A
    refused one was certainly not stored, so it does not count."""
    return state is not None and state is not DeliveryState.REFUSED


def recover_follow_ups(run: Run, sink: LifecycleSink) -> int:
    """Read again the orders that waited for their PURCHASE to settle (refused follow-ups
    are sent again by :func:`~.recovery.resend` like refused purchases).

    Returns how many events were acknowledged.
    """
    waiting = run.state.marks(WAITING_KEY)
    states = run.state.known(ORDERS_KEY, list(waiting))
    settled = [k for k in waiting if states.get(k) not in _UNSETTLED]
    serials = sorted({int(s) for s in settled if s.isdigit()})
    sent = send_orders(run, sink, serials) if serials else 0
    if settled:
        run.state.mark(WAITING_KEY, dict.fromkeys(settled))
    return sent


def send_history(run: Run, sink: LifecycleSink) -> int:
    """The earlier orders of customers whose consent came later (marks of ``HISTORY_KEY``).

    Each order goes through ``sink`` like any other: PURCHASE events with their original
    dates and category tags, each exactly once by its delivery state. Returns how many
    customers' histories were completed.
    """
    due = sorted(run.state.marks(HISTORY_KEY), key=lambda k: (len(k), k))
    done = 0
    for chunk in chunked([c for c in due if c.isdigit()], _CLIENTS_PER_SEARCH):
        run.keep_alive()
        if not _send_clients(run, sink, [int(c) for c in chunk]):
            return done
        run.state.mark(HISTORY_KEY, dict.fromkeys(chunk))
        done += len(chunk)
    if done:
        logger.info("orders: the earlier orders of %d customers were sent", done)
    return done


def _send_clients(run: Run, sink: LifecycleSink, client_ids: list[int]) -> bool:
    pages = run.idosell.orders.iter(client_ids=client_ids)
    try:
        for page in pages.iter_pages():
            sink.see(run, page.items)
            for order in page.items:
                sink.add(run, order)
                if sink.full() and not sink.flush(run, None):
                    return False
            run.keep_alive()
    except SalesmanagoIdosellError as exc:
        run.read_failed(STREAM, exc)
        return False
    return sink.flush(run, None)
