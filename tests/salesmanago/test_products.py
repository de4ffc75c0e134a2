"""API v3 catalogs and products: header auth, golden bodies, chunking, reason codes."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
import responses

from salesmanago_idosell.errors import (
    APITimeoutError,
    AuthenticationError,
    SalesmanagoV3APIError,
    ValidationError,
)
from salesmanago_idosell.salesmanago import (
    CatalogProduct,
    CustomDetails,
    PriceUpdate,
    SystemDetails,
)
from tests.salesmanago.support import V3, V3_KEY, make_client, sent

PRODUCT = CatalogProduct(
    product_id="101",
    name="Trampki Łódź",
    main_category="Buty",
    categories=["Odzież", "Buty", "Trampki"],
    description="Wygodne",
    product_url="https://sklep.example.pl/product/101",
    main_image_url="https://sklep.example.pl/img/101.jpg",
    image_urls=["https://sklep.example.pl/img/101b.jpg"],
    available=True,
    active=True,
    quantity=5,
    price=Decimal("199.99"),
    discount_price=Decimal("149"),
    system_details=SystemDetails(brand="Marka", new_product=False),
    custom_details=CustomDetails(detail1="rozmiar 42"),
    set_as_null=["detail3"],
)
PRODUCT_WIRE = {
    "productId": "101",
    "name": "Trampki Łódź",
    "mainCategory": "Buty",
    "categories": ["Odzież", "Buty", "Trampki"],
    "description": "Wygodne",
    "productUrl": "https://sklep.example.pl/product/101",
    "mainImageUrl": "https://sklep.example.pl/img/101.jpg",
    "imageUrls": ["https://sklep.example.pl/img/101b.jpg"],
    "available": True,
    "active": True,
    "quantity": 5,
    "price": 199.99,
    "discountPrice": 149,
    "systemDetails": {"brand": "Marka", "newProduct": False},
    "customDetails": {"detail1": "rozmiar 42"},
    "setAsNull": ["detail3"],
}


@responses.activate
def test_catalog_list_sends_api_key_header_and_reads_both_name_forms() -> None:
    catalogs = [
        {"catalogId": "c-1", "name": "Sklep", "currency": "PLN", "location": "sklep_pl"},
        {"catalogId": "c-2", "catalogName": "Stary", "currency": "EUR", "setAsDefault": True},
    ]
    responses.get(f"{V3}/catalogList", json={"catalogs": catalogs, "limits": {"max": 5}})
    found = make_client().catalogs.list()
    assert responses.calls[0].request.headers["API-KEY"] == V3_KEY
    assert [(c.catalog_id, c.name, c.set_as_default) for c in found] == [
        ("c-1", "Sklep", False),
        ("c-2", "Stary", True),
    ]
    assert found[0].location == "sklep_pl"


@responses.activate
def test_catalog_upsert_golden_body_and_create_not_retried() -> None:
    responses.post(f"{V3}/catalogUpsert", json={"requestId": "r-1", "catalogId": "c-9"})
    result = make_client().catalogs.upsert(name=" Sklep ", currency="pln", location="sklep_pl")
    assert sent() == {"name": "Sklep", "currency": "PLN", "location": "sklep_pl",
                      "setAsDefault": False}  # fmt: skip
    assert (result.catalog_id, result.request_id) == ("c-9", "r-1")
    assert "clientId" not in sent()

    responses.replace(responses.POST, f"{V3}/catalogUpsert", body=requests.ReadTimeout("x"))
    with pytest.raises(APITimeoutError):
        make_client().catalogs.upsert(name="Sklep", currency="PLN", location="sklep_pl")
    assert len(responses.calls) == 2


@responses.activate
def test_catalog_update_is_retried() -> None:
    responses.post(f"{V3}/catalogUpsert", body=requests.ReadTimeout("x"))
    with pytest.raises(APITimeoutError):
        make_client().catalogs.upsert(
            name="Sklep", currency="PLN", location="l", catalog_id="c-9", set_as_default=True
        )
    assert len(responses.calls) == 3
    assert sent()["catalogId"] == "c-9"


def test_catalog_upsert_validates() -> None:
    catalogs = make_client().catalogs
    with pytest.raises(ValidationError):
        catalogs.upsert(name=" ", currency="PLN", location="l")
    with pytest.raises(ValidationError):
        catalogs.upsert(name="x", currency="złoty", location="l")


@responses.activate
def test_catalog_delete() -> None:
    responses.post(f"{V3}/catalogDelete", json={"requestId": "r", "catalogId": "c-1"})
    make_client().catalogs.delete("c-1")
    assert sent() == {"catalogId": "c-1"}


@responses.activate
def test_product_upsert_golden_body() -> None:
    responses.post(f"{V3}/upsert", json={"requestId": "r-1", "productIds": ["101"]})
    result = make_client().products.upsert("c-1", [PRODUCT])
    assert sent() == {"catalogId": "c-1", "products": [PRODUCT_WIRE]}
    assert result.product_ids == ("101",)
    assert result.request_ids == ("r-1",)
    assert result.warnings == ()


def _upsert_answer(request: object) -> tuple[int, dict[str, str], str]:
    products = json.loads(getattr(request, "body", b"") or b"{}")["products"]
    return 200, {}, json.dumps({"requestId": "r", "productIds": [p["productId"] for p in products]})


@responses.activate
def test_product_upsert_chunks_of_100() -> None:
    responses.add_callback(responses.POST, f"{V3}/upsert", _upsert_answer)
    products = [CatalogProduct(product_id=str(i), name=f"P{i}") for i in range(250)]
    result = make_client().products.upsert("c-1", products)
    assert [len(sent(i)["products"]) for i in range(3)] == [100, 100, 50]
    assert result.product_ids == tuple(str(i) for i in range(250))
    with pytest.raises(ValidationError):
        make_client().products.upsert("c-1", products, chunk_size=101)


@responses.activate
def test_reason_code_12_is_a_warning() -> None:
    trimmed = {"reasonCode": 12, "message": "description|max:2000|trimmed"}
    answer = {"requestId": "r-2", "productIds": ["101"], "problems": [trimmed]}
    responses.post(f"{V3}/upsert", json=answer)
    result = make_client().products.upsert("c-1", [PRODUCT])
    assert [(w.reason_code, w.field) for w in result.warnings] == [(12, "description")]


@responses.activate
def test_other_reason_codes_raise_naming_the_field() -> None:
    answer = {"problems": [{"reasonCode": 13, "message": "name|required"},
                           {"reasonCode": 12, "message": "description|trimmed"}]}  # fmt: skip
    responses.post(f"{V3}/upsert", status=400, json=answer)
    with pytest.raises(SalesmanagoV3APIError) as info:
        make_client().products.upsert("c-1", [PRODUCT])
    assert info.value.fields == ("name",)
    assert info.value.reason_code == 13
    assert info.value.status_code == 400
    assert "name" in str(info.value)


@responses.activate
def test_request_level_reason_code_raises() -> None:
    responses.post(f"{V3}/upsert", status=400,
                   json={"reasonCode": 19, "messages": ["Above available limit"]})  # fmt: skip
    with pytest.raises(SalesmanagoV3APIError) as info:
        make_client().products.upsert("c-1", [PRODUCT])
    assert info.value.reason_code == 19
    assert info.value.messages == ("Above available limit",)


@responses.activate
def test_wrong_type_message_field_parsed() -> None:
    wrong_type = {"reasonCode": 14, "message": "price:number|wrong"}
    responses.post(f"{V3}/upsert", status=400, json={"problems": [wrong_type]})
    with pytest.raises(SalesmanagoV3APIError) as info:
        make_client().products.upsert("c-1", [PRODUCT])
    assert info.value.fields == ("price",)


@responses.activate
def test_401_without_api_body_is_a_status_error() -> None:
    responses.get(f"{V3}/catalogList", status=401, body="Unauthorized")
    with pytest.raises(AuthenticationError):
        make_client().catalogs.list()


@responses.activate
def test_update_quantity_and_price_golden_bodies() -> None:
    responses.post(f"{V3}/updateQuantity", json={"requestId": "q"})
    responses.post(f"{V3}/updatePrice", json={"requestId": "p"})
    client = make_client()
    client.products.update_quantity("c-1", {"101": 3, "102": 0})
    client.products.update_price(
        "c-1", [PriceUpdate(product_id="101", price=Decimal("10.5"), discount_price=Decimal(9))]
    )
    assert sent(0) == {
        "catalogId": "c-1",
        "products": [{"productId": "101", "quantity": 3}, {"productId": "102", "quantity": 0}],
    }
    assert sent(1) == {
        "catalogId": "c-1",
        "products": [{"productId": "101", "price": 10.5, "discountPrice": 9}],
    }


def test_v3_without_key_is_a_validation_error() -> None:
    client = make_client(api_v3_key=None)
    with pytest.raises(ValidationError) as info:
        client.catalogs.list()
    assert info.value.field == "api_v3_key"


def test_products_without_id_are_refused() -> None:
    with pytest.raises(ValidationError):
        make_client().products.upsert("c-1", [CatalogProduct(product_id="")])
    with pytest.raises(ValidationError):
        make_client().products.upsert("", [PRODUCT])
