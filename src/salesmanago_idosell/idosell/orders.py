"""Orders: ``POST /orders/orders/search`` (rows under ``Results``) and ``GET /orders/statuses``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from ..errors import ResponseValidationError, ValidationError
from ._fast_rows import order_from_row
from ._order_records import OrderRecord, StatusRecord, order_from_record
from .models import Order, OrderStatus, OrderStatusDefinition
from .pagination import Gate, PageIterator

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = ["ORDERS_SEARCH_GATE", "OrdersAPI"]

logger = logging.getLogger("salesmanago_idosell")

ORDERS_SEARCH_GATE = Gate(
    method="POST",
    path="/orders/orders/search",
    items_key="Results",
    id_keys=("orderSerialNumber", "orderId"),
)
STATUSES_PATH = "/orders/statuses"


class OrdersAPI:
    """Orders (``client.orders``)."""

    def __init__(self, client: IdosellClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"OrdersAPI({self._client!r})"

    def iter(
        self,
        *,
        added_since: datetime | date | None = None,
        modified_since: datetime | date | None = None,
        until: datetime | date | None = None,
        statuses: Iterable[OrderStatus | str] | None = None,
        serial_numbers: Iterable[int | str] | None = None,
        client_ids: Iterable[int] | None = None,
        limit: int | None = None,
    ) -> PageIterator[Order]:
        """Every order matching the filters, lazily, page by page.

        Args:
            added_since: orders placed at or after this moment.
            modified_since: orders changed at or after this moment (not with ``added_since``).
            until: the end of the date range (of the placing date unless ``modified_since``);
                a ``date`` includes that whole day.
            statuses: only orders in these statuses.
            serial_numbers: only these orders (``ordersSerialNumbers``; at most 100 per
                call is a safe size, the spec sets no limit).
            client_ids: only orders of these customer accounts (``clients[].clientId``).
            limit: stop after this many orders.
        """
        if added_since is not None and modified_since is not None:
            raise ValidationError(
                "give added_since or modified_since, not both", field="modified_since"
            )
        params: dict[str, Any] = {}
        date_range = self._date_range(added_since, modified_since, until)
        if date_range:
            params["ordersRange"] = {"ordersDateRange": date_range}
        if statuses is not None:
            values = [OrderStatus(s).value for s in statuses]
            if not values:
                raise ValidationError("statuses must not be empty", field="statuses")
            params["ordersStatuses"] = values
        if serial_numbers is not None:
            numbers = sorted({_serial(s) for s in serial_numbers})
            if not numbers:
                raise ValidationError("serial_numbers must not be empty", field="serial_numbers")
            params["ordersSerialNumbers"] = numbers
        if client_ids is not None:
            ids = sorted({int(i) for i in client_ids})
            if not ids:
                raise ValidationError("client_ids must not be empty", field="client_ids")
            params["clients"] = [{"clientId": i} for i in ids]
        return PageIterator(self._client, ORDERS_SEARCH_GATE, params, self._parse, limit)

    def statuses(self) -> list[OrderStatusDefinition]:
        """The order statuses defined in the shop's panel (``GET /orders/statuses``)."""
        answer = self._client.call("GET", STATUSES_PATH) or {}
        rows = answer.get("statuses")
        if not isinstance(rows, list):
            raise ResponseValidationError("no statuses list", endpoint=STATUSES_PATH)
        records = [self._client.structure(r, StatusRecord, endpoint=STATUSES_PATH) for r in rows]
        return [
            OrderStatusDefinition(id=r.id, name=r.panel_name, parent_id=r.parent_id or None)
            for r in records
        ]

    def _date_range(
        self,
        added_since: datetime | date | None,
        modified_since: datetime | date | None,
        until: datetime | date | None,
    ) -> dict[str, str]:
        if added_since is None and modified_since is None and until is None:
            return {}
        date_range = {"ordersDateType": "modified" if modified_since is not None else "add"}
        begin = added_since if added_since is not None else modified_since
        if begin is not None:
            date_range["ordersDateBegin"] = self._client.wire_datetime(begin)
        if until is not None:
            if not isinstance(until, datetime):
                until = datetime.combine(until, time(23, 59, 59))
            date_range["ordersDateEnd"] = self._client.wire_datetime(until)
        return date_range

    def _parse(self, row: Any) -> Order:
        if not self._client.strict:  # strict clients (tests) check every key the slow way
            order = order_from_row(row, self._client.timezone)
            if order is not None:
                return order
        record = self._client.structure(row, OrderRecord, endpoint=ORDERS_SEARCH_GATE.path)
        for error in record.errors:
            if error.fault_code:
                logger.warning(
                    "IdoSell reported faultCode %s for order %s: %s",
                    error.fault_code,
                    record.order_id,
                    error.fault_string,
                )
        try:
            return order_from_record(record)
        except ArithmeticError as exc:  # a total beyond what a Decimal holds
            raise ResponseValidationError(
                f"{ORDERS_SEARCH_GATE.path}: order costs out of range: {exc!r}"[:500],
                endpoint=ORDERS_SEARCH_GATE.path,
            ) from exc


def _serial(value: int | str) -> int:
    """An order serial number as the positive integer the gate expects."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(
            f"not an order serial number: {str(value)[:20]!r}", field="serial_numbers"
        ) from None
    if number <= 0:
        raise ValidationError("order serial numbers are positive", field="serial_numbers")
    return number
