"""The one-step row decoders give exactly what the two-step path gives, or step aside."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmanago_idosell import IdosellClient
from salesmanago_idosell.errors import ResponseValidationError
from salesmanago_idosell.idosell import _fast_rows
from salesmanago_idosell.idosell._fast_rows import customer_from_row, order_from_row
from salesmanago_idosell.idosell._order_records import OrderRecord, order_from_record
from salesmanago_idosell.idosell.customers import _ClientRecord, customer_from_record
from salesmanago_idosell.testing import _idosell_wire as wire
from salesmanago_idosell.testing import generate_shop

SHOP = generate_shop(11, customers=40, orders=40, subscribers=5, products=20)
CLIENT = IdosellClient(shop_url="shop.example.pl", api_key="k")
ZONE = CLIENT.timezone

#: Values the wire has been seen to put anywhere: nulls, blanks, zero dates, numbers as
#: strings, objects as [], flags, floats where integers belong.
ODD_VALUES: list[Any] = [
    None, "", " ", "0", 0, 7, "7", 1.5, 2.0, "2,50", "0000-00-00", "2024-02-30",
    "2024-05-01 10:00:00", "y", "n", True, False, [], {}, "x", [{"shopId": 1}]
]  # fmt: skip
ODD = st.sampled_from(ODD_VALUES)


def _two_step_order(row: Any) -> Any:
    return order_from_record(CLIENT.structure(row, OrderRecord, endpoint="/orders"))


def _two_step_customer(row: Any) -> Any:
    return customer_from_record(CLIENT.structure(row, _ClientRecord, endpoint="/clients"))


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path into a row (list items by index)."""
    found: list[tuple[Any, ...]] = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        found.append((*prefix, key))
        if isinstance(child, dict | list) and child:
            found += _paths(child, (*prefix, key))
    return found


def _set(row: Any, path: tuple[Any, ...], value: Any, *, delete: bool) -> Any:
    row = copy.deepcopy(row)
    target = row
    for key in path[:-1]:
        target = target[key]
    if delete and isinstance(target, dict):
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return row


CASES: list[tuple[str, list[Any], Callable[[Any, Any], Any], Callable[[Any], Any]]] = [
    ("order", [wire.order_row(o, SHOP) for o in SHOP.orders], order_from_row, _two_step_order),
    (
        "customer",
        [wire.client_row(c, SHOP) for c in SHOP.customers],
        customer_from_row,
        _two_step_customer,
    ),
]


@pytest.mark.parametrize(("name", "rows", "fast", "slow"), CASES, ids=[c[0] for c in CASES])
def test_generated_rows_take_the_one_step_path_with_the_same_result(
    name: str, rows: list[Any], fast: Callable[[Any, Any], Any], slow: Callable[[Any], Any]
) -> None:
    for row in rows:
        model = fast(row, ZONE)
        assert model is not None, f"a plain {name} row left the one-step path"
        assert repr(model) == repr(slow(row))  # == alone: 1.0 == 1.00, any zone's same instant


def _check(
    name: str, row: Any, fast: Callable[[Any, Any], Any], slow: Callable[[Any], Any]
) -> None:
    model = fast(row, ZONE)
    if model is None:
        return  # not the common shape: the caller decodes it the two-step way
    try:
        expected = slow(row)
    except (ResponseValidationError, ValueError) as exc:
        pytest.fail(f"the one-step path accepted a {name} row the two-step path refuses: {exc}")
    assert model == expected, row
    # equality is not enough: Decimal("1.0") == Decimal("1.00") and aware date-times are equal
    # in any zone; the repr shows the digits and the zone the SDK sends
    assert repr(model) == repr(expected), row


@pytest.mark.parametrize(("name", "rows", "fast", "slow"), CASES, ids=[c[0] for c in CASES])
def test_every_odd_value_in_every_field_gives_the_same_model_or_the_two_step_path(
    name: str, rows: list[Any], fast: Callable[[Any, Any], Any], slow: Callable[[Any], Any]
) -> None:
    row = rows[0]
    for path in _paths(row):
        _check(name, _set(row, path, None, delete=True), fast, slow)
        for value in ODD_VALUES:
            _check(name, _set(row, path, value, delete=False), fast, slow)


@pytest.mark.parametrize(("name", "rows", "fast", "slow"), CASES, ids=[c[0] for c in CASES])
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_odd_values_anywhere_give_the_same_model_or_the_two_step_path(
    name: str,
    rows: list[Any],
    fast: Callable[[Any, Any], Any],
    slow: Callable[[Any], Any],
    data: st.DataObject,
) -> None:
    row = data.draw(st.sampled_from(rows))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(row)))
        row = _set(row, path, data.draw(ODD), delete=data.draw(st.booleans()))
    _check(name, row, fast, slow)


def test_the_order_total_and_amounts_keep_the_wire_digits() -> None:
    row = wire.order_row(SHOP.orders[0], SHOP)
    costs = row["orderDetails"]["payments"]["orderCurrency"]
    costs.update(
        orderProductsCost=0.1, orderDeliveryCost="0,2", orderPayformCost=3, orderInsuranceCost=0.0
    )
    order = order_from_row(row, ZONE)
    assert order is not None
    assert order.total == Decimal("3.3")
    assert order == _two_step_order(row)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
