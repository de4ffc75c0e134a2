"""IOF offer products mapped to SALESmanago v3 catalog products (``to_catalog_product``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from salesmanago_idosell.categories import Category, CategoryTree
from salesmanago_idosell.feeds import (
    NOT_TRACKED,
    UNCATEGORIZED,
    CategoryRef,
    OfferProduct,
    Price,
    Producer,
    Quantity,
    Size,
    Stock,
    iter_offer_products,
    to_catalog_product,
)
from salesmanago_idosell.mapping import Skip
from salesmanago_idosell.salesmanago._wire import make_salesmanago_converter
from salesmanago_idosell.salesmanago.catalog_models import CatalogProduct, SystemDetails

from .iofxml import Style, offer_xml
from .strategies import PRODUCTS

FULL = Path(__file__).parent / "fixtures" / "full.xml"
SAMPLE = "https://iof.shop.pl/data/gfx/pictures/large"
CARD = "https://iof.shop.pl/pl/products"


@pytest.fixture(scope="module")
def sample() -> dict[str, OfferProduct]:
    """The official sample's products by id."""
    return {p.id: p for p in iter_offer_products(FULL)}


def _mapped(product: OfferProduct, *, language: str = "pol", **options: Any) -> CatalogProduct:
    result = to_catalog_product(product, language=language, **options)
    assert isinstance(result, CatalogProduct), result
    return result


def _product(**changes: Any) -> OfferProduct:
    """A small valid product, with ``changes`` applied."""
    base = OfferProduct(
        id="7",
        currency="PLN",
        names={"pol": "Kurtka", "eng": "Jacket"},
        price=Price(gross=Decimal("100.00"), net=Decimal("81.30")),
    )
    return attrs.evolve(base, **changes)


def _stocked(*quantities: Quantity | None) -> OfferProduct:
    stocks = tuple(Stock(warehouse_id=str(n), quantity=q) for n, q in enumerate(quantities))
    return _product(sizes=(Size(id="1", stocks=stocks[:1]), Size(id="2", stocks=stocks[1:])))


# --- the official sample, hand-checked ------------------------------------------------------


def test_sample_product_33_untracked_stock_and_six_images(sample: dict[str, OfferProduct]) -> None:
    assert _mapped(sample["33"]) == CatalogProduct(
        product_id="33",
        name="Przykładowy towar 33",
        main_category="Podkategoria 3",
        category_external_id="1214553882",
        categories=("Kategoria testowa 1", "Podkategoria 3"),
        description="Opis krótki przykładowego towaru 33",
        product_url=f"{CARD}/przykladowy-towar-33-33.html",
        main_image_url=f"{SAMPLE}/3/3/33_1.jpg",
        image_urls=tuple(f"{SAMPLE}/3/3/33_{n}.jpg" for n in range(2, 7)),
        available=True,
        active=True,
        quantity=None,
        price=Decimal("1563.60"),
        discount_price=None,
        system_details=SystemDetails(brand="Lewis"),
        set_as_null=("discountPrice",),
    )


def test_sample_product_34_tracked_stock_and_strikethrough_discount(
    sample: dict[str, OfferProduct],
) -> None:
    # Nine sizes in warehouse 1: 102+100+102+100+103+100+104+100+100 = 911.
    # strikethrough 56421.49 > price 6125.87: the crossed-out price is the price, the shop
    # price the discount price (the SRP 6272.36 is not a discount).
    assert _mapped(sample["34"], language="eng") == CatalogProduct(
        product_id="34",
        name="Sample product 34",
        main_category="Podkategoria 3",
        category_external_id="1214553882",
        categories=("Kategoria testowa 1", "Podkategoria 3"),
        description="Short description of sample product 34",
        product_url=f"{CARD}/przykladowy-towar-34-34.html",
        main_image_url=f"{SAMPLE}/4/3/34_1.jpg",
        image_urls=tuple(f"{SAMPLE}/4/3/34_{n}.jpg" for n in range(2, 7)),
        available=True,
        active=True,
        quantity=911,
        price=Decimal("56421.49"),
        discount_price=Decimal("6125.87"),
        system_details=SystemDetails(brand="H&M"),
    )


