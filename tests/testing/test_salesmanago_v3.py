"""The fake SALESmanago's API v3 catalogs and products over plain HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from salesmanago_idosell.testing import FakeSalesmanago

from .support import v3_call


def _catalog(sm: FakeSalesmanago, name: str = "Sklep PL") -> str:
    body = {"name": name, "currency": "PLN", "location": "sklep_pl", "setAsDefault": True}
    answer = v3_call(sm, "/v3/product/catalogUpsert", body)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["catalogId"])


def _product(product_id: str, **fields: Any) -> dict[str, Any]:
    return {"productId": product_id, "name": f"Kubek {product_id}", "price": 19.99,
            "productUrl": f"https://sklep.example.pl/p/{product_id}", **fields}  # fmt: skip


@pytest.mark.parametrize("key", ["", "wrong"])
def test_missing_or_wrong_api_key_is_reason_10(sm: FakeSalesmanago, key: str) -> None:
    answer = v3_call(sm, "/v3/product/catalogList", key=key)
    assert answer.status_code == 400
    assert answer.json()["reasonCode"] == 10
    assert isinstance(answer.json()["messages"], list)


def test_catalog_lifecycle(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    listed = v3_call(sm, "/v3/product/catalogList").json()
    assert listed["catalogs"] == [{"catalogId": catalog_id, "name": "Sklep PL", "currency": "PLN",
                                   "location": "sklep_pl", "setAsDefault": True}]  # fmt: skip
    assert listed["limits"] == {"max": sm.catalog_limit}
    renamed = {"catalogId": catalog_id, "name": "Nowa", "currency": "EUR", "location": "sklep_pl"}
    assert v3_call(sm, "/v3/product/catalogUpsert", renamed).json()["catalogId"] == catalog_id
    assert sm.catalogs[catalog_id].currency == "EUR"
    assert v3_call(sm, "/v3/product/catalogDelete", {"catalogId": catalog_id}).status_code == 200
    assert sm.catalogs == {}
    gone = v3_call(sm, "/v3/product/catalogDelete", {"catalogId": catalog_id})
    assert (gone.status_code, gone.json()["reasonCode"]) == (400, 16)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"currency": "PLN", "location": "x_1"}, 13),
        ({"name": "A", "currency": "zł", "location": "x_1"}, 18),
        ({"name": "A", "currency": "PLN", "location": "bad location!"}, 18),
        ({"name": "A" * 256, "currency": "PLN", "location": "x_1"}, 11),
    ],
)
def test_catalog_field_rules(sm: FakeSalesmanago, body: dict[str, Any], reason: int) -> None:
    answer = v3_call(sm, "/v3/product/catalogUpsert", body)
    assert (answer.status_code, answer.json()["reasonCode"]) == (400, reason)
    assert sm.catalogs == {}


def test_catalog_limit_is_reason_19(sm: FakeSalesmanago) -> None:
    sm.catalog_limit = 1
    _catalog(sm)
    body = {"name": "Drugi", "currency": "PLN", "location": "drugi"}
    assert v3_call(sm, "/v3/product/catalogUpsert", body).json()["reasonCode"] == 19


def test_product_upsert_stores_products(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    products = [_product(str(i)) for i in range(100)]
    answer = v3_call(sm, "/v3/product/upsert", {"catalogId": catalog_id, "products": products})
    assert answer.status_code == 200
    assert answer.json()["productIds"] == [str(i) for i in range(100)]
    assert sm.catalogs[catalog_id].products["7"]["name"] == "Kubek 7"


def test_more_than_100_products_is_refused(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    products = [_product(str(i)) for i in range(101)]
    answer = v3_call(sm, "/v3/product/upsert", {"catalogId": catalog_id, "products": products})
    assert (answer.status_code, answer.json()["reasonCode"]) == (400, 19)
    assert sm.catalogs[catalog_id].products == {}


def test_product_problems_name_the_field(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    products = [_product("x" * 33), {"name": "no id"}, _product("3", price="10"),
                _product("4", mainImageUrl="not a url")]  # fmt: skip
    answer = v3_call(sm, "/v3/product/upsert", {"catalogId": catalog_id, "products": products})
    assert answer.status_code == 400
    problems = answer.json()["problems"]
    assert [p["reasonCode"] for p in problems] == [11, 13, 14, 18]
    assert problems[0]["message"].startswith("products[0].productId|")
    assert sm.catalogs[catalog_id].products == {}


def test_long_name_is_trimmed_with_warning_12(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    body = {"catalogId": catalog_id, "products": [_product("1", name="N" * 300)]}
    answer = v3_call(sm, "/v3/product/upsert", body)
    assert answer.status_code == 200
    assert answer.json()["problems"][0]["reasonCode"] == 12
    assert len(sm.catalogs[catalog_id].products["1"]["name"]) == 255


def test_unknown_catalog_is_reason_16(sm: FakeSalesmanago) -> None:
    answer = v3_call(sm, "/v3/product/upsert", {"catalogId": "nope", "products": [_product("1")]})
    assert answer.json()["reasonCode"] == 16


def test_update_quantity_and_price(sm: FakeSalesmanago) -> None:
    catalog_id = _catalog(sm)
    v3_call(sm, "/v3/product/upsert", {"catalogId": catalog_id, "products": [_product("1")]})
    quantity = {"catalogId": catalog_id, "products": [{"productId": "1", "quantity": 5}]}
    assert v3_call(sm, "/v3/product/updateQuantity", quantity).status_code == 200
    price = {"catalogId": catalog_id,
             "products": [{"productId": "1", "price": 9.5, "discountPrice": 7.0}]}  # fmt: skip
    assert v3_call(sm, "/v3/product/updatePrice", price).status_code == 200
    stored = sm.catalogs[catalog_id].products["1"]
    assert (stored["quantity"], stored["price"], stored["discountPrice"]) == (5, 9.5, 7.0)
    unknown = {"catalogId": catalog_id, "products": [{"productId": "2", "quantity": 1}]}
    answer = v3_call(sm, "/v3/product/updateQuantity", unknown)
    assert answer.json()["problems"][0]["reasonCode"] == 16