def test_a_moment_outside_the_calendar_is_decoded_alike_by_both_paths(moment: str) -> None:
    row = wire.order_row(SHOP.orders[0], SHOP)
    for key in ("orderAddDate", "orderDispatchDate"):  # one the model has, one it does not
        odd = copy.deepcopy(row)
        odd["orderDetails"][key] = moment
        order = order_from_row(odd, ZONE)
        assert order is not None
        assert order == _two_step_order(odd)
    customer_row = wire.client_row(SHOP.customers[0], SHOP)
    customer_row["clientsLastModificationDate"] = moment
    customer = customer_from_row(customer_row, ZONE)
    assert customer is not None
    assert customer.modified_at is None
    assert customer == _two_step_customer(customer_row)


#: Date-times the shop does not send, but fromisoformat reads (or nearly): separators, fractions,
#: offsets, week dates, a leap second, 24:00, blanks, the DST gap and overlap in Warsaw.
ODD_MOMENTS = [
    "2024-03-31 02:30:00", "2024-10-27 02:30:00", "2024-01-01T10:00:00", "2024-01-01 24:00:00",
    "2024-06-30 23:59:60", "2024-01-01 10:00:00.123456", "2024-01-01 10:00:00.1",
    "2024-01-01 10:00", "2024-01-01 10", "20240101T100000", "2024-01-01", "2024-W01-1",
    "2024-W01-1 10:00:00", "2024-001", "2024-01-01 10:00:00+02:00", "2024-01-01 10:00:00Z",
    "2024-01-01 10:00:00-00:00", " 2024-01-01 10:00:00", "2024-01-01 10:00:00 ", "2024-02-29",
    "2023-02-29", "0000-00-00 00:00:00", "0000-00-00", "null", "0", "2024-01-01 10:00:00,5",
    "\uff12\uff10\uff12\uff14-01-01 10:00:00", "2024-01-01\u00a010:00:00",
]  # fmt: skip


@pytest.mark.parametrize("moment", ODD_MOMENTS)
def test_odd_dates_and_moments_decode_alike_by_both_paths(moment: str) -> None:
    order_row = wire.order_row(SHOP.orders[0], SHOP)
    customer_row = wire.client_row(SHOP.customers[0], SHOP)
    customer_row["newsletterEmailApprovalsData"] = [
        {"shopId": 1, "inNewsletterEmailApproval": "y", "newsletterEmailApprovalDate": None}
    ]
    orders = [("orderDetails", "orderAddDate"), ("orderDetails", "orderChangeDate")]
    customers: list[tuple[Any, ...]] = [
        ("clientsLastModificationDate",),
        ("clientRegistrationDate",),
        ("clientPersonalData", "clientBirthDate"),
        ("newsletterEmailApprovalsData", 0, "newsletterEmailApprovalDate"),
    ]
    for path in orders:
        _check(
            "order", _set(order_row, path, moment, delete=False), order_from_row, _two_step_order
        )
    for key_path in customers:
        odd = _set(customer_row, key_path, moment, delete=False)
        _check("customer", odd, customer_from_row, _two_step_customer)


def test_production_clients_decode_with_one_step_and_strict_ones_with_two() -> None:
    asked: list[str] = []

    class Spy(IdosellClient):
        def structure(self, data: Any, cls: type[Any], *, endpoint: str) -> Any:
            asked.append(cls.__name__)
            return super().structure(data, cls, endpoint=endpoint)

    rows = [wire.order_row(o, SHOP) for o in SHOP.orders[:3]]
    customers = [wire.client_row(c, SHOP) for c in SHOP.customers[:3]]
    lenient = Spy(shop_url="shop.example.pl", api_key="k")
    for row in rows:
        lenient.orders._parse(row)
    for row in customers:
        lenient.customers._parse_record(row)
    assert asked == []
    strict = Spy(shop_url="shop.example.pl", api_key="k", strict=True)
    for row in rows:
        strict.orders._parse(row)
    for row in customers:
        strict.customers._parse_record(row)
    assert asked == ["OrderRecord"] * 3 + ["_ClientRecord"] * 3


def test_an_odd_row_still_gets_the_two_step_explanation() -> None:
    client = IdosellClient(shop_url="shop.example.pl", api_key="k")
    row = wire.order_row(SHOP.orders[0], SHOP)
    row["orderSerialNumber"] = "not a number"
    assert order_from_row(row, ZONE) is None
    with pytest.raises(ResponseValidationError, match=r"orderSerialNumber|order_serial_number"):
        client.orders._parse(row)


@pytest.mark.parametrize("prices", [(0.0, -0.0), (-0.0, 0.0), (19.99, 19.99), (1e308, 1e308)])
def test_remembered_line_amounts_keep_each_rows_own_digits(prices: tuple[float, float]) -> None:
    for price in prices:  # the second row may meet the first one's remembered Decimal
        row = wire.order_row(SHOP.orders[1], SHOP)
        line = row["orderDetails"]["productsResults"][0]
        line.update(productOrderPrice=price, productQuantity=price or 2.0)
        order = order_from_row(row, ZONE)
        assert order is not None
        assert order == _two_step_order(row)
        assert str(order.products[0].unit_price_gross) == str(Decimal(repr(price)))


def test_remembered_line_amounts_are_bounded() -> None:
    row = wire.order_row(SHOP.orders[1], SHOP)
    line = row["orderDetails"]["productsResults"][0]
    for cents in range(_fast_rows._LINE_AMOUNTS_MAX + 10):
        line["productOrderPrice"] = 1000 + cents / 100
        assert order_from_row(row, ZONE) is not None
    assert len(_fast_rows._LINE_AMOUNTS) <= _fast_rows._LINE_AMOUNTS_MAX
    line["productOrderPrice"] = 999_999.5  # a price met once the memory is full
    order = order_from_row(row, ZONE)
    assert order is not None
    assert order == _two_step_order(row)
