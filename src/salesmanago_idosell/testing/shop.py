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
from typing import Any, Literal

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
    _indexes: dict[str, tuple[list[Any], int, dict[int, Any]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def _index(self, name: str, records: list[Any], key: str) -> dict[int, Any]:
        """``records`` by ``key``; rebuilt when the list changed length or object."""
        cached = self._indexes.get(name)
        if cached is None or cached[0] is not records or cached[1] != len(records):
            cached = (records, len(records), {getattr(r, key): r for r in records})
            self._indexes[name] = cached
        return cached[2]

    def _find(self, name: str, records: list[Any], key: str, value: int) -> Any:
        found = self._index(name, records, key).get(value)
        if found is None or getattr(found, key) != value:  # changed in place: look again
            self._indexes.pop(name, None)
            found = self._index(name, records, key).get(value)
        if found is None:
            raise KeyError(value)
        return found

    def category(self, category_id: int) -> Category:
        """The category with this id (``KeyError`` if there is none)."""
        found: Category = self._find("categories", self.categories, "id", category_id)
        return found

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
        found: Product = self._find("products", self.products, "id", product_id)
        return found

    def product_by_id(self, product_id: int) -> Product | None:
        """The product with this id, or ``None``."""
        try:
            return self.product(product_id)
        except KeyError:
            return None

    def customer(self, client_id: int) -> Customer:
        """The customer with this id (``KeyError`` if there is none)."""
        found: Customer = self._find("customers", self.customers, "id", client_id)
        return found
