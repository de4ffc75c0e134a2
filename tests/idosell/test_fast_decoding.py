"""The generated fast decoders give exactly what the detailed converter gives, and are used."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from salesmanago_idosell import IdosellClient
from salesmanago_idosell.idosell._order_records import OrderRecord
from salesmanago_idosell.idosell.catalog import _CategoryRecord, _ProductRecord
from salesmanago_idosell.idosell.customers import _ClientRecord, _CrmRecord
from salesmanago_idosell.idosell.newsletter import _SubscriberRecord
from salesmanago_idosell.testing import _idosell_wire as wire
from salesmanago_idosell.testing import generate_shop

SHOP = generate_shop(7, customers=60, orders=60, subscribers=10, products=30)


def _rows() -> list[tuple[type[Any], dict[str, Any]]]:
    rows: list[tuple[type[Any], dict[str, Any]]] = []
    rows += [(_ClientRecord, wire.client_row(c, SHOP)) for c in SHOP.customers]
    rows += [(_CrmRecord, wire.crm_row(c, SHOP)) for c in SHOP.customers[:10]]
    rows += [(OrderRecord, wire.order_row(o, SHOP)) for o in SHOP.orders]
    rows += [(_SubscriberRecord, wire.newsletter_row(s)) for s in SHOP.subscribers]
    rows += [(_ProductRecord, wire.product_row(p, SHOP)) for p in SHOP.products]
    rows += [(_CategoryRecord, wire.category_row(c, SHOP)) for c in SHOP.categories]
    return rows


def _quirky(cls: type[Any], row: dict[str, Any]) -> dict[str, Any]:
    """The same row with the wire's quirks: nulls, [] for objects, lists keyed by id."""
    row = copy.deepcopy(row)
    for key, value in list(row.items()):
        if isinstance(value, dict) and not value:
            row[key] = []
        elif isinstance(value, str) and not value:
            row[key] = None
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            row[key] = {str(n + 1): v for n, v in enumerate(value)}
    return row


@pytest.mark.parametrize("strict", [False, True])
def test_fast_and_detailed_decoders_agree(strict: bool) -> None:
    client = IdosellClient(shop_url="shop.example.pl", api_key="k", strict=strict)
    for cls, row in _rows():
        for variant in (row, _quirky(cls, row)):
            try:
                expected = client.converter.structure(variant, cls)
            except Exception:
                with pytest.raises(Exception):  # noqa: B017, PT011
                    client._fast.structure(variant, cls)
                continue
            assert client._fast.structure(variant, cls) == expected, cls.__name__


def test_valid_rows_never_need_the_detailed_decoder() -> None:
    client = IdosellClient(shop_url="shop.example.pl", api_key="k")

    class Refusing:
        def structure(self, *_: Any) -> Any:
            raise AssertionError("the detailed converter was asked")

    client.converter = Refusing()  # type: ignore[assignment]
    for cls, row in _rows():
        client.structure(row, cls, endpoint="/test")


def test_a_bad_row_is_still_explained_field_by_field() -> None:
    client = IdosellClient(shop_url="shop.example.pl", api_key="k")
    row = wire.client_row(SHOP.customers[0], SHOP)
    row["clientId"] = "not a number"
    with pytest.raises(Exception, match=r"clientId|client_id"):
        client.structure(row, _ClientRecord, endpoint="/clients/clients")
