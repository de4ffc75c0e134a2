"""The sandbox shop's data: plain dataclasses, independent of the SDK's models.

:func:`~salesmanago_idosell.testing.generate_shop` fills a :class:`Shop`;
:class:`~salesmanago_idosell.testing.FakeIdoSell` serves it in the Admin API's wire format and
:mod:`~salesmanago_idosell.testing.iof_writer` writes it as IOF XML. Records are mutable so
tests can change the shop between two syncs (through the fake's methods, which also bump the
modification dates).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

__all__ = [
    "Category",
    "Customer",
    "Order",
    "OrderLine",
    "PickupPoint",
    "Product",
    "Shop",
    "Size",
    "Subscriber",
]

ClientType = Literal["private", "male", "female", "firm"]


@dataclass
class Category:
    """A panel category: its own name (one level) and its parent (``None`` at the top)."""

    id: int
    name: str
    name_eng: str
    parent_id: int | None = None


@dataclass
class Size:
    """One size of a product, with its IAI code, EAN and stock."""

    id: str
    name: str
    code: str
    ean: str
    quantity: int


@dataclass
class Product:
    """A product in exactly one (leaf) category."""

    id: int
    name: str
    category_id: int
    producer_id: int
    producer_name: str
    price: Decimal
    vat: Decimal
    sizes: list[Size]
    url: str
    image_url: str
    description: str
    added: datetime
    modified: datetime


@dataclass
class Customer:
    """A registered customer account.

    ``newsletter_since`` is the date the customer agreed to the e-mail newsletter (``None`` =
    no consent); ``newsletter_changed`` is when the consent was last given or withdrawn
    (``None`` = the customer never was on the newsletter list).
    """

    id: int
    login: str
    email: str
    first_name: str
    last_name: str
    client_type: ClientType
    street: str
    zip_code: str
    city: str
    province_id: str
    phone: str
    birth_date: date | None
    registered: datetime
    modified: datetime
    firm: str = ""
    nip: str = ""
    country_id: str = "PL"
    newsletter_since: datetime | None = None
    newsletter_changed: datetime | None = None
    sms_since: datetime | None = None
    shop_id: int = 1
    active: bool = True
    code_external: str = ""


@dataclass
class Subscriber:
    """A newsletter subscriber without a customer account (``modified``: when the approval
    last changed, ``None`` until it does)."""

    email: str
    added: datetime
    approved: bool = True
    language: str = "pol"
    shop_id: int = 1
    modified: datetime | None = None


@dataclass
class OrderLine:
    """One order line: product, size, quantity and gross unit price."""

    product_id: int
    name: str
    size_id: str
    size_name: str
    quantity: int
    price: Decimal
    vat: Decimal


@dataclass
class PickupPoint:
    """A parcel locker / pickup point the order is delivered to."""

    id: str
    name: str
    street: str
    zip_code: str
    city: str


@dataclass
class Order:
    """An order of a registered customer."""

    id: str
    serial: int
    client_id: int
    status: str
    added: datetime
    modified: datetime
    lines: list[OrderLine]
    delivery_cost: Decimal
    payment_type: str
    courier: str
    pickup_point: PickupPoint | None = None
    currency: str = "PLN"
    shop_id: int = 1
    note: str = ""

    @property
    def products_cost(self) -> Decimal:
        """Sum of quantity x unit price over the lines."""
        return sum((line.price * line.quantity for line in self.lines), Decimal("0.00"))


@dataclass
class Shop:
    """A whole generated shop."""

    seed: int
    shop_id: int
    shop_name: str
    shop_url: str
    generated: datetime
    categories: list[Category] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    subscribers: list[Subscriber] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)

    def category(self, category_id: int) -> Category:
        """The category with this id (``KeyError`` if there is none)."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def category_path(self, category_id: int) -> tuple[str, ...]:
        """Category names from the top level down to ``category_id``."""
        names: list[str] = []
        current: int | None = category_id
        while current is not None:
            node = self.category(current)
            names.append(node.name)
            current = node.parent_id
        return tuple(reversed(names))

    def product(self, product_id: int) -> Product:
        """The product with this id (``KeyError`` if there is none)."""
        for product in self.products:
            if product.id == product_id:
                return product
        raise KeyError(product_id)

    def customer(self, client_id: int) -> Customer:
        """The customer with this id (``KeyError`` if there is none)."""
        for customer in self.customers:
            if customer.id == client_id:
                return customer
        raise KeyError(client_id)
