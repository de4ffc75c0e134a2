"""A deterministic generator of realistic Polish shop data.

Example:
    >>> from salesmanago_idosell.testing import generate_shop
    >>> shop = generate_shop(seed=1, customers=5, subscribers=2, orders=4, products=6)
    >>> len(shop.customers), len(shop.orders)
    (5, 4)
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from . import _names as n
from .shop import (
    Category,
    ClientType,
    Customer,
    Order,
    OrderLine,
    PickupPoint,
    Product,
    Shop,
    Size,
    Subscriber,
)

__all__ = ["EPOCH", "ORDER_STATUSES", "generate_shop"]

#: The generated shop's "now": every date is before it, so output never depends on the clock.
EPOCH = datetime(2026, 11, 1, 12, 0, 0)
#: Order statuses with weights (cancelled and other non-revenue statuses included).
ORDER_STATUSES = (
    ("finished", 50), ("new", 10), ("on_order", 8), ("packed", 5), ("ready", 5),
    ("payment_waiting", 5), ("canceled", 8), ("false", 2), ("lost", 1), ("returned", 3),
    ("finished_ext", 3),
)  # fmt: skip
_VAT = Decimal("23.0")
_SIZES = (("1", "S"), ("2", "M"), ("3", "L"), ("4", "XL"))
_CENT = Decimal("0.01")


def generate_shop(
    seed: int = 0,
    *,
    customers: int = 50,
    subscribers: int = 20,
    orders: int = 80,
    products: int = 40,
    shop_url: str = "https://sklep.example.pl",
) -> Shop:
    """Generate a whole shop; the same arguments always give the same shop.

    Customers have names with diacritics, addresses, phones, birthdays (some missing),
    newsletter consent (some not); a few e-mails are invalid. Subscribers have no account.
    The category tree has 3-4 levels; every product sits in a leaf category; orders have
    1-5 lines, some go to pickup points, some are cancelled.
    """
    if min(customers, subscribers, orders, products) < 0:
        raise ValueError("counts must be >= 0")
    if orders and not (customers and products):
        raise ValueError("orders need at least one customer and one product")
    rng = random.Random(seed)
    shop = Shop(seed, 1, "Sklep Przykładowy", shop_url.rstrip("/"), EPOCH)
    shop.categories = _categories()
    leaves = [
        c.id for c in shop.categories if not any(x.parent_id == c.id for x in shop.categories)
    ]
    shop.products = [_product(rng, 100 + i, leaves, shop) for i in range(products)]
    shop.customers = [_customer(rng, i + 1) for i in range(customers)]
    shop.subscribers = _subscribers(rng, subscribers, {c.email for c in shop.customers})
    shop.orders = sorted(
        (_order(rng, i + 1, shop) for i in range(orders)), key=lambda o: (o.added, o.serial)
    )
    for serial, order in enumerate(shop.orders, start=1):
        order.serial, order.id = serial, f"{shop.shop_id}-{serial}"
    return shop


def _categories() -> list[Category]:
    result: list[Category] = []

    def walk(nodes: n.Tree, parent: int | None) -> None:
        for name, name_eng, children in nodes:
            category = Category(1214550000 + len(result) + 1, name, name_eng, parent)
            result.append(category)
            walk(children, category.id)

    walk(n.CATEGORY_TREE, None)
    return result


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(_CENT)


def _moment(rng: random.Random, days_back: int, *, after: datetime | None = None) -> datetime:
    start = after or EPOCH - timedelta(days=days_back)
    span = max(int((EPOCH - start).total_seconds()), 1)
    return start + timedelta(seconds=rng.randrange(span))


def _product(rng: random.Random, product_id: int, leaves: list[int], shop: Shop) -> Product:
    category_id = rng.choice(leaves)
    noun, feminine = rng.choice(n.PRODUCT_NOUNS[shop.category_path(category_id)[0]])
    name = f"{noun} {rng.choice(n.PRODUCT_ADJECTIVES)[feminine]} {product_id}"
    url = shop.shop_url
    producer = rng.randrange(len(n.PRODUCERS))
    sizes = [
        Size(sid, sname, f"{product_id}-{sid}", f"590{product_id:06d}{sid}{rng.randint(100, 999)}",
             rng.randint(0, 40))
        for sid, sname in _SIZES[: rng.randint(1, len(_SIZES))]
    ]  # fmt: skip
    added = _moment(rng, 900)
    return Product(
        id=product_id,
        name=name,
        category_id=category_id,
        producer_id=1700000001 + producer,
        producer_name=n.PRODUCERS[producer],
        price=_money(rng, 9, 899),
        vat=_VAT,
        sizes=sizes,
        url=f"{url}/product-pol-{product_id}-{n.ascii_fold(noun).lower()}.html",
        image_url=f"{url}/data/gfx/pictures/large/{product_id}/{product_id}_1.jpg",
        description=f"<p>{name} &ndash; opis produktu, zażółć gęślą jaźń.</p>",
        added=added,
        modified=_moment(rng, 0, after=added),
    )


def _customer(rng: random.Random, client_id: int) -> Customer:
    female = rng.random() < 0.55
    first = rng.choice(n.FEMALE_FIRST if female else n.MALE_FIRST)
    last = rng.choice(n.LAST_NAMES)[1 if female else 0]
    city, zip_prefix, province = rng.choice(n.CITIES)
    registered = _moment(rng, 1500)
    modified = _moment(rng, 0, after=registered)
    client_type: ClientType = rng.choice(("female" if female else "male", "private"))
    firm = rng.choice(n.FIRMS) if rng.random() < 0.08 else ""
    consent = rng.random() < 0.6
    changed = _moment(rng, 0, after=registered) if consent or rng.random() < 0.3 else None
    return Customer(
        id=client_id,
        login=f"{n.ascii_fold(first).lower()}{client_id}",
        email=_email(rng, first, last, client_id),
        first_name=first,
        last_name=last,
        client_type="firm" if firm else client_type,
        street=f"{rng.choice(n.STREETS)} {rng.randint(1, 120)}/{rng.randint(1, 40)}",
        zip_code=f"{zip_prefix}-{rng.randint(1, 999):03d}",
        city=city,
        province_id=province,
        phone=f"+48 {rng.choice('5678')}{rng.randint(10, 99)} {rng.randint(100, 999)} "
        f"{rng.randint(100, 999)}",
        birth_date=_birthday(rng),
        registered=registered,
        modified=modified,
        firm=firm,
        nip=f"{rng.randint(100, 999)}{rng.randint(1000000, 9999999)}" if firm else "",
        newsletter_since=changed if consent else None,
        newsletter_changed=changed,
        sms_since=changed if consent and rng.random() < 0.3 else None,
        code_external=f"CRM-{client_id:05d}" if rng.random() < 0.2 else "",
    )


def _email(rng: random.Random, first: str, last: str, number: int) -> str:
    if rng.random() < 0.04:
        return rng.choice(n.INVALID_EMAILS)
    local = f"{n.ascii_fold(first)}.{n.ascii_fold(last)}".lower().replace(" ", "")
    return f"{local}{number}@{rng.choice(n.EMAIL_DOMAINS)}"


def _birthday(rng: random.Random) -> date | None:
    if rng.random() < 0.3:
        return None
    return date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))


def _subscribers(rng: random.Random, count: int, taken: set[str]) -> list[Subscriber]:
    result: list[Subscriber] = []
    for i in range(count):
        first = rng.choice(n.FEMALE_FIRST + n.MALE_FIRST)
        email = f"{n.ascii_fold(first).lower()}.news{i + 1}@{rng.choice(n.EMAIL_DOMAINS)}"
        if rng.random() < 0.05:
            email = rng.choice(n.INVALID_EMAILS)
        if email in taken:
            email = f"news{i + 1}.{email.split('@')[-1]}@o2.pl"
        taken.add(email)
        result.append(Subscriber(email=email, added=_moment(rng, 700), approved=rng.random() < 0.9))
    return result


def _order(rng: random.Random, number: int, shop: Shop) -> Order:
    customer = rng.choice(shop.customers)
    added = _moment(rng, 0, after=customer.registered)
    lines = []
    for product in rng.sample(shop.products, k=min(rng.randint(1, 5), len(shop.products))):
        size = rng.choice(product.sizes)
        line = OrderLine(product.id, product.name, size.id, size.name, rng.randint(1, 3),
                         product.price, product.vat)  # fmt: skip
        lines.append(line)
    point = rng.choice(n.PICKUP_POINTS) if rng.random() < 0.3 else None
    courier = n.COURIERS[0] if point else rng.choice(n.COURIERS[1:])
    statuses = [name for name, _ in ORDER_STATUSES]
    weights = [weight for _, weight in ORDER_STATUSES]
    return Order(
        id=str(number),
        serial=number,
        client_id=customer.id,
        status=rng.choices(statuses, weights)[0],
        added=added,
        modified=_moment(rng, 0, after=added),
        lines=lines,
        delivery_cost=Decimal("0.00") if point else _money(rng, 9, 19),
        payment_type=rng.choice(("prepaid", "cash_on_delivery", "prepaid")),
        courier=courier,
        pickup_point=PickupPoint(*point) if point else None,
        note=rng.choice(("", "", "Proszę o szybką wysyłkę", 'Dzwonić przed "dostawą" & po')),
    )
