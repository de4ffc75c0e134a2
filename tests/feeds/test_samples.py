"""IdoSell's official IOF 3.0 sample files parsed with exact expected values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest

from salesmanago_idosell.feeds import (
    NOT_TRACKED,
    CategoryRef,
    Price,
    Producer,
    ProductType,
    Stock,
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
    parse_gateway,
)

FIXTURES = Path(__file__).parent / "fixtures"
FULL = FIXTURES / "full.xml"


def _top_level_ids(path: Path) -> list[str]:
    """Product ids read independently with ElementTree (trusted fixture)."""
    root = ElementTree.parse(path).getroot()  # noqa: S314
    return [p.attrib["id"] for p in root.findall("products/product")]


def test_full_yields_every_top_level_product_and_not_bundle_components() -> None:
    products = list(iter_offer_products(FULL))
    assert [p.id for p in products] == _top_level_ids(FULL)
    assert [p.type for p in products] == [
        ProductType.REGULAR,
        ProductType.REGULAR,
        ProductType.REGULAR,
        ProductType.VIRTUAL,
        ProductType.BUNDLE,
        ProductType.COLLECTION,
        ProductType.PACKAGING,
        ProductType.SERVICE,
    ]


def test_full_first_product_exact_values() -> None:
    product = next(iter_offer_products(FULL))
    assert product.id == "33"
    assert product.vat == Decimal("23.0")
    assert product.currency == "PLN"
    assert product.removed is False
    assert product.code_on_card == "34567-11000"
    assert product.producer == Producer(id="1642669997", name="Lewis")
    assert product.category == CategoryRef(
        id="1214553882", path="Kategoria testowa 1/Podkategoria 3"
    )
    assert product.idosell_category is not None
    assert product.idosell_category.id == "55"
    assert product.idosell_category.levels[0] == "Aparaty, kamery i przyrządy optyczne"
    assert len(product.idosell_category.levels) == 3
    assert product.card_url == "https://iof.shop.pl/pl/products/przykladowy-towar-33-33.html"
    assert product.names == {"eng": "Sample product 33", "pol": "Przykładowy towar 33"}
    assert product.name("pol") == "Przykładowy towar 33"
    assert product.short_description("eng") == "Short description of sample product 33"
    assert product.long_description("pol") == "Opis długi przykładowego towaru 33"
    assert product.price == Price(gross=Decimal("1563.6"), net=Decimal("1271.22"))
    assert product.srp == Price(gross=Decimal(0), net=Decimal(0))
    base = "https://iof.shop.pl/data/gfx/pictures/large/3/3/33_"
    assert product.images == tuple(f"{base}{n}.jpg" for n in range(1, 7))
    assert product.icon_url == "https://iof.shop.pl/data/gfx/icons/large/3/3/33.jpg"


def test_full_sizes_and_stock_sentinel() -> None:
    product = next(iter_offer_products(FULL))
    assert [s.name for s in product.sizes] == ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXXL"]
    first = product.sizes[0]
    assert (first.id, first.code, first.producer_code, first.external_code) == (
        "1",
        "33-1",
        "0000034567111",
        "34567-11",
    )
    assert first.weight == Decimal(1353)
    assert first.price == Price(gross=Decimal("1575.6"), net=Decimal("1280.98"))
    assert first.stocks == (
        Stock(warehouse_id="0", quantity=NOT_TRACKED, available_quantity=NOT_TRACKED),
        Stock(warehouse_id="1", quantity=NOT_TRACKED, available_quantity=NOT_TRACKED),
    )
    assert not first.stocks[0].tracked
    assert first.total_quantity is NOT_TRACKED
    size_l = product.sizes[4]
    assert size_l.stocks == ()
    assert size_l.total_quantity is None


def test_full_tracked_stock_entities_and_one_size() -> None:
    products = {p.id: p for p in iter_offer_products(FULL)}
    second = products["34"]
    assert second.producer == Producer(id="1513170626", name="H&M")
    assert second.sizes[0].stocks == (
        Stock(warehouse_id="1", quantity=Decimal(102), available_quantity=Decimal(102)),
    )
    assert second.sizes[0].total_quantity == Decimal(102)
    service = products["47"]
    assert [s.id for s in service.sizes] == ["uniw"]
    assert service.idosell_category is None


def test_full_change_file() -> None:
    (product,) = iter_offer_products(FIXTURES / "full_change2022-02-16T10-33-11.xml")
    assert product.id == "997"
    assert product.currency == "GBP"
    assert product.code_on_card == "997-codeMPN"
    assert product.sizes == ()
    assert product.names == {}


def test_light_prices_and_stock() -> None:
    path = FIXTURES / "light.xml"
    products = list(iter_light_products(path))
    assert [p.id for p in products] == _top_level_ids(path)
    first = products[0]
    assert first.currency == "PLN"
    assert first.price == Price(gross=Decimal("1563.60"), net=Decimal("1271.22"))
    assert str(first.price.gross) == "1563.60"
    assert first.sizes[0].stocks == (
        Stock(warehouse_id="0", quantity=Decimal(9)),
        Stock(warehouse_id="1", quantity=NOT_TRACKED),
    )
    assert first.sizes[0].srp == Price(gross=Decimal("1600.99"), net=Decimal("1301.62"))


def test_category_tree() -> None:
    tree = parse_category_tree(FIXTURES / "categories.xml")
    assert len(tree) == 10
    assert tree.path(1214554203) == ("Obuwie Męskie", "PÓŁBUTY MĘSKIE")
    assert tree.path(0) == ("*Kategoria tymczasowa",)
    assert [c.id for c in tree.children(1214554202)] == list(range(1214554203, 1214554208))
    assert len(tree.children(None)) == 5


def test_gateway() -> None:
    gateway = parse_gateway(FIXTURES / "gateway.xml")
    assert gateway.shop_name == "Moj sklep IdoSell"
    assert gateway.generated is not None
    assert gateway.generated.isoformat() == "2022-02-15T15:46:37"
    full = gateway.full
    assert full is not None
    assert full.hash == "98b7e54f96335e632524ab267c11b8c3"
    assert "type=full&" in full.url
    assert len(full.changes) == 25
    assert "type=full_change2022-02-15T15-23-16" in full.changes[0].url
    assert gateway.light is not None
    assert gateway.light.hash is None
    assert set(gateway.files) == {
        "full",
        "light",
        "categories",
        "sizes",
        "producers",
        "units",
        "parameters",
        "stocks",
        "series",
        "warranties",
        "preset",
    }


def test_gateway_repr_hides_the_url_tokens() -> None:
    gateway = parse_gateway(FIXTURES / "gateway.xml")
    assert gateway.full is not None
    assert "token=" in gateway.full.url
    assert "token" not in repr(gateway)


def test_products_are_frozen() -> None:
    product = next(iter_offer_products(FULL))
    light = next(iter_light_products(FIXTURES / "light.xml"))
    with pytest.raises(AttributeError):
        product.id = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        light.price = None  # type: ignore[misc]
