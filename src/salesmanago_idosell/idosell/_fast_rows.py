"""One-step decoders for the two largest streams: an order row or a customer row straight
into the public model, with no wire record in between.

The two-step path (cattrs wire record, then ``*_from_record``) stays the authority for every
wire rule. These functions take only the shapes IdoSell sends almost always (objects as JSON
objects, strings as strings, ids as integers, numbers as numbers) and give the very same
model; any other shape (``[]`` for an object, an id as a string, a list keyed by id, a row
with ``errors``) or any failure returns ``None``, and the caller decodes the row the two-step
way, which explains or accepts it. ``tests/idosell/test_fast_rows.py`` checks that both paths
agree on generated rows.

Why: decoding was the largest part of the SDK's own CPU in a full sync (issue 11); one step
takes about a third less time per order row and half less per customer row.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from .._builders import builder
from .._converter import decimal_from_wire
from ._wire import parse_date, parse_datetime
from .models import (
    Address,
    Customer,
    NewsletterConsent,
    Order,
    OrderClient,
    OrderProduct,
    OrderSource,
    OrderStatus,
    PickupPoint,
    ShopRef,
)

__all__ = ["customer_from_row", "order_from_row"]

# the models' fast constructors (every field named; see _builders)
_Address = builder(Address)
_Customer = builder(Customer)
_NewsletterConsent = builder(NewsletterConsent)
_Order = builder(Order)
_OrderClient = builder(OrderClient)
_OrderProduct = builder(OrderProduct)
_OrderSource = builder(OrderSource)
_PickupPoint = builder(PickupPoint)
_ShopRef = builder(ShopRef)
#: The listed statuses by value (a status this SDK does not list: ``OrderStatus(value)``).
_STATUSES: dict[str, OrderStatus] = dict(OrderStatus._value2member_map_)
_NO_OBJECT: dict[str, Any] = {}
_ZERO = Decimal(0)
_ONE = Decimal(1)
#: y/n flags as IdoSell spells them (anything else: the two-step path decides).
_FLAGS = {"y": True, "n": False, "yes": True, "no": False}


class _UnusualShapeError(Exception):
    """The row is not in the common shape: decode it the two-step way."""


def _object(value: Any) -> dict[str, Any]:
    if value is None:
        return _NO_OBJECT
    if value.__class__ is dict:
        return value
    raise _UnusualShapeError


def _text(value: Any) -> str | None:
    """A string field; ``""`` means absent, as in the record mapping."""
    if value is None or value.__class__ is str:
        return value or None
    raise _UnusualShapeError


_from_iso_datetime = datetime.fromisoformat
_from_iso_date = date.fromisoformat


def _moment(value: Any, zone: tzinfo) -> datetime | None:
    """:func:`parse_datetime`, short of its checks for the shop's usual naive date-time."""
    if value.__class__ is str:
        try:
            parsed = _from_iso_datetime(value)
        except ValueError:
            pass  # a zero date, blanks around it...: the full rules decide
        else:
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=zone)
    return parse_datetime(value, zone)


def _day(value: Any) -> date | None:
    """:func:`parse_date`, short of its checks for a plain ``YYYY-MM-DD``."""
    if value.__class__ is str and len(value) == 10:
        try:
            return _from_iso_date(value)
        except ValueError:
            pass  # a zero date...: the full rules decide
    return parse_date(value)


def _name(value: Any) -> str | None:
    """A string field kept as sent (``""`` included), as in the record mapping."""
    if value is None or value.__class__ is str:
        return value
    raise _UnusualShapeError


def _id(value: Any) -> int | None:
    """An optional id; ``0`` means absent, as in the record mapping."""
    if value is None or value.__class__ is int:
        return value or None
    raise _UnusualShapeError


def _amount(value: Any, default: Decimal) -> Decimal:
    if value is None:
        return default
    if value.__class__ is float:
        number = Decimal(repr(value))
        if number.is_finite():
            return number
    return decimal_from_wire(value)  # explains a non-finite float


