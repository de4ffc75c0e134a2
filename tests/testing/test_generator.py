"""The shop generator: determinism, realistic structure, and IOF output that agrees with it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmanago_idosell.testing import (
    FakeIdoSell,
    Shop,
    categories_xml,
    full_xml,
    generate_shop,
)
from salesmanago_idosell.testing._sm_records import check_email

from .support import ido_get

POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


def _depth(shop: Shop, category_id: int) -> int:
    return len(shop.category_path(category_id))


def test_same_seed_same_shop_other_seed_other_shop() -> None:
    assert generate_shop(5) == generate_shop(5)
    assert generate_shop(5).customers != generate_shop(6).customers


def test_default_shop_is_realistic() -> None:
    shop = generate_shop(0)
    names = " ".join(f"{c.first_name} {c.last_name} {c.city}" for c in shop.customers)
    assert POLISH & set(names)
    assert any(c.birth_date is None for c in shop.customers)
    assert any(c.birth_date is not None for c in shop.customers)
    assert any(c.newsletter_since for c in shop.customers)
    assert any(not c.newsletter_since for c in shop.customers)
    assert any(check_email(c.email) for c in shop.customers + shop.subscribers)
    assert any(o.pickup_point for o in shop.orders)
    assert any(o.status == "canceled" for o in shop.orders)
    category_names = [c.name for c in shop.categories]
    assert any("&" in n for n in category_names)
    assert any("/" in n for n in category_names)
    assert any(" " in n for n in category_names)
    assert {_depth(shop, c.id) for c in shop.categories} >= {1, 2, 3, 4}


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    customers=st.integers(min_value=1, max_value=40),
    orders=st.integers(min_value=0, max_value=40),
    products=st.integers(min_value=1, max_value=20),
)
def test_any_seed_gives_valid_structure(
    seed: int, customers: int, orders: int, products: int
) -> None:
    shop = generate_shop(seed, customers=customers, subscribers=5, orders=orders, products=products)
    parents = {c.parent_id for c in shop.categories}
    customer_ids = {c.id for c in shop.customers}
    assert len(customer_ids) == customers
    assert all(p.category_id not in parents and 3 <= _depth(shop, p.category_id) <= 4
               for p in shop.products)  # fmt: skip
    assert [o.serial for o in shop.orders] == list(range(1, orders + 1))
    for order in shop.orders:
        assert order.client_id in customer_ids
        assert 1 <= len(order.lines) <= 5
        assert shop.customer(order.client_id).registered <= order.added <= order.modified
    for customer in shop.customers:
        assert customer.registered <= customer.modified <= shop.generated
    subscriber_emails = [s.email for s in shop.subscribers]
    assert len(set(subscriber_emails)) == len(subscriber_emails)
    assert not set(subscriber_emails) & {c.email for c in shop.customers}


def test_counts_are_validated() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        generate_shop(1, customers=-1)
    with pytest.raises(ValueError, match="orders need"):
        generate_shop(1, customers=0, orders=3)


def test_iof_files_parse_and_agree_with_the_api_data(tmp_path: Path) -> None:
    shop = generate_shop(2, products=15)
    offer = ET.fromstring(full_xml(shop).encode("utf-8"))  # noqa: S314 - our own output
    tree = ET.fromstring(categories_xml(shop).encode("utf-8"))  # noqa: S314
    products = offer.findall("./products/product")
    assert [int(p.get("id", "")) for p in products] == [p.id for p in shop.products]
    for element, product in zip(products, shop.products, strict=True):
        category = element.find("category")
        assert category is not None
        assert int(category.get("id", "")) == product.category_id
        assert category.get("name") == "/".join(shop.category_path(product.category_id))
        name = element.find("./description/name")
        assert name is not None
        assert name.text == product.name
    assert sorted(int(c.get("id", "")) for c in tree.iter("category")) == sorted(
        c.id for c in shop.categories
    )
    nested = tree.find("./category/category/category")
    assert nested is not None, "categories.xml nests children inside parents"


def test_written_feeds_match_the_served_ones(tmp_path: Path) -> None:
    from salesmanago_idosell.testing import write_feeds

    shop = generate_shop(4, products=5)
    full, categories = write_feeds(shop, tmp_path / "feeds")
    assert full.read_text(encoding="utf-8") == full_xml(shop)
    assert categories.read_text(encoding="utf-8") == categories_xml(shop)


@pytest.fixture(scope="module")
def big_shop_server() -> Iterator[FakeIdoSell]:
    """One server for the paging property (module scope: Hypothesis reuses it)."""
    with FakeIdoSell(generate_shop(9, customers=137, orders=0, products=1)) as fake:
        yield fake


@settings(max_examples=15, deadline=None)
@given(limit=st.integers(min_value=1, max_value=100))
def test_paging_through_all_pages_returns_every_customer_once(
    big_shop_server: FakeIdoSell, limit: int
) -> None:
    seen: list[int] = []
    page = 0
    while True:
        body = ido_get(big_shop_server, "/clients/clients",
                       {"resultsPage": page, "resultsLimit": limit}).json()  # fmt: skip
        seen += [row["clientId"] for row in body["results"]]
        if page + 1 >= body["resultsNumberPage"]:
            break
        page += 1
    assert sorted(seen) == list(range(1, 138))
    assert len(seen) == len(set(seen))
