"""Recovery of orders whose delivery is not settled: interrupted, uncertain or refused.

Run before an order stream (and on the operator's demand):

1. :func:`settle_interrupted`: orders still ``pending`` belong to a run that was killed
   between sending and checkpointing: they become ``uncertain``.
2. :func:`reconcile`: asks SALESmanago (the contact data export, see
   :mod:`salesmanago_idosell.salesmanago.exports`) which uncertain orders it stored. An order
   becomes ``sent`` when its contact's exported events carry its type and ``externalId``
   (PURCHASE, or CANCELLATION / RETURN for a follow-up key, see :mod:`.keys`), and
   ``refused`` (to be sent again) only when the export *positively* lists the contact's events
   without it. A contact the export does not show with certainty leaves its orders
   ``uncertain`` — guessing "missing" would duplicate purchases.
3. :func:`resend`: orders in the given states are read again from IdoSell by serial number
   and sent through the normal order sink (same batches, same delivery states).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Protocol

import attrs

from .._chunks import chunked
from ..errors import AuthenticationError, SalesmanagoIdosellError, SyncInProgressError
from ..idosell.models import Order
from ..salesmanago.exports import EXPORT_MAX
from .cursor import Cursor
from .delivery import Delivery, DeliveryState, DeliveryUpdate, utcnow
from .engine import Run
from .keys import serial_of, stored_in_export
from .orders import MAX_ATTEMPTS, ORDERS_KEY, STREAM

__all__ = ["OrderBatches", "reconcile", "resend", "send_orders", "settle_interrupted"]

logger = logging.getLogger("salesmanago_idosell")
_SERIALS_PER_SEARCH = 100


def settle_interrupted(run: Run) -> int:
    """Turn ``pending`` orders (a killed run's in-flight batch) into ``uncertain``."""
    pending = run.state.deliveries(ORDERS_KEY, states=[DeliveryState.PENDING])
    if not pending:
        return 0
    reason = "the previous run stopped while sending"
    run.state.record(
        ORDERS_KEY,
        [DeliveryUpdate(key=d.key, state=DeliveryState.UNCERTAIN, error=reason) for d in pending],
    )
    logger.warning("%d orders were being sent when a run stopped: now uncertain", len(pending))
    return len(pending)


def reconcile(
    run: Run,
    *,
    poll_interval: float = 2.0,
    wait_timeout: float = 120.0,
    limit: int = 1000,
    settle: float = 300.0,
) -> int:
    """Settle uncertain orders by what SALESmanago holds; returns how many were settled.

    Args:
        poll_interval, wait_timeout: how the export job is waited for (seconds).
        limit: at most this many uncertain orders per call (oldest first), so that a run
            with a long backlog still gets to its new orders; the rest waits for the next.
        settle: seconds an order must have been uncertain before the export's "not stored"
            is believed. A request of a run killed a moment ago may still be processed by
            SALESmanago; judging it missing at once would send it twice. "Stored" is
            believed at once.
    """
    uncertain = run.state.deliveries(ORDERS_KEY, states=[DeliveryState.UNCERTAIN])[:limit]
    uncertain = _with_contacts(run, uncertain)
    by_email: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in uncertain:
        if delivery.contact:
            by_email[delivery.contact.lower()].append(delivery)
    settled = 0
    settled_before = utcnow() - timedelta(seconds=settle)
    for emails in chunked(sorted(by_email), EXPORT_MAX):
        run.keep_alive()
        try:
            export = run.salesmanago.exports.external_events(
                emails, poll_interval=poll_interval, wait_timeout=wait_timeout
            )
        except SalesmanagoIdosellError as exc:
            if isinstance(exc, AuthenticationError | SyncInProgressError):
                raise
            note = f"reconciliation failed: {type(exc).__name__}"
            _keep_uncertain(run, [d for e in emails for d in by_email[e]], note)
            continue
        updates: list[DeliveryUpdate] = []
        for email in emails:
            known = [(d, stored_in_export(export, email, d.key)) for d in by_email[email]]
            if any(stored is None for _, stored in known):
                reason = export.unreadable.get(email, "not in the export")
                _keep_uncertain(run, by_email[email], f"reconciliation: {reason}")
                continue
            young = [d for d, stored in known if not stored and d.since > settled_before]
            if young:
                note = f"reconciliation: waiting {settle:.0f} s for requests still in flight"
                _keep_uncertain(run, young, note)
            updates += [_reconciled(d, bool(s)) for d, s in known if s or d not in young]
        run.state.record(ORDERS_KEY, updates)
        settled += len(updates)
        run.report.stream(STREAM).reconciled += len(updates)
    _report_unsettled(run)
    return settled


def _with_contacts(run: Run, deliveries: list[Delivery]) -> list[Delivery]:
    """Fill in the contact of deliveries recorded without one (state files of 0.1), from the
    orders in IdoSell; a delivery whose order cannot be read keeps no contact."""
    missing = [d for d in deliveries if not d.contact and d.key.isdigit()]
    if not missing:
        return deliveries
    emails: dict[str, str] = {}
    for chunk in chunked([int(d.key) for d in missing], _SERIALS_PER_SEARCH):
        try:
            for order in run.idosell.orders.iter(serial_numbers=chunk):
                if order.client.email:
                    emails[str(order.serial_number)] = order.client.email.strip().lower()
        except SalesmanagoIdosellError as exc:
            run.read_failed(STREAM, exc)
            break
    updates = [
        DeliveryUpdate(key=d.key, state=d.state, contact=emails[d.key])
        for d in missing
        if d.key in emails
    ]
    run.state.record(ORDERS_KEY, updates)
    return [attrs.evolve(d, contact=emails.get(d.key, d.contact)) for d in deliveries]


def _report_unsettled(run: Run) -> None:
    """Orders still uncertain after reconciling make the report not ok, with the count."""
    left = len(run.state.deliveries(ORDERS_KEY, states=[DeliveryState.UNCERTAIN]))
    if left:
        run.report.stream(STREAM).uncertain += left
        run.report.errors.append(
            f"orders: {left} uncertain orders could not be reconciled yet "
            "(see `salesmanago-idosell orders undelivered`)"
        )


def _reconciled(delivery: Delivery, stored: bool) -> DeliveryUpdate:
    if stored:
        return DeliveryUpdate(
            key=delivery.key, state=DeliveryState.SENT, error="stored (reconciled)"
        )
    return DeliveryUpdate(
        key=delivery.key, state=DeliveryState.REFUSED, error="not stored (reconciled)"
    )


def _keep_uncertain(run: Run, deliveries: list[Delivery], note: str) -> None:
    run.state.record(
        ORDERS_KEY,
        [DeliveryUpdate(key=d.key, state=DeliveryState.UNCERTAIN, error=note) for d in deliveries],
    )


class OrderBatches(Protocol):
    """What :func:`send_orders` sends through (an :class:`OrderSink` or a lifecycle sink)."""

    def see(self, run: Run, orders: Iterable[Order]) -> None:
        """Look at a page's orders."""

    def add(self, run: Run, item: Order) -> None:
        """Map and buffer one order."""

    def full(self) -> bool:
        """A whole batch is buffered."""

    def flush(self, run: Run, resume: Cursor | None) -> bool:
        """Send the buffer (``None``: the cursor stays)."""


def resend(
    run: Run,
    sink: OrderBatches,
    *,
    states: Collection[DeliveryState] = (DeliveryState.REFUSED,),
    serials: Iterable[str] | None = None,
) -> int:
    """Read these orders again from IdoSell and send them through ``sink``; how many went.

    Args:
        states: which delivery states are sent again.
        serials: only these orders (default: every order in ``states`` that was tried
            fewer than :data:`MAX_ATTEMPTS` times).
    """
    wanted = {d.key: d for d in run.state.deliveries(ORDERS_KEY, states=states)}
    if serials is not None:
        asked = list(dict.fromkeys(str(s) for s in serials))
        keys = [s for s in asked if s in wanted]
        for serial in (s for s in asked if s not in wanted):
            known = run.state.known(ORDERS_KEY, [serial]).get(serial)
            why = f"not re-sent: it is {known.value}" if known else "not re-sent: unknown order"
            run.report.skip(STREAM, f"order {serial}", why)
    else:
        keys = [k for k, d in wanted.items() if d.attempts < MAX_ATTEMPTS]
    serials = dict.fromkeys(serial_of(k)[0] for k in keys)  # follow-ups: their order
    return send_orders(run, sink, [int(s) for s in serials if s.isdigit()])


def send_orders(run: Run, sink: OrderBatches, serials: list[int]) -> int:
    """Read these orders from IdoSell by serial number and send them through ``sink``
    (the cursor is not moved); returns how many PURCHASE events were acknowledged."""
    stream = run.report.stream(STREAM)
    before = stream.sent
    for chunk in chunked(serials, _SERIALS_PER_SEARCH):
        run.keep_alive()
        try:
            orders = list(run.idosell.orders.iter(serial_numbers=chunk))
        except SalesmanagoIdosellError as exc:
            run.read_failed(STREAM, exc)
            break
        found = {order.serial_number for order in orders}
        for missing in (n for n in chunk if n not in found):
            run.report.skip(STREAM, f"order {missing}", "not found in the shop")
        if not _send_page(run, sink, orders):
            break
    return stream.sent - before


def _send_page(run: Run, sink: OrderBatches, orders: list[Order]) -> bool:
    sink.see(run, orders)
    for order in orders:
        sink.add(run, order)
        if sink.full() and not sink.flush(run, None):
            return False
    return sink.flush(run, None)