#: Product quantities and prices already read (float -> its Decimal): a shop's products
#: come back at the same prices. Zeros are never kept (``-0.0 == 0.0``, yet their Decimals
#: differ), nor anything not finite; bounded, so a run's memory stays flat.
_LINE_AMOUNTS: dict[float, Decimal] = {}
_LINE_AMOUNTS_MAX = 4096


def _line_amount(value: Any, default: Decimal) -> Decimal:
    """:func:`_amount` of a product line, remembered."""
    if value.__class__ is float:
        number = _LINE_AMOUNTS.get(value)
        if number is not None:
            return number
        number = _amount(value, default)
        if value and len(_LINE_AMOUNTS) < _LINE_AMOUNTS_MAX:
            _LINE_AMOUNTS[value] = number
        return number
    return _amount(value, default)


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if value.__class__ is list:
        return value
    raise _UnusualShapeError


def _address(row: dict[str, Any], prefix: str, province: str) -> Address:
    get = row.get
    return _Address(
        first_name=_text(get(prefix + "FirstName")),
        last_name=_text(get(prefix + "LastName")),
        company=_text(get(prefix + "Firm")),
        street=_text(get(prefix + "Street")),
        zip_code=_text(get(prefix + "ZipCode")),
        city=_text(get(prefix + "City")),
        country_code=_text(get(prefix + "CountryId")),
        province=_text(get(prefix + province)),
        phone=_text(get(prefix + "Phone1")),
    )


def _product(row: Any) -> OrderProduct:
    if row.__class__ is not dict:
        raise _UnusualShapeError
    product_id = row["productId"]
    if product_id.__class__ is not int:
        raise _UnusualShapeError
    get = row.get
    return _OrderProduct(
        product_id=product_id,
        size_id=_text(get("sizeId")),
        name=_text(get("productName")),
        code=_text(get("productCode")),
        quantity=_line_amount(get("productQuantity"), _ONE),
        unit_price_gross=_line_amount(get("productOrderPrice"), _ZERO),
    )


def _pickup(value: Any) -> PickupPoint | None:
    if value is None:
        return None
    point = _object(value)
    get = point.get
    point_id, name = _text(get("pickupPointId")), _text(get("name"))
    if not (point_id or name):
        return None
    city, street = _text(get("city")), _text(get("street"))
    return _PickupPoint(id=point_id, name=name, city=city, street=street)


def _order(row: Any, zone: tzinfo) -> Order:
    if row.__class__ is not dict or row.get("errors") not in (None, []):
        raise _UnusualShapeError  # row faults are logged by the two-step path
    order_id, serial = row["orderId"], row["orderSerialNumber"]
    if order_id.__class__ is not str or serial.__class__ is not int:
        raise _UnusualShapeError
    result = _object(row.get("clientResult"))
    details = _object(row.get("orderDetails"))
    account = _object(result.get("clientAccount"))
    delivery = _object(result.get("clientDeliveryAddress"))
    payments = _object(details.get("payments"))
    costs = _object(payments.get("orderCurrency"))
    source = _object(details.get("orderSourceResults"))
    status = details.get("orderStatus")
    if status is not None and status.__class__ is not str:
        raise _UnusualShapeError
    get = account.get
    return _Order(
        id=order_id,
        serial_number=serial,
        added_at=_moment(details.get("orderAddDate"), zone),
        changed_at=_moment(details.get("orderChangeDate"), zone),
        status=(_STATUSES.get(status) or OrderStatus(status)) if status else None,
        client=_OrderClient(
            id=_id(get("clientId")),
            login=_text(get("clientLogin")),
            email=_text(get("clientEmail")),
            phone=_text(get("clientPhone1")),
            landline_phone=_text(get("clientPhone2")),
        ),
        billing_address=_address(_object(result.get("clientBillingAddress")), "client", "Province"),
        delivery_address=_address(delivery, "clientDeliveryAddress", "Province"),
        delivery_address_type=_text(delivery.get("clientDeliveryAddressType")),
        pickup_point=_pickup(result.get("clientPickupPointAddress")),
        source=_OrderSource(
            type=_text(source.get("orderSourceType")), shop_id=_id(source.get("shopId"))
        ),
        currency=_text(costs.get("currencyId")),
        total=_amount(costs.get("orderProductsCost"), _ZERO)
        + _amount(costs.get("orderDeliveryCost"), _ZERO)
        + _amount(costs.get("orderPayformCost"), _ZERO)
        + _amount(costs.get("orderInsuranceCost"), _ZERO),
        payment_method=_text(payments.get("orderPaymentType")),
        delivery_method=_text(_object(details.get("dispatch")).get("courierName")),
        stock_id=_id(details.get("stockId")),
        products=tuple([_product(p) for p in _list(details.get("productsResults"))]),
    )


