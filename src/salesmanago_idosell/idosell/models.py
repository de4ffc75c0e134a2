"""Typed models of what the IdoSell Admin API returns (snake_case, no wire names)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from attrs import field, frozen

__all__ = [
    "Address",
    "Customer",
    "NewsletterConsent",
    "Order",
    "OrderClient",
    "OrderProduct",
    "OrderSource",
    "OrderStatus",
    "OrderStatusDefinition",
    "PickupPoint",
    "ServerLoad",
    "ShopRef",
    "Subscriber",
    "SubscriberShop",
]


@frozen(kw_only=True)
class Address:
    """A postal address (billing or delivery).

    Attributes:
        first_name, last_name, company: the addressee.
        street: street and number.
        zip_code: postal code, e.g. ``"00-001"``.
        city: city.
        country_code: ISO 3166 alpha-2 code as sent by the shop (e.g. ``"pl"``).
        province: administrative region, when given.
        phone: a phone number given with the address.
    """

    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    street: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country_code: str | None = None
    province: str | None = None
    phone: str | None = None


@frozen(kw_only=True)
class NewsletterConsent:
    """A customer's e-mail newsletter consent in one shop.

    Attributes:
        shop_id: the shop.
        approved: whether the customer agreed.
        since: the date from which the customer agreed, when the API gives it.
    """

    shop_id: int
    approved: bool
    since: date | None = None


@frozen(kw_only=True)
class ShopRef:
    """A shop a customer is active in."""

    shop_id: int
    name: str | None = None


@frozen(kw_only=True)
class Customer:
    """A customer account.

    Attributes:
        id: the customer number.
        login, email: account identity.
        first_name, last_name, company: from the billing data.
        birth_date: ``None`` when not given.
        phone: cell phone; ``landline_phone``: land line.
        billing_address: the billing address.
        language: ISO 639-2 language id (``"pol"``).
        registered_on: registration day, when known.
        modified_at: last modification (aware, shop time zone), when known.
        newsletter_consents: e-mail newsletter consent per shop.
        active_in_shops: the shops the customer is active in.
        is_unregistered: True for an order placed without registering an account.
    """

    id: int
    login: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    landline_phone: str | None = None
    billing_address: Address = field(factory=Address)
    language: str | None = None
    registered_on: date | None = None
    modified_at: datetime | None = None
    newsletter_consents: tuple[NewsletterConsent, ...] = ()
    active_in_shops: tuple[ShopRef, ...] = ()
    is_unregistered: bool = False

    def consents_to_newsletter(self, shop_id: int | None = None) -> bool:
        """True when the customer agreed to the e-mail newsletter (in ``shop_id``, or any)."""
        for consent in self.newsletter_consents:  # a loop, not any(): once per record sent
            if consent.approved and (shop_id is None or consent.shop_id == shop_id):
                return True
        return False


@frozen(kw_only=True)
class SubscriberShop:
    """A newsletter subscription in one shop.

    Attributes:
        shop_id: the shop.
        approved: whether the address is subscribed there.
        modified_at: when it was added (subscribers without an account) or last changed.
    """

    shop_id: int
    approved: bool
    modified_at: datetime | None = None


@frozen(kw_only=True)
class Subscriber:
    """An e-mail newsletter subscriber (with or without a customer account).

    Attributes:
        email: the subscribed address.
        registered: True when the subscriber has a customer account.
        language: ISO 639-2 language id.
        client_id: the customer number, when registered.
        login: the account login, when registered.
        shops: per-shop approval and modification date.
    """

    email: str
    registered: bool
    language: str | None = None
    client_id: int | None = None
    login: str | None = None
    shops: tuple[SubscriberShop, ...] = ()

    def is_approved(self, shop_id: int | None = None) -> bool:
        """True when subscribed in ``shop_id`` (or in any shop)."""
        return any(s.approved and (shop_id is None or s.shop_id == shop_id) for s in self.shops)


class OrderStatus(str, enum.Enum):
    """An order status; values the SDK does not know yet are accepted as extra members.

    Example:
        >>> OrderStatus("finished") is OrderStatus.FINISHED
        True
        >>> OrderStatus("brand_new_status").value
        'brand_new_status'
    """

    NEW = "new"
    ON_ORDER = "on_order"
    PACKED = "packed"
    PACKED_FULFILLMENT = "packed_fulfillment"
    PACKED_READY = "packed_ready"
    READY = "ready"
    PAYMENT_WAITING = "payment_waiting"
    DELIVERY_WAITING = "delivery_waiting"
    WAIT_FOR_DISPATCH = "wait_for_dispatch"
    SUSPENDED = "suspended"
    FINISHED_EXT = "finished_ext"
    JOINED = "joined"
    FALSE = "false"
    CANCELED = "canceled"
    LOST = "lost"
    MISSING = "missing"
    WAIT_FOR_PACKAGING = "wait_for_packaging"
    WAIT_FOR_RECEIVE = "wait_for_receive"
    FINISHED = "finished"
    RETURNED = "returned"
    COMPLAINED = "complained"

    @classmethod
    def _missing_(cls, value: object) -> OrderStatus | None:
        if not isinstance(value, str) or not value:
            return None
        member = str.__new__(cls, value)
        member._name_ = value.upper()
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """False for a status value this SDK version does not list."""
        return self.value in type(self)._value2member_map_


@frozen(kw_only=True)
class OrderClient:
    """The customer account an order belongs to."""

    id: int | None = None
    login: str | None = None
    email: str | None = None
    phone: str | None = None
    landline_phone: str | None = None


@frozen(kw_only=True)
class PickupPoint:
    """The pickup point an order is delivered to."""

    id: str | None = None
    name: str | None = None
    city: str | None = None
    street: str | None = None


@frozen(kw_only=True)
class OrderSource:
    """Where an order came from.

    Attributes:
        type: IdoSell's source type (``shop``, ``pos``, ``marketplace``, ``api``, ...).
        shop_id: the shop the order was placed in.
    """

    type: str | None = None
    shop_id: int | None = None


@frozen(kw_only=True)
class OrderProduct:
    """One order line.

    Attributes:
        product_id: the product.
        size_id: the size (a string: may be non-numeric, e.g. ``"uniw"``).
        name, code: product name and code.
        quantity: ordered quantity.
        unit_price_gross: gross price of one unit in the order currency.
    """

    product_id: int
    size_id: str | None = None
    name: str | None = None
    code: str | None = None
    quantity: Decimal = Decimal(1)
    unit_price_gross: Decimal = Decimal(0)


@frozen(kw_only=True)
class Order:
    """An order with its customer, addresses, source, costs and lines.

    Attributes:
        id: IdoSell's order id (a string such as ``"shop1-123"``).
        serial_number: the human order number.
        added_at, changed_at: aware datetimes in the shop's time zone.
        status: the order status.
        client: the customer account.
        billing_address, delivery_address: addresses.
        delivery_address_type: ``client``, ``pickupPoint`` or ``warehouse``.
        pickup_point: the pickup point, when delivered to one.
        source: where the order was placed.
        currency: ISO 4217 code of the order currency.
        total: products + delivery + payment + insurance costs, in ``currency``.
        payment_method: IdoSell's payment type (``prepaid``, ``cash_on_delivery``, ...).
        delivery_method: the name of the courier or delivery service.
        stock_id: the stock (warehouse or store) the order is handled from.
        products: the order lines.
    """

    id: str
    serial_number: int
    added_at: datetime | None = None
    changed_at: datetime | None = None
    status: OrderStatus | None = None
    client: OrderClient = field(factory=OrderClient)
    billing_address: Address = field(factory=Address)
    delivery_address: Address = field(factory=Address)
    delivery_address_type: str | None = None
    pickup_point: PickupPoint | None = None
    source: OrderSource = field(factory=OrderSource)
    currency: str | None = None
    total: Decimal = Decimal(0)
    payment_method: str | None = None
    delivery_method: str | None = None
    stock_id: int | None = None
    products: tuple[OrderProduct, ...] = ()


@frozen(kw_only=True)
class OrderStatusDefinition:
    """A status defined in the shop's panel (``GET /orders/statuses``)."""

    id: int
    name: str
    parent_id: int | None = None


class ServerLoad(str, enum.Enum):
    """The shop server's load, to slow a bulk export down."""

    NORMAL = "normal"
    OVERLOADED = "overloaded"