def test_sample_product_45_image_priority_and_zero_srp(sample: dict[str, OfferProduct]) -> None:
    assert _mapped(sample["45"]) == CatalogProduct(
        product_id="45",
        name="Przykładowe opakowanie 45",
        main_category="ATLETICO",
        category_external_id="1214553884",
        categories=("WIOSNA-LATO 2011", "ATLETICO"),
        description="Opis krótki opakowania 45",
        product_url=f"{CARD}/przykladowe-opakowanie-45-45.html",
        main_image_url=f"{SAMPLE}/5/4/45_2.jpg",
        image_urls=(f"{SAMPLE}/5/4/45_1.jpg",),
        available=True,
        active=True,
        quantity=150,
        price=Decimal("49.18"),
        system_details=SystemDetails(brand="Sony"),
        set_as_null=("discountPrice",),
    )


def test_sample_product_47_service_one_image_not_tracked(sample: dict[str, OfferProduct]) -> None:
    mapped = _mapped(sample["47"])
    assert (mapped.main_image_url, mapped.image_urls) == (f"{SAMPLE}/7/4/47_1.jpg", ())
    assert (mapped.available, mapped.quantity) == (True, None)
    assert (mapped.main_category, mapped.categories) == (
        "Kategoria testowa 3",
        ("Kategoria testowa 3",),
    )
    assert (mapped.price, mapped.discount_price) == (Decimal("406.81"), None)


def test_every_sample_product_maps(sample: dict[str, OfferProduct]) -> None:
    mapped = [to_catalog_product(p, language="pol") for p in sample.values()]
    assert [m.product_id for m in mapped if isinstance(m, CatalogProduct)] == list(sample)


# --- names and descriptions -------------------------------------------------------------------


def test_name_falls_back_to_the_first_language_and_is_cleaned() -> None:
    product = _product(names={"eng": "  Winter\n  jacket "})
    assert _mapped(product).name == "Winter jacket"


def test_long_name_is_shortened_at_a_word_boundary() -> None:
    name = _mapped(_product(names={"pol": "słowo " * 60})).name
    assert name is not None
    assert len(name) <= 255
    assert name.endswith("słowo…")


def test_description_prefers_short_and_strips_html_by_default() -> None:
    product = _product(
        short_descriptions={"pol": "<p>Ciepła <b>kurtka</b> &amp; czapka</p><ul><li>a</li></ul>"},
        long_descriptions={"pol": "<p>Długi</p>"},
    )
    assert _mapped(product).description == "Ciepła kurtka & czapka a"


def test_description_falls_back_to_the_long_one_and_drops_scripts() -> None:
    product = _product(
        short_descriptions={"pol": " <br/> "},
        long_descriptions={"pol": "<script>alert(1)</script><div>Opis</div><style>p{}</style>"},
    )
    assert _mapped(product).description == "Opis"


def test_description_html_kept_on_request() -> None:
    product = _product(short_descriptions={"pol": "<p>Ciepła <b>kurtka</b></p>"})
    assert _mapped(product, html_description=True).description == "<p>Ciepła <b>kurtka</b></p>"


def test_description_is_shortened() -> None:
    product = _product(long_descriptions={"pol": "abc " * 100})
    assert _mapped(product, max_description=10).description == "abc abc…"


# --- categories -------------------------------------------------------------------------------

SLASHED = CategoryTree.of(
    [
        Category(1, "Wiosna/Lato", names={"eng": "Spring/Summer"}),
        Category(2, "Kurtki 1/2", parent_id=1, names={"eng": "Jackets 1/2"}),
    ]
)


