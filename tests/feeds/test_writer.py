"""The streamed SALESmanago XML product file and the offer preview."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from salesmanago_idosell import FeedError
from salesmanago_idosell.feeds import (
    OfferProduct,
    PreviewResult,
    Price,
    iter_offer_products,
    preview_offer,
    render_product,
    to_catalog_product,
    write_salesmanago_xml,
)
from salesmanago_idosell.mapping import Skip
from salesmanago_idosell.salesmanago.catalog_models import (
    CatalogProduct,
    CustomDetails,
    SystemDetails,
)

from .iofxml import offer_xml
from .strategies import PRODUCTS

FULL = Path(__file__).parent / "fixtures" / "full.xml"


def _parse(data: bytes) -> list[ElementTree.Element]:
    """The ``<product>`` elements of a written file (trusted: our own output)."""
    root = ElementTree.fromstring(data)  # noqa: S314
    assert root.tag == "products"
    return list(root)


def _write(products: list[CatalogProduct], **options: int | None) -> bytes:
    out = io.BytesIO()
    assert write_salesmanago_xml(products, out, **options) == min(
        len(products), options.get("limit") or len(products)
    )
    return out.getvalue()


def _catalog(count: int) -> list[CatalogProduct]:
    return [CatalogProduct(product_id=str(n), name=f"P{n}") for n in range(count)]


def _sample() -> list[CatalogProduct]:
    mapped = [to_catalog_product(p, language="pol") for p in iter_offer_products(FULL)]
    return [m for m in mapped if isinstance(m, CatalogProduct)]


def test_sample_products_written_and_parsed_back() -> None:
    data = _write(_sample())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<products>\n')
    elements = _parse(data)
    assert [e.findtext("productId") for e in elements] == [
        "33", "34", "35", "41", "42", "44", "45", "47",
    ]  # fmt: skip
    second = elements[1]
    assert [child.tag for child in second] == [
        "productId", "name", "mainCategory", "categoryExternalId", "categories",
        "description", "productUrl", "mainImageUrl", "imageUrls", "available", "active",
        "quantity", "price", "discountPrice", "systemDetails",
    ]  # fmt: skip
    assert second.findtext("name") == "Przykładowy towar 34"
    assert [c.text for c in second.findall("categories/category")] == [
        "Kategoria testowa 1",
        "Podkategoria 3",
    ]
    assert len(second.findall("imageUrls/imageUrl")) == 5
    assert second.findtext("systemDetails/brand") == "H&M"
    assert (second.findtext("price"), second.findtext("discountPrice")) == ("56421.49", "6125.87")
    assert (second.findtext("available"), second.findtext("quantity")) == ("true", "911")
    assert b"<brand>H&amp;M</brand>" in data
    assert "Przykładowy".encode() in data  # UTF-8, not character references
    assert b"setAsNull" not in data


def test_escaping_polish_letters_and_markup_round_trip() -> None:
    name = 'Zażółć <gęślą> jaźń & "cudzysłów" ]]> koniec'
    description = "<p>Opis & <b>HTML</b> z ]]> w środku</p>"
    product = CatalogProduct(product_id="a&b<c", name=name, description=description)
    data = _write([product])
    (element,) = _parse(data)
    assert element.findtext("productId") == "a&b<c"
    assert element.findtext("name") == name
    assert element.findtext("description") == description
    assert b"<description><![CDATA[<p>Opis & <b>HTML</b> z ]]]]><![CDATA[>" in data


def test_plain_description_is_not_wrapped_in_cdata() -> None:
    data = _write([CatalogProduct(product_id="1", description="Opis krótki")])
    assert "<description>Opis krótki</description>".encode() in data


def test_carriage_returns_survive_and_illegal_characters_are_dropped() -> None:
    product = CatalogProduct(product_id="1", name="a\r\nb\x00c\x1f", description="<i>x</i>\r\ny")
    (element,) = _parse(_write([product]))
    assert element.findtext("name") == "a\r\nbc"
    assert element.findtext("description") == "<i>x</i>\r\ny"


def test_numbers_use_a_dot_and_no_exponent() -> None:
    product = CatalogProduct(
        product_id="1",
        price=Decimal("1E+3"),
        discount_price=Decimal("0.10"),
        quantity=0,
        available=False,
        active=False,
    )
    (element,) = _parse(_write([product]))
    assert [(c.tag, c.text) for c in element][1:] == [
        ("available", "false"),
        ("active", "false"),
        ("quantity", "0"),
        ("price", "1000"),
        ("discountPrice", "0.10"),
    ]


def test_nested_details_and_empty_fields() -> None:
    product = CatalogProduct(
        product_id="1",
        name="",
        categories=(),
        system_details=SystemDetails(brand="Acme", bestseller=True),
        custom_details=CustomDetails(detail2="x"),
        set_as_null=("discountPrice",),
    )
    assert render_product(product) == (
        "<product><productId>1</productId>"
        "<systemDetails><brand>Acme</brand><bestseller>true</bestseller></systemDetails>"
        "<customDetails><detail2>x</detail2></customDetails></product>\n"
    )


@pytest.mark.parametrize(("limit", "written"), [(None, 10), (3, 3), (0, 0), (-1, 0), (50, 10)])
def test_limit(limit: int | None, written: int) -> None:
    out = io.BytesIO()
    assert write_salesmanago_xml(_catalog(10), out, limit=limit) == written
    assert len(_parse(out.getvalue())) == written


def test_a_generator_is_consumed_lazily_and_written_as_it_goes() -> None:
    out = io.BytesIO()
    pulled: list[int] = []

    def products() -> Iterator[CatalogProduct]:
        for n in range(1000):
            # Everything pulled before this item is already in the file.
            assert out.getvalue().count(b"<product>") == len(pulled)
            pulled.append(n)
            yield CatalogProduct(product_id=str(n))

    assert write_salesmanago_xml(products(), out, limit=3) == 3
    assert pulled == [0, 1, 2]


def test_writes_to_a_path_and_leaves_file_objects_open(tmp_path: Path) -> None:
    target = tmp_path / "preview.xml"
    assert write_salesmanago_xml(_catalog(2), target) == 2
    assert len(_parse(target.read_bytes())) == 2
    assert write_salesmanago_xml(_catalog(1), str(target)) == 1
    assert len(_parse(target.read_bytes())) == 1
    with target.open("wb") as stream:
        write_salesmanago_xml(_catalog(1), stream)
        assert not stream.closed


# --- preview_offer ----------------------------------------------------------------------------


def test_preview_of_the_sample() -> None:
    out = io.BytesIO()
    assert preview_offer(FULL, out, language="pol") == PreviewResult(written=8)
    assert len(_parse(out.getvalue())) == 8


def test_preview_stops_reading_at_the_limit() -> None:
    data = FULL.read_bytes()
    chunks = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    read: list[bytes] = []

    def source() -> Iterator[bytes]:
        for chunk in chunks:
            read.append(chunk)
            yield chunk

    out = io.BytesIO()
    assert preview_offer(source(), out, language="eng", limit=1).written == 1
    assert len(read) < len(chunks) // 2
    (element,) = _parse(out.getvalue())
    assert element.findtext("name") == "Sample product 33"


def test_preview_reports_skips_and_does_not_count_them() -> None:
    good = OfferProduct(id="1", names={"pol": "Dobry"}, price=Price(gross=Decimal(5)))
    products = [
        OfferProduct(id="2", names={"pol": "Bez ceny"}),
        good,
        OfferProduct(id="3", price=Price(gross=Decimal(5))),
        OfferProduct(id="4", currency="EUR", names={"pol": "Euro"}, price=Price(gross=Decimal(1))),
        OfferProduct(id="5", names={"pol": "Piąty"}, price=Price(gross=Decimal(2))),
        OfferProduct(id="6", names={"pol": "Nieczytany"}, price=Price(gross=Decimal(2))),
    ]
    out = io.BytesIO()
    result = preview_offer(offer_xml(products), out, language="pol", limit=2, currency="PLN")
    assert result == PreviewResult(
        written=2,
        skipped=(
            Skip("product 2", "product has no gross price"),
            Skip("product 3", "product has no name"),
            Skip("product 4", "product currency EUR is not the catalog currency PLN"),
        ),
    )
    assert [e.findtext("productId") for e in _parse(out.getvalue())] == ["1", "5"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(product=PRODUCTS)
def test_any_mapped_product_is_written_as_well_formed_xml(product: OfferProduct) -> None:
    mapped = to_catalog_product(product, language="pol", html_description=True)
    if isinstance(mapped, Skip):
        assert mapped.reason
        return
    (element,) = _parse(_write([mapped]))
    assert element.findtext("productId") == mapped.product_id
    assert element.findtext("name") == mapped.name
    assert element.findtext("description") == mapped.description
    assert [c.text for c in element.findall("categories/category")] == list(mapped.categories)
    assert element.findtext("price") == (
        None if mapped.price is None else format(mapped.price, "f")
    )


# --- a broken feed (issue 13, item 8) ----------------------------------------------------------


def test_a_broken_feed_leaves_a_well_formed_preview_and_says_how_many(tmp_path: Path) -> None:
    good = OfferProduct(id="1", names={"pol": "Dobry"}, price=Price(gross=Decimal(5)))
    document = offer_xml([good, attrs.evolve(good, id="2")])
    truncated = document[: document.index(b'<product id="2"') + 40]
    out = tmp_path / "preview.xml"
    with pytest.raises(FeedError, match=r"the preview holds the 1 product\(s\)") as info:
        preview_offer(truncated, out, language="pol")
    assert info.value.line is not None
    assert [e.findtext("productId") for e in _parse(out.read_bytes())] == ["1"]


def test_the_writer_closes_the_document_when_the_products_raise() -> None:
    def products() -> Iterator[CatalogProduct]:
        yield from _catalog(2)
        raise RuntimeError("boom")

    out = io.BytesIO()
    with pytest.raises(RuntimeError):
        write_salesmanago_xml(products(), out)
    assert len(_parse(out.getvalue())) == 2


def test_unreadable_products_are_reported_by_the_preview() -> None:
    good = OfferProduct(id="1", names={"pol": "Dobry"}, price=Price(gross=Decimal(5)))
    document = offer_xml([good]).replace(
        b'<product id="1"', b'<product id="9" vat="abc"/><product id="1"'
    )
    result = preview_offer(document, io.BytesIO(), language="pol")
    assert result.written == 1
    assert [(s.record, s.reason) for s in result.skipped] == [
        ("product 9 (line 3)", "vat is not a number: 'abc'")
    ]


# --- a path target is replaced only by a usable preview --------------------------------------


def _previous(tmp_path: Path) -> tuple[Path, bytes]:
    out = tmp_path / "preview.xml"
    out.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n<products>\n</products>\n')
    out.chmod(0o640)
    return out, out.read_bytes()


def test_a_feed_unusable_from_the_start_leaves_the_previous_preview(tmp_path: Path) -> None:
    out, before = _previous(tmp_path)
    with pytest.raises(FeedError, match="nothing was written"):
        preview_offer(b"<!DOCTYPE html><html><body>503</body></html>", out, language="pol")
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["preview.xml"]  # no temporary file left


def test_a_preview_replaces_the_file_keeping_its_mode(tmp_path: Path) -> None:
    out, _ = _previous(tmp_path)
    good = OfferProduct(id="7", names={"pol": "Dobry"}, price=Price(gross=Decimal(5)))
    assert preview_offer(offer_xml([good]), out, language="pol").written == 1
    assert [e.findtext("productId") for e in _parse(out.read_bytes())] == ["7"]
    assert out.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "new.xml"
    preview_offer(offer_xml([good]), fresh, language="pol")
    assert fresh.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.xml", "preview.xml"]


def test_an_interrupted_write_leaves_the_previous_file(tmp_path: Path) -> None:
    out, before = _previous(tmp_path)

    def products() -> Iterator[CatalogProduct]:
        yield from _catalog(2)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_salesmanago_xml(products(), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["preview.xml"]


def test_a_preview_through_a_symlink_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    real, _ = _previous(tmp_path)
    link = tmp_path / "served.xml"
    link.symlink_to(real)
    good = OfferProduct(id="7", names={"pol": "Dobry"}, price=Price(gross=Decimal(5)))
    assert preview_offer(offer_xml([good]), link, language="pol").written == 1
    assert link.is_symlink()  # the link is kept, as opening the path for writing did
    assert [e.findtext("productId") for e in _parse(real.read_bytes())] == ["7"]
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["preview.xml", "served.xml"]


def test_a_target_that_cannot_be_replaced_leaves_no_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "preview.xml").mkdir()  # a directory where the file should go
    with pytest.raises(OSError, match="directory"):
        write_salesmanago_xml(_catalog(2), tmp_path / "preview.xml")
    assert [p.name for p in tmp_path.iterdir()] == ["preview.xml"]


def test_a_new_preview_file_gets_the_mode_opening_it_would_give(tmp_path: Path) -> None:
    previous = os.umask(0o077)  # a user who keeps new files private
    try:
        write_salesmanago_xml(_catalog(1), tmp_path / "new.xml")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.xml").stat().st_mode & 0o777 == 0o600


def test_a_directory_that_takes_no_new_file_gets_the_preview_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from salesmanago_idosell.feeds import writer

    def refused(target: Path) -> Any:
        raise PermissionError(13, "Permission denied", str(target.parent))

    monkeypatch.setattr(writer, "_beside", refused)
    out, _ = _previous(tmp_path)
    assert write_salesmanago_xml(_catalog(2), out) == 2
    assert len(_parse(out.read_bytes())) == 2
