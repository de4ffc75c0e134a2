"""The IOF offer feed -> the SALESmanago product catalog, and the XML preview."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from salesmanago_idosell.testing import Faults
from tests.integration.support import make_integration, sandbox


def test_offer_fills_a_catalog_created_with_location_and_currency(tmp_path: Path) -> None:
    with sandbox(products=130) as box:
        full, categories = box.write_feeds(tmp_path)
        integration = make_integration(box)
        report = integration.sync_offer(full, categories=categories)
        assert report.ok
        (catalog,) = box.salesmanago.catalogs.values()
        assert (catalog.name, catalog.currency, catalog.location) == ("IdoSell", "PLN",
                                                                      "sandbox_shop")  # fmt: skip
        assert set(catalog.products) == {str(p.id) for p in box.shop.products}
        assert report.stream("offer").sent == 130
        assert box.salesmanago.count("POST /v3/product/upsert") == 2  # 100 + 30
        by_id = {str(p.id): p for p in box.shop.products}
        for product_id, stored in catalog.products.items():
            assert stored["name"] == by_id[product_id].name
        integration.sync_offer(full, categories=categories)
        assert len(box.salesmanago.catalogs) == 1  # found again, not created twice


def test_offer_from_the_shops_urls_and_category_names_with_a_slash() -> None:
    with sandbox(products=40) as box:
        report = make_integration(box).sync_offer(
            box.idosell.full_xml_url, categories=box.idosell.categories_xml_url
        )
        assert report.ok
        (catalog,) = box.salesmanago.catalogs.values()
        names = {c.name for c in box.shop.categories}
        for stored in catalog.products.values():
            assert set(stored["categories"]) <= names  # "Wiosna/Lato" kept whole
        assert report.requests["idosell"] == 2


def test_offer_dry_run_creates_nothing(tmp_path: Path) -> None:
    with sandbox(products=20) as box:
        full, _ = box.write_feeds(tmp_path)
        report = make_integration(box).sync_offer(full, dry_run=True)
        assert report.stream("offer").sent == 20
        assert box.salesmanago.catalogs == {}


def test_offer_preview_writes_the_first_products(tmp_path: Path) -> None:
    with sandbox(products=20) as box:
        full, categories = box.write_feeds(tmp_path)
        out = tmp_path / "preview.xml"
        result = make_integration(box).write_offer_preview(
            full, out, categories=categories, limit=3
        )
        assert result.written == 3
        root = ET.parse(out).getroot()  # noqa: S314 - our own output
        assert [p.findtext("productId") for p in root] == [str(p.id) for p in box.shop.products[:3]]


def test_offer_reports_unreadable_products_and_goes_on(tmp_path: Path) -> None:
    with sandbox(products=5) as box:
        full, categories = box.write_feeds(tmp_path)
        first = str(box.shop.products[0].id)
        full.write_bytes(re.sub(rb'vat="[^"]*"', b'vat="x"', full.read_bytes(), count=1))
        report = make_integration(box).sync_offer(full, categories=categories)
        stream = report.stream("offer")
        assert (stream.read, stream.sent) == (5, 4)
        assert stream.skipped == {"vat is not a number: 'x'": 1}
        (problem,) = [p for p in report.problems if p.stream == "offer"]
        assert problem.record.startswith(f"product {first} (line ")
        assert problem.kind == "skipped"


def test_offer_without_categories_xml_reads_the_tree_by_id_from_the_admin_api(
    tmp_path: Path,
) -> None:
    with sandbox(products=60) as box:
        full, _ = box.write_feeds(tmp_path)
        slashed = [
            p
            for p in box.shop.products
            if any("/" in n for n in box.shop.category_path(p.category_id))
        ]
        assert slashed  # products in categories such as "Wiosna/Lato"
        report = make_integration(box).sync_offer(full)
        assert report.ok
        assert box.idosell.count("GET /products/categories") >= 1
        (catalog,) = box.salesmanago.catalogs.values()
        for product in box.shop.products:
            stored = catalog.products[str(product.id)]
            assert stored["categories"] == list(box.shop.category_path(product.category_id))


def test_offer_splits_paths_only_when_no_tree_can_be_read(tmp_path: Path) -> None:
    faults = {"GET /products/categories": Faults(error_rate=1.0)}
    with sandbox(products=60, idosell_faults=faults) as box:
        full, _ = box.write_feeds(tmp_path)
        report = make_integration(box).sync_offer(full)
        assert report.ok
        [warning] = [p for p in report.problems if p.record == "categories"]
        assert warning.kind == "warning"
        (catalog,) = box.salesmanago.catalogs.values()
        product = next(
            p for p in box.shop.products if "/" in "".join(box.shop.category_path(p.category_id))
        )
        assert (
            catalog.products[str(product.id)]["categories"]
            == "/".join(box.shop.category_path(product.category_id)).split("/")[:5]
        )