def order_from_row(row: Any, zone: tzinfo) -> Order | None:
    """An ``orders/orders/search`` row as an :class:`Order`, or ``None`` when the row is not
    in the common shape (decode it with the wire record then).

    Args:
        row: one item of ``Results[]`` as parsed from JSON.
        zone: the shop's time zone for the naive wire date-times.
    """
    try:
        return _order(row, zone)
    except (_UnusualShapeError, KeyError, ValueError, TypeError, ArithmeticError):
        return None


def _shop_id(row: Any) -> int:
    shop_id = _object(row)["shopId"]
    if shop_id.__class__ is not int:
        raise _UnusualShapeError
    return shop_id


def _consent(row: Any) -> NewsletterConsent:
    shop_id = _shop_id(row)
    since = _day(row.get("newsletterEmailApprovalDate"))
    flag = row.get("inNewsletterEmailApproval")
    if flag is None:  # GET /clients/clients: a date means "agreed since"
        approved = since is not None
    elif flag.__class__ is bool:
        approved = flag
    else:
        approved = _FLAGS[flag]
    return _NewsletterConsent(shop_id=shop_id, approved=approved, since=since)


def _shop(row: Any) -> ShopRef:
    return _ShopRef(shop_id=_shop_id(row), name=_name(row.get("shopName")))


def _customer(row: Any, zone: tzinfo) -> Customer:
    if row.__class__ is not dict:
        raise _UnusualShapeError
    client_id = row["clientId"]
    if client_id.__class__ is not int:
        raise _UnusualShapeError
    billing = _object(row.get("clientBillingAddress"))
    address = _address(billing, "client", "ProvinceId")
    unregistered = row.get("isUnregistered")
    get = row.get
    return _Customer(
        id=client_id,
        login=_text(get("clientLogin")),
        email=_text(get("clientEmail")),
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        birth_date=_day(_object(get("clientPersonalData")).get("clientBirthDate")),
        phone=address.phone,
        landline_phone=_text(billing.get("clientPhone2")),
        billing_address=address,
        language=_text(_object(get("clientPreferences")).get("langId")),
        registered_on=_day(get("clientRegistrationDate")),
        modified_at=_moment(get("clientsLastModificationDate"), zone),
        newsletter_consents=tuple(
            [_consent(c) for c in _list(get("newsletterEmailApprovalsData"))]
        ),
        active_in_shops=tuple([_shop(s) for s in _list(get("clientActiveInShops"))]),
        is_unregistered=False if unregistered is None else _FLAGS[unregistered],
    )


def customer_from_row(row: Any, zone: tzinfo) -> Customer | None:
    """A ``GET /clients/clients`` row as a :class:`Customer`, or ``None`` when the row is not
    in the common shape (decode it with the wire record then).

    Args:
        row: one item of ``results[]`` as parsed from JSON.
        zone: the shop's time zone for the naive wire date-times.
    """
    try:
        return _customer(row, zone)
    except (_UnusualShapeError, KeyError, ValueError, TypeError, ArithmeticError):
        return None