def test_names_with_a_slash_are_resolved_through_the_tree() -> None:
    product = _product(category=CategoryRef(id="2", path="Wiosna/Lato/Kurtki 1/2"))
    with_tree = _mapped(product, category_tree=SLASHED)
    assert (with_tree.main_category, with_tree.categories) == (
        "Kurtki 1/2",
        ("Wiosna/Lato", "Kurtki 1/2"),
    )
    assert with_tree.category_external_id == "2"
    without = _mapped(product)
    assert without.categories == ("Wiosna", "Lato", "Kurtki 1", "2")


def test_tree_names_follow_the_language() -> None:
    product = _product(category=CategoryRef(id="2", path="x"))
    mapped = to_catalog_product(product, language="eng", category_tree=SLASHED)
    assert isinstance(mapped, CatalogProduct)
    assert mapped.categories == ("Spring/Summer", "Jackets 1/2")


def test_category_missing_from_the_tree_uses_the_feed_path() -> None:
    product = _product(category=CategoryRef(id="99", path=" Odzież / Kurtki  zimowe/"))
    mapped = _mapped(product, category_tree=SLASHED)
    assert mapped.categories == ("Odzież", "Kurtki zimowe")


@pytest.mark.parametrize("category", [None, CategoryRef(id="0", path="*Kategoria tymczasowa")])
def test_no_category_is_uncategorized(category: CategoryRef | None) -> None:
    mapped = _mapped(_product(category=category))
    assert (mapped.main_category, mapped.categories, mapped.category_external_id) == (
        UNCATEGORIZED,
        (),
        None,
    )


def test_at_most_five_categories_from_the_top_and_no_duplicates() -> None:
    product = _product(category=CategoryRef(id="5", path="A/B/A/C/D/E/F"))
    mapped = _mapped(product)
    assert mapped.categories == ("A", "B", "C", "D", "E")
    assert mapped.main_category == "F"
    assert _mapped(product, max_categories=2).categories == ("A", "B")


# --- images -----------------------------------------------------------------------------------


def test_no_images() -> None:
    mapped = _mapped(_product())
    assert (mapped.main_image_url, mapped.image_urls) == (None, ())


def test_icon_is_the_main_image_when_there_is_no_large_one() -> None:
    mapped = _mapped(_product(icon_url="https://s.pl/icon.jpg"))
    assert (mapped.main_image_url, mapped.image_urls) == ("https://s.pl/icon.jpg", ())


def test_more_than_five_images_duplicates_and_bad_urls() -> None:
    urls = [f"https://s.pl/{n}.jpg" for n in range(8)]
    product = _product(images=(urls[0], "/relative.jpg", urls[0], *urls[1:]))
    mapped = _mapped(product)
    assert mapped.main_image_url == urls[0]
    assert mapped.image_urls == tuple(urls[1:6])
    assert _mapped(product, max_images=2).image_urls == tuple(urls[1:3])


def test_product_url_must_be_absolute() -> None:
    assert _mapped(_product(card_url="/product-7.html")).product_url is None
    assert _mapped(_product(card_url=" https://s.pl/p/7 ")).product_url == "https://s.pl/p/7"


# --- stock ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantities", "available", "quantity"),
    [
        ((NOT_TRACKED, NOT_TRACKED), True, None),
        ((Decimal(0), NOT_TRACKED), True, None),
        ((Decimal(0), Decimal(0)), False, 0),
        ((Decimal("2.5"), Decimal("1.75")), True, 4),
        ((Decimal(3), None), True, 3),
        ((None, None), None, None),
    ],
)
def test_available_and_quantity(
    quantities: tuple[Quantity | None, ...], available: bool | None, quantity: int | None
) -> None:
    mapped = _mapped(_stocked(*quantities))
    assert (mapped.available, mapped.quantity) == (available, quantity)


def test_no_sizes_means_unknown_stock() -> None:
    mapped = _mapped(_product())
    assert (mapped.available, mapped.quantity) == (None, None)


