"""The hot path's shortcuts build exactly what the public constructors build."""

from __future__ import annotations

from decimal import Decimal

import attrs
import pytest

from salesmanago_idosell.feeds import (
    OfferProduct,
    Price,
    Size,
    Stock,
    _convert,
    iter_offer_products,
)


@pytest.mark.parametrize(
    ("model", "order"),
    [(Size, _convert.SIZE_FIELDS), (OfferProduct, _convert.PRODUCT_FIELDS)],
)
def test_positional_makers_follow_the_model_fields(model: type, order: tuple[str, ...]) -> None:
    fields = attrs.fields(model)
    assert tuple(f.name for f in fields) == order
    # the makers skip __init__: only valid while nothing in it validates or converts
    assert all(f.validator is None and f.converter is None for f in fields)


def test_made_models_equal_constructed_ones() -> None:
    price = Price(gross=Decimal("1.5"), net=None)
    stocks = (Stock(warehouse_id="0", quantity=Decimal(2)),)
    made = _convert._new_size(
        "1", "XL", "c", "p", "e", Decimal(3), price, None, price, True, stocks
    )
    built = Size(
        id="1",
        name="XL",
        code="c",
        producer_code="p",
        external_code="e",
        weight=Decimal(3),
        price=price,
        srp=None,
        strikethrough_price=price,
        available=True,
        stocks=stocks,
    )
    assert made == built
    assert hash(made) == hash(built)
    assert repr(made) == repr(built)
    assert _convert._new_price(Decimal(1), None) == Price(gross=Decimal(1))
    values = [getattr(OfferProduct(id="7", names={"pol": "x"}), n) for n in _convert.PRODUCT_FIELDS]
    assert _convert._new_product(*values) == OfferProduct(id="7", names={"pol": "x"})


def test_a_bad_size_value_skips_its_product_after_the_size_is_built() -> None:
    data = (
        b'<offer file_format="IOF" version="3.0"><products>'
        b'<product id="1"><sizes><size id="a" weight="heavy"/></sizes></product>'
        b'<product id="2"><sizes><size id="b" weight="2"><price gross="1"/>'
        b'<price gross="9"/><stock id="0" quantity="1"/><stock id="1" quantity="-1"/>'
        b"</size></sizes></product></products></offer>"
    )
    skipped: list[object] = []
    (product,) = iter_offer_products(data, on_skip=skipped.append)
    assert [getattr(s, "reason", None) for s in skipped] == ["size weight is not a number: 'heavy'"]
    (size,) = product.sizes
    assert size.price == Price(gross=Decimal(1))  # the first of two wins
    assert [s.warehouse_id for s in size.stocks] == ["0", "1"]
