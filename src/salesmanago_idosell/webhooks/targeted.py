"""A targeted order sync: given order serial numbers, send those orders through the engine.

The orders are fetched with ``POST /orders/orders/search`` (``ordersSerialNumbers``) and fed
to the same :class:`~salesmanago_idosell.sync.orders.OrderStream` the polling run uses: the
same mapping, consent rules, category tags, write-ahead record and sent-serials memory under
the same stream key, so an order sent here is never sent again by the next poll (and one
the poll already sent is skipped here). Nothing in ``sync/`` is changed: the stream's
checkpoint rewrites the stored orders cursor with its own values (the page number given back
as the one the cursor already had), so the poll's position is kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .._chunks import chunked
from ..errors import ValidationError
from ..idosell import Page
from ..idosell.models import Order
from ..mapping import MappingSettings
from ..sync.engine import Run, load_cursor
from ..sync.orders import ORDERS_KEY, OrderStream

__all__ = ["MAX_SERIALS_PER_SEARCH", "sync_orders_by_serial"]

#: Serial numbers asked for in one orders search.
MAX_SERIALS_PER_SEARCH = 100
_STREAM = "orders"


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


def sync_orders_by_serial(
    run: Run, serials: Sequence[int | str], *, settings: MappingSettings, batch_size: int
) -> bool:
    """Send the given orders as PURCHASE events (at most once); True when complete.

    Orders the shop does not know are reported as skipped ("not found in the shop").

    Raises:
        ValidationError: a serial number is not a positive integer (nothing is read).
    """
    numbers = _numbers(serials)
    orders: list[Order] = []
    for chunk in chunked(numbers, MAX_SERIALS_PER_SEARCH):
        orders.extend(run.idosell.orders.iter(serial_numbers=chunk))
    found = {order.serial_number for order in orders}
    for missing in (n for n in numbers if n not in found):
        run.report.skip(_STREAM, f"order {missing}", "not found in the shop")
    cursor = load_cursor(run.state.cursor(ORDERS_KEY))
    keep_page = int(cursor.pop("page", 0) or 0)

    def pages(_: int) -> Iterator[Page[Order]]:
        # numbered so that the stream's checkpoint stores the page the cursor already had
        yield Page(number=keep_page - 1, items=tuple(orders), total_items=len(orders))

    stream = OrderStream(pages=pages, settings=settings, batch_size=batch_size, cursor=cursor)
    return stream.run(run, start_page=keep_page)
