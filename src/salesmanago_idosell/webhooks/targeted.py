"""A targeted order sync: given order serial numbers, send those orders through the engine.

The orders are fetched with ``POST /orders/orders/search`` (``ordersSerialNumbers``) and sent
through the same :class:`~salesmanago_idosell.sync.orders.OrderSink` the polling run uses:
the same mapping, consent rules, category tags, batches and per-order delivery states under
the same stream key, so an order sent here is never sent again by the next poll (and one the
poll already sent is skipped here). The poll's cursor is not moved.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import ValidationError
from ..sync.engine import Run
from ..sync.recovery import OrderBatches, send_orders

__all__ = ["sync_orders_by_serial"]


def _numbers(serials: Sequence[int | str]) -> list[int]:
    numbers = []
    for value in serials:
        try:
            number = int(str(value).strip())
        except ValueError:
            number = 0
        if number <= 0:
            raise ValidationError(
                f"not an order serial number: {str(value)[:20]!r}", field="serials"
            )
        numbers.append(number)
    return sorted(set(numbers))


def sync_orders_by_serial(run: Run, serials: Sequence[int | str], *, sink: OrderBatches) -> int:
    """Send the given orders' events (exactly once); how many were acknowledged.

    ``sink`` is an :class:`~salesmanago_idosell.sync.orders.OrderSink` (PURCHASE events) or
    the integration's lifecycle sink (CANCELLATION / RETURN too).

    Orders the shop does not know are reported as skipped ("not found in the shop").

    Raises:
        ValidationError: a serial number is not a positive integer (nothing is read).
    """
    return send_orders(run, sink, _numbers(serials))