# --- prices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "srp", "strikethrough", "expected"),
    [
        # the reported product: the shop shows 3899.99 crossed out, sells for 3343.13
        ("3343.13", "3343.13", "3899.99", (Decimal("3899.99"), Decimal("3343.13"))),
        ("100", "120", None, (Decimal("100.00"), None)),  # an SRP is not a discount
        ("100", None, "100", (Decimal("100.00"), None)),
        ("100", None, "90", (Decimal("100.00"), None)),
        ("100", "0", "0", (Decimal("100.00"), None)),
        ("100", None, None, (Decimal("100.00"), None)),
        ("10.005", None, None, (Decimal("10.01"), None)),
    ],
)
def test_price_and_discount_price(
    price: str, srp: str | None, strikethrough: str | None, expected: tuple[Decimal, Decimal | None]
) -> None:
    product = _product(
        price=Price(gross=Decimal(price)),
        srp=Price(gross=Decimal(srp)) if srp is not None else None,
        strikethrough_price=Price(gross=Decimal(strikethrough)) if strikethrough else None,
    )
    mapped = _mapped(product)
    assert (mapped.price, mapped.discount_price) == expected
    assert mapped.set_as_null == (() if expected[1] else ("discountPrice",))


def test_the_reported_product_read_from_xml() -> None:
    document = (
        b'<offer file_format="IOF" version="3.0"><products language="pol" currency="PLN">'
        b'<product id="5"><description><name xml:lang="pol">Kanapa</name></description>'
        b'<price gross="3343.13" net="2718.0"/><srp gross="3343.13" net="2718.0"/>'
        b'<strikethrough_retail_price gross="3899.99" net="3170.72"/></product>'
        b"</products></offer>"
    )
    (product,) = iter_offer_products(document)
    assert product.strikethrough_price == Price(gross=Decimal("3899.99"), net=Decimal("3170.72"))
    mapped = _mapped(product)
    assert (mapped.price, mapped.discount_price) == (Decimal("3899.99"), Decimal("3343.13"))


def test_a_price_of_zero_is_not_published() -> None:
    skip = Skip("product 7", "product price is 0 (a hidden price): not published")
    assert to_catalog_product(_product(price=Price(gross=Decimal(0))), language="pol") == skip
    # a size with a real price is the price; a 0 size price is not the cheapest
    sizes = (Size(price=Price(gross=Decimal(0))), Size(price=Price(gross=Decimal("15"))))
    mapped = _mapped(_product(price=Price(gross=Decimal("0.00")), sizes=sizes))
    assert mapped.price == Decimal("15.00")


def test_size_strikethrough_when_the_cheapest_size_is_the_price() -> None:
    sizes = (
        Size(price=Price(gross=Decimal(30)), strikethrough_price=Price(gross=Decimal(50))),
        Size(price=Price(gross=Decimal(20)), strikethrough_price=Price(gross=Decimal(25))),
    )
    mapped = _mapped(_product(price=None, sizes=sizes))
    assert (mapped.price, mapped.discount_price) == (Decimal("25.00"), Decimal("20.00"))
    # the product's own price differs from the size's: the size's crossed price is not used
    mapped = _mapped(_product(price=Price(gross=Decimal(18)), sizes=sizes))
    assert (mapped.price, mapped.discount_price) == (Decimal("18.00"), None)


def test_price_falls_back_to_the_cheapest_size() -> None:
    sizes = tuple(Size(id=str(g), price=Price(gross=Decimal(g))) for g in ("30", "20", "25"))
    mapped = _mapped(_product(price=Price(net=Decimal(1)), sizes=sizes))
    assert mapped.price == Decimal("20.00")


