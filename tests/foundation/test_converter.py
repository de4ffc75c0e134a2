"""The shared cattrs converter: camelCase, empties dropped, Decimal/date hooks, strictness."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import attrs
import pytest
from cattrs.errors import ClassValidationError
from hypothesis import given
from hypothesis import strategies as st

from salesmanago_idosell._converter import (
    camel,
    decimal_from_wire,
    decimal_to_wire,
    is_empty,
    make_converter,
    register_renames,
)


@attrs.frozen
class Item:
    product_id: str
    unit_price: Decimal | None = None
    added_on: date | None = None
    changed_at: datetime | None = None
    tags: list[str] = attrs.Factory(list)
    active: bool = False


def test_camel() -> None:
    assert camel("product_id") == "productId"
    assert camel("detail_1") == "detail1"
    assert camel("type_") == "type"


def test_unstructure_camel_case_and_drops_empties_but_keeps_false() -> None:
    item = Item(product_id="P1", unit_price=Decimal("10.50"), tags=[])
    assert make_converter().unstructure(item) == {
        "productId": "P1",
        "unitPrice": 10.5,
        "active": False,
    }


def test_structure_with_hooks() -> None:
    wire = {"productId": "P1", "unitPrice": "12,30", "addedOn": "2026-01-02",
            "changedAt": "2026-01-02T10:00:00Z"}  # fmt: skip
    item = make_converter().structure(wire, Item)
    assert item.unit_price == Decimal("12.30")
    assert item.added_on == date(2026, 1, 2)
    assert item.changed_at == datetime(2026, 1, 2, 10, tzinfo=timezone.utc)


def test_lenient_ignores_unknown_keys_strict_forbids_them() -> None:
    wire = {"productId": "P1", "somethingNew": 1}
    assert make_converter().structure(wire, Item).product_id == "P1"
    with pytest.raises(ClassValidationError):
        make_converter(strict=True).structure(wire, Item)


def test_register_renames() -> None:
    converter = make_converter(strict=True)
    register_renames(converter, Item, product_id="id")
    assert converter.unstructure(Item(product_id="X")) == {"id": "X", "active": False}
    assert converter.structure({"id": "Y"}, Item).product_id == "Y"


def test_is_empty() -> None:
    empties: tuple[object, ...] = (None, "", [], {}, ())
    assert all(is_empty(v) for v in empties)
    assert not any(is_empty(v) for v in (False, 0, "x", [0]))


@pytest.mark.parametrize("wire", ["NaN", "sNaN", "Infinity", "-inf", float("nan"), float("inf")])
def test_decimal_from_wire_rejects_what_is_not_a_finite_number(wire: object) -> None:
    # Python's JSON parser reads NaN and Infinity; no amount, price or quantity is either
    with pytest.raises(ValueError, match="not a number"):
        decimal_from_wire(wire)


def test_decimal_from_wire_rejects_garbage() -> None:
    with pytest.raises(ValueError, match="not a number"):
        decimal_from_wire("abc")
    with pytest.raises(ValueError, match="not a number"):
        decimal_from_wire(True)


def test_decimal_to_wire_refuses_inexact_numbers() -> None:
    with pytest.raises(ValueError, match="exact"):
        decimal_to_wire(Decimal("0.12345678901234567890"))


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False))
def test_decimal_wire_round_trip(value: Decimal) -> None:
    assert decimal_from_wire(decimal_to_wire(value)) == value


@given(
    st.builds(
        Item,
        product_id=st.text(min_size=1),
        unit_price=st.none() | st.decimals(min_value=0, max_value=10**9, places=2),
        added_on=st.none() | st.dates(),
        tags=st.lists(st.text(min_size=1), max_size=3),
        active=st.booleans(),
    )
)
def test_model_round_trip(item: Item) -> None:
    converter = make_converter(strict=True)
    assert converter.structure(converter.unstructure(item), Item) == item
