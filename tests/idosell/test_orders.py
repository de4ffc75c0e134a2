"""Orders: POST /orders/orders/search (``Results``) and GET /orders/statuses."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import responses

from salesmanago_idosell.errors import PageShapeError, ResponseValidationError, ValidationError
from salesmanago_idosell.idosell import (
    Address,
    IdosellClient,
    Order,
    OrderClient,
    OrderProduct,
    OrderSource,
    OrderStatus,
    OrderStatusDefinition,
    PickupPoint,
)

from .conftest import BASE, check_body, check_response, load, sent_body

URL = BASE + "/orders/orders/search"
PATH = "/orders/orders/search"
WARSAW = ZoneInfo("Europe/Warsaw")


def test_fixture_follows_the_spec() -> None:
    check_response(PATH, "post", load("orders_search.json"))


def test_order_fields(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))

    first, second = list(client.orders.iter())

    assert first == Order(
        id="sklep1-4711",
        serial_number=4711,
        added_at=datetime(2025, 11, 3, 12, 15, 42, tzinfo=WARSAW),
        changed_at=datetime(2025, 11, 5, 9, 0, tzinfo=WARSAW),
        status=OrderStatus.FINISHED,
        client=OrderClient(
            id=1024, login="jkowalski", email="jan.kowalski@example.pl", phone="+48601234567"
        ),
        billing_address=Address(
            first_name="Jan",
            last_name="Kowalski",
            street="ul. Marszałkowska 10/4",
            zip_code="00-590",
            city="Warszawa",
            country_code="pl",
            province="mazowieckie",
            phone="+48601234567",
        ),
        delivery_address=Address(
            first_name="Jan",
            last_name="Kowalski",
            street="ul. Puławska 2",
            zip_code="02-566",
            city="Warszawa",
            country_code="pl",
            phone="+48601234567",
        ),
        delivery_address_type="pickupPoint",
        pickup_point=PickupPoint(
            id="WAW123M", name="Paczkomat WAW123M", city="Warszawa", street="ul. Puławska 2"
        ),
        source=OrderSource(type="shop", shop_id=1),
        currency="PLN",
        total=Decimal("412.49"),
        payment_method="prepaid",
        delivery_method="InPost Paczkomaty",
        products=(
            OrderProduct(
                product_id=501,
                size_id="uniw",
                name="Kurtka zimowa",
                code="TR-501",
                quantity=Decimal(2),
                unit_price_gross=Decimal("199.0"),
            ),
        ),
    )
    assert second.total == Decimal("30.50")
    assert second.currency == "EUR"
    assert second.pickup_point is None
    assert second.source == OrderSource(type="pos", shop_id=2)
    assert second.stock_id == 3
    assert second.payment_method is None


def test_unknown_status_is_kept(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    status = list(client.orders.iter())[1].status
    assert status is not None
    assert status.value == "packed_in_a_new_way"
    assert not status.is_known
    assert OrderStatus.FINISHED.is_known


def test_golden_body_added_since(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    since = datetime(2025, 11, 1, tzinfo=timezone.utc)
    until = datetime(2025, 11, 30, 23, 59, 59)
    list(client.orders.iter(added_since=since, until=until, statuses=["finished", OrderStatus.NEW]))
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "ordersRange": {
                "ordersDateRange": {
                    "ordersDateType": "add",
                    "ordersDateBegin": "2025-11-01 01:00:00",
                    "ordersDateEnd": "2025-11-30 23:59:59",
                }
            },
            "ordersStatuses": ["finished", "new"],
            "resultsPage": 0,
            "resultsLimit": 100,
        }
    }
    check_body(PATH, "post", body)


def test_golden_body_modified_since(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    list(client.orders.iter(modified_since=datetime(2025, 11, 4, 8, 0)))
    body = sent_body(mocked.calls[0])
    assert body["params"]["ordersRange"] == {
        "ordersDateRange": {"ordersDateType": "modified", "ordersDateBegin": "2025-11-04 08:00:00"}
    }
    check_body(PATH, "post", body)


def test_until_a_day_includes_the_whole_day(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    list(client.orders.iter(until=date(2025, 11, 30)))
    body = sent_body(mocked.calls[0])
    assert body["params"]["ordersRange"] == {
        "ordersDateRange": {"ordersDateType": "add", "ordersDateEnd": "2025-11-30 23:59:59"}
    }
    check_body(PATH, "post", body)


def test_without_filters(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    list(client.orders.iter(limit=1))
    body = sent_body(mocked.calls[0])
    assert body == {"params": {"resultsPage": 0, "resultsLimit": 1}}
    check_body(PATH, "post", body)


def test_both_since_filters_rejected(client: IdosellClient) -> None:
    with pytest.raises(ValidationError):
        client.orders.iter(added_since=datetime(2025, 1, 1), modified_since=datetime(2025, 1, 1))


def test_empty_statuses_rejected(client: IdosellClient) -> None:
    with pytest.raises(ValidationError):
        client.orders.iter(statuses=[])


def test_lowercase_results_key_is_not_read(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    """Orders search puts rows under ``Results``; ``results`` must not be mistaken for them,
    and a page counting results without its rows list is not an empty page."""
    page = load("orders_search.json")
    page["results"] = page.pop("Results")
    mocked.post(URL, json=page)
    with pytest.raises(PageShapeError, match="no Results"):
        list(client.orders.iter())


def test_php_empty_objects_and_zero_dates(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    row = {
        "orderId": "sklep1-1",
        "orderSerialNumber": 1,
        "clientResult": {"clientAccount": [], "clientPickupPointAddress": []},
        "orderDetails": {
            "orderStatus": "new",
            "orderAddDate": "2025-01-01 00:00:00",
            "orderChangeDate": "0000-00-00 00:00:00",
            "orderDispatchDate": None,
            "payments": [],
            "productsResults": {"1": {"productId": 9, "sizeId": 1, "productOrderPrice": "10,5"}},
        },
    }
    mocked.post(URL, json={"Results": [row], "resultsNumberPage": 1})
    (order,) = client.orders.iter()
    assert order.client == OrderClient()
    assert order.pickup_point is None
    assert order.changed_at is None
    assert order.total == Decimal(0)
    assert order.products == (
        OrderProduct(product_id=9, size_id="1", unit_price_gross=Decimal("10.5")),
    )


def test_row_errors_are_logged_and_the_row_kept(
    client: IdosellClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    page = load("orders_search.json")
    page["Results"][0]["errors"] = [{"faultCode": 7, "faultString": "Brak danych płatności"}]
    mocked.post(URL, json=page)
    with caplog.at_level(logging.WARNING, logger="salesmanago_idosell"):
        orders = list(client.orders.iter())
    assert [o.serial_number for o in orders] == [4711, 4712]
    assert "faultCode 7 for order sklep1-4711" in caplog.text


def test_bad_row_is_a_response_error(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json={"Results": [{"orderId": "x", "orderSerialNumber": "abc"}]})
    with pytest.raises(ResponseValidationError) as info:
        list(client.orders.iter())
    assert info.value.endpoint == PATH


def test_statuses(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/orders/statuses", json=load("statuses.json"))
    assert client.orders.statuses() == [
        OrderStatusDefinition(id=1, name="Nowe", parent_id=None),
        OrderStatusDefinition(id=12, name="Nowe - czeka na telefon", parent_id=1),
    ]


def test_statuses_bad_shape(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/orders/statuses", json={"statuses": {"a": 1}})
    with pytest.raises(ResponseValidationError):
        client.orders.statuses()


def test_golden_body_client_ids(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("orders_search.json"))
    list(client.orders.iter(client_ids=[1024, 7, 1024]))
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "clients": [{"clientId": 7}, {"clientId": 1024}],
            "resultsPage": 0,
            "resultsLimit": 100,
        }
    }
    check_body(PATH, "post", body)


def test_empty_client_ids_rejected(client: IdosellClient) -> None:
    with pytest.raises(ValidationError, match="client_ids"):
        client.orders.iter(client_ids=[])