def test_comma_decimals_from_the_feed() -> None:
    product = _product(
        price=Price(gross=Decimal("1563.6"), net=Decimal("1271.22")),
        strikethrough_price=Price(gross=Decimal("1600.99")),
        sizes=(Size(id="1", stocks=(Stock(warehouse_id="0", quantity=Decimal("2.5")),)),),
    )
    document = offer_xml([product], style=Style(comma=True))
    assert b'gross="1563,6"' in document
    (parsed,) = iter_offer_products(document)
    mapped = _mapped(parsed)
    assert (mapped.price, mapped.discount_price, mapped.quantity) == (
        Decimal("1600.99"),
        Decimal("1563.60"),
        2,
    )


NO_PRICE = "product has no gross price"


# --- brand, removal, skips --------------------------------------------------------------------


def test_brand_from_the_producer_except_the_undefined_one() -> None:
    assert _mapped(_product(producer=Producer(id="5", name=" Acme "))).system_details == (
        SystemDetails(brand="Acme")
    )
    assert _mapped(_product(producer=Producer(id="0", name="* undefined"))).system_details is None
    assert _mapped(_product(producer=Producer(id="5", name=None))).system_details is None


def test_removed_product_is_deactivated_even_without_name_or_price() -> None:
    product = OfferProduct(id="997", removed=True)
    assert _mapped(product) == CatalogProduct(product_id="997", active=False, available=False)


def test_removed_product_keeps_its_data() -> None:
    removed = attrs.evolve(_stocked(Decimal(5)), removed=True)
    result = _mapped(removed)
    assert (result.active, result.available, result.name, result.quantity) == (
        False,
        False,
        "Kurtka",
        5,
    )


@pytest.mark.parametrize(
    ("product", "skip"),
    [
        (_product(id=" "), Skip("product (no id)", "product has no id")),
        (_product(names={"pol": "  "}), Skip("product 7", "product has no name")),
        (_product(names={}), Skip("product 7", "product has no name")),
        (_product(price=None), Skip("product 7", NO_PRICE)),
        (_product(price=Price(gross=Decimal(-1))), Skip("product 7", NO_PRICE)),
        (
            _product(currency="EUR"),
            Skip("product 7", "product currency EUR is not the catalog currency PLN"),
        ),
    ],
)
def test_products_that_cannot_be_sent_are_skipped(product: OfferProduct, skip: Skip) -> None:
    assert to_catalog_product(product, language="pol", currency="PLN") == skip


def test_same_currency_any_case_is_accepted() -> None:
    assert _mapped(_product(currency="pln"), currency="PLN").price == Decimal("100.00")


# --- properties -------------------------------------------------------------------------------

CONVERTER = make_salesmanago_converter(strict=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=PRODUCTS)
def test_any_product_maps_and_round_trips_the_strict_converter(product: OfferProduct) -> None:
    result = to_catalog_product(product, language="pol", category_tree=SLASHED, currency="PLN")
    if isinstance(result, Skip):
        assert result.reason
        return
    assert len(result.categories) <= 5
    assert len(result.image_urls) <= 5
    assert result.main_image_url not in result.image_urls
    assert result.quantity is None or result.quantity >= 0
    assert result.active is not product.removed
    assert product.removed or (result.main_category and result.name and result.price is not None)
    wire = CONVERTER.unstructure(result)
    assert wire["productId"] == product.id.strip()
    assert CONVERTER.structure(wire, CatalogProduct) == result


def test_a_product_id_longer_than_salesmanago_takes_is_a_skip_not_a_failed_batch() -> None:
    result = to_catalog_product(_product(id="9" * 33), language="pol")
    assert isinstance(result, Skip)
    assert result.reason == "product id longer than 32 characters (SALESmanago's limit)"
    assert isinstance(to_catalog_product(_product(id="9" * 32), language="pol"), CatalogProduct)


@pytest.mark.parametrize("url", ["http://", "https:///path", "http://[::1"])
def test_a_url_without_a_host_is_left_out(url: str) -> None:
    result = to_catalog_product(_product(card_url=url), language="pol")
    assert isinstance(result, CatalogProduct)
    assert result.product_url is None
