"""The fake IdoSell's gates over plain HTTP: auth, paging, casing, filters, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests

from salesmanago_idosell.testing import FakeIdoSell

from .support import API, TIMEOUT, ido_get, ido_post


def _all_pages(fake: FakeIdoSell, limit: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 0
    while True:
        body = ido_get(
            fake, "/clients/clients", {"resultsPage": page, "resultsLimit": limit}
        ).json()
        rows += body["results"]
        if page + 1 >= body["resultsNumberPage"]:
            return rows
        page += 1


@pytest.mark.parametrize("headers", [{}, {"X-API-KEY": "wrong"}])
def test_missing_or_wrong_key_is_refused_with_401(
    idosell: FakeIdoSell, headers: dict[str, str]
) -> None:
    answer = requests.get(idosell.url + API + "/clients/clients", headers=headers, timeout=TIMEOUT)
    assert answer.status_code == 401
    assert "X-API-KEY" in answer.headers["x-error"]


def test_any_api_version_prefix_is_served(idosell: FakeIdoSell) -> None:
    url = idosell.url + "/api/admin/v7/system/serverLoad"
    answer = requests.get(url, headers={"X-API-KEY": idosell.api_key}, timeout=TIMEOUT)
    assert answer.json() == {"serverLoadStatus": "normal"}
    idosell.server_load = "overloaded"
    assert ido_get(idosell, "/system/serverLoad").json()["serverLoadStatus"] == "overloaded"


def test_clients_paging_meta_and_every_customer_once(idosell: FakeIdoSell) -> None:
    body = ido_get(idosell, "/clients/clients", {"resultsPage": 2, "resultsLimit": 10}).json()
    assert (body["resultsNumberAll"], body["resultsNumberPage"]) == (25, 3)
    assert (body["resultsPage"], body["resultsLimit"]) == (2, 10)
    assert len(body["results"]) == 5
    ids = [row["clientId"] for row in _all_pages(idosell, 7)]
    assert sorted(ids) == sorted(c.id for c in idosell.shop.customers)


@pytest.mark.parametrize("limit", [0, 101, "x"])
def test_clients_limit_out_of_range_is_rejected(idosell: FakeIdoSell, limit: object) -> None:
    answer = ido_get(idosell, "/clients/clients", {"resultsLimit": limit})
    assert answer.status_code == 422
    assert answer.json()["errors"]["faultCode"] == 1


def test_page_past_the_end_is_an_empty_result(idosell: FakeIdoSell) -> None:
    answer = ido_get(idosell, "/clients/clients", {"resultsPage": 1, "resultsLimit": 100})
    assert answer.status_code == idosell.empty_result_status
    assert answer.json()["errors"] == {"faultCode": 2, "faultString": "Empty result"}
    assert answer.json()["results"] == []


def test_clients_row_shape(idosell: FakeIdoSell) -> None:
    row = ido_get(idosell, "/clients/clients", {"clientsIds": "3"}).json()["results"][0]
    customer = idosell.shop.customer(3)
    assert row["clientEmail"] == customer.email
    assert row["clientBillingAddress"]["clientLastName"] == customer.last_name
    assert row["isUnregistered"] == "n"
    consent = row["newsletterEmailApprovalsData"]
    assert bool(consent) == (customer.newsletter_since is not None)


def test_clients_filters_ids_dates_and_shop(idosell: FakeIdoSell) -> None:
    ids = ido_get(idosell, "/clients/clients", {"clientsIds": "1,2,99"}).json()["results"]
    assert [r["clientId"] for r in ids] == [1, 2]
    since = sorted(c.modified for c in idosell.shop.customers)[20]
    params = {"clientsLastModificationDate[clientsLastModificationDateBegin]": str(since)}
    modified = ido_get(idosell, "/clients/clients", params).json()["results"]
    assert {r["clientId"] for r in modified} == {
        c.id for c in idosell.shop.customers if c.modified >= since
    }
    day = idosell.shop.customers[0].registered.date().isoformat()
    params = {
        "clientRegistrationDate[clientRegistrationDateBegin]": day,
        "clientRegistrationDate[clientRegistrationDateEnd]": day,
    }
    assert 1 in {
        r["clientId"] for r in ido_get(idosell, "/clients/clients", params).json()["results"]
    }
    assert ido_get(idosell, "/clients/clients", {"shopId": "2"}).json()["errors"]["faultCode"] == 2


def test_bad_date_filter_is_422(idosell: FakeIdoSell) -> None:
    params = {"clientsLastModificationDate[clientsLastModificationDateBegin]": "yesterday"}
    assert ido_get(idosell, "/clients/clients", params).status_code == 422


def test_post_gates_need_params_wrapping(idosell: FakeIdoSell) -> None:
    url = idosell.url + API + "/clients/crm/search"
    headers = {"X-API-KEY": idosell.api_key}
    answer = requests.post(url, json={"clientEmail": "x"}, headers=headers, timeout=TIMEOUT)
    assert answer.json()["errors"]["faultCode"] == 3
    broken = requests.post(url, data=b"{nope", headers=headers, timeout=TIMEOUT)
    assert broken.status_code == 422


def test_crm_search_by_email_and_consent(idosell: FakeIdoSell) -> None:
    customer = idosell.shop.customers[4]
    exact = {"clientEmail": customer.email, "settingsExactSearch": True}
    body = ido_post(idosell, "/clients/crm/search", exact).json()
    assert [r["clientId"] for r in body["clientsResults"]] == [customer.id]
    assert body["clientsResults"][0]["clientType"].startswith(("person", "firm"))
    approvals = [{"inNewsletterEmailApproval": "y", "shopId": 1}]
    rows = ido_post(idosell, "/clients/crm/search", {"newsletterEmailApprovalsData": approvals})
    consenting = {c.id for c in idosell.shop.customers if c.newsletter_since}
    assert {r["clientId"] for r in rows.json()["clientsResults"]} == consenting


def test_clients_put_sets_newsletter_approval(idosell: FakeIdoSell) -> None:
    customer = next(c for c in idosell.shop.customers if c.newsletter_since is None)
    item = {"clientLogin": customer.login, "newsletterEmailApproval": True}
    answer = ido_post(idosell, "/clients/clients", {"clients": [item]}, method="PUT")
    assert answer.status_code == 200
    assert answer.json()["results"][0]["clientsResult"]["clientId"] == customer.id
    assert customer.newsletter_since is not None
    unknown = {"clientLogin": "nobody-here", "newsletterEmailApproval": False}
    failed = ido_post(idosell, "/clients/clients", {"clients": [unknown]}, method="PUT")
    assert failed.status_code == 207
    assert failed.json()["results"][0]["resultStatus"] is False


def test_newsletter_search_is_snake_case_and_filters_registered(idosell: FakeIdoSell) -> None:
    shops = [{"shop_id": 1, "registered": "n"}]
    body = ido_post(idosell, "/clients/newsletter/email/search", {"shops": shops}).json()
    assert {"results_number_all", "results_number_page", "results_page", "results_limit"} <= set(
        body
    )
    assert {row["email"] for row in body["clients"]} == {s.email for s in idosell.shop.subscribers}
    assert all(row["registered"] == "n" for row in body["clients"])
    paged = ido_post(idosell, "/clients/newsletter/email/search", {"results_limit": 2}).json()
    assert paged["results_limit"] == 2
    assert len(paged["clients"]) == 2


def test_newsletter_shops_can_use_the_keyed_object_shape(idosell: FakeIdoSell) -> None:
    idosell.keyed_newsletter_shops = True
    body = ido_post(idosell, "/clients/newsletter/email/search", {"results_limit": 1}).json()
    assert set(body["clients"][0]["shops"]) == {"1"}


@pytest.mark.parametrize("status", [200, 404])
def test_empty_result_status_is_configurable(idosell: FakeIdoSell, status: int) -> None:
    idosell.empty_result_status = status
    answer = ido_post(idosell, "/orders/orders/search", {"ordersStatuses": ["no-such-status"]})
    assert answer.status_code == status
    assert answer.json()["errors"]["faultCode"] == 2


def test_newsletter_date_window(idosell: FakeIdoSell) -> None:
    window = {"from": "2000-01-01 00:00:00", "to": "2000-01-02 00:00:00"}
    body = ido_post(idosell, "/clients/newsletter/email/search", {"date": window}).json()
    assert body["errors"]["faultCode"] == 2


def test_orders_search_results_capital_r_and_filters(idosell: FakeIdoSell) -> None:
    body = ido_post(idosell, "/orders/orders/search", {"resultsLimit": 5}).json()
    assert len(body["Results"]) == 5
    assert "results" not in body
    canceled = ido_post(idosell, "/orders/orders/search", {"ordersStatuses": ["canceled"]}).json()
    expected = {o.serial for o in idosell.shop.orders if o.status == "canceled"}
    got = {r["orderSerialNumber"] for r in canceled.get("Results", [])}
    assert got == expected
    first = idosell.shop.orders[0].added
    window = {"ordersDateType": "add", "ordersDateBegin": "2000-01-01 00:00:00",
              "ordersDateEnd": str(first)}  # fmt: skip
    dated = ido_post(idosell, "/orders/orders/search", {"ordersRange": {"ordersDateRange": window}})
    assert [r["orderSerialNumber"] for r in dated.json()["Results"]] == [1]


def test_order_row_has_lines_costs_and_pickup_points(idosell: FakeIdoSell) -> None:
    rows = ido_post(idosell, "/orders/orders/search", {"resultsLimit": 100}).json()["Results"]
    for row, order in zip(rows, sorted(idosell.shop.orders, key=lambda o: o.serial), strict=True):
        lines = row["orderDetails"]["productsResults"]
        assert 1 <= len(lines) <= 5
        assert row["orderDetails"]["orderStatus"] == order.status
        kind = row["clientResult"]["clientDeliveryAddress"]["clientDeliveryAddressType"]
        assert (kind == "pickupPoint") == ("clientPickupPointAddress" in row["clientResult"])


def test_order_statuses_gate(idosell: FakeIdoSell) -> None:
    statuses = ido_get(idosell, "/orders/statuses").json()["statuses"]
    assert {"finished", "canceled"} <= {s["panelName"] for s in statuses}


def test_products_by_ids_and_search(idosell: FakeIdoSell) -> None:
    wanted = [p.id for p in idosell.shop.products[:3]]
    body = ido_get(idosell, "/products/products", {"productIds": ",".join(map(str, wanted))})
    assert [r["productId"] for r in body.json()["results"]] == wanted
    too_many = ",".join(str(i) for i in range(1, 102))
    assert ido_get(idosell, "/products/products", {"productIds": too_many}).status_code == 422
    params = {"productParams": [{"productId": wanted[1]}]}
    found = ido_post(idosell, "/products/products/search", params).json()["results"]
    assert found[0]["categoryId"] == idosell.shop.products[1].category_id


def test_categories_snake_case_paging_and_languages(idosell: FakeIdoSell) -> None:
    params = {"results_page": 0, "results_limit": 5, "languages": "pol"}
    body = ido_get(idosell, "/products/categories", params).json()
    assert body["results_number_all"] == len(idosell.shop.categories)
    assert len(body["categories"]) == 5
    assert all(len(c["lang_data"]) == 1 for c in body["categories"])
    top = [c for c in body["categories"] if c["parent_id"] == 0]
    assert top, "top-level categories carry parent_id 0"


def test_changes_from_python_show_up_in_incremental_queries(idosell: FakeIdoSell) -> None:
    later = datetime(2030, 1, 2, 3, 4, 5)
    idosell.update_customer(2, city="Gdynia", modified=later)
    params = {"clientsLastModificationDate[clientsLastModificationDateBegin]": "2030-01-01"}
    rows = ido_get(idosell, "/clients/clients", params).json()["results"]
    assert [(r["clientId"], r["clientBillingAddress"]["clientCity"]) for r in rows] == [
        (2, "Gdynia")
    ]
    order = idosell.add_order(2, [(idosell.shop.products[0].id, 2)], added=later)
    window = {"ordersDateType": "add", "ordersDateBegin": "2030-01-01 00:00:00"}
    found = ido_post(idosell, "/orders/orders/search", {"ordersRange": {"ordersDateRange": window}})
    assert [r["orderSerialNumber"] for r in found.json()["Results"]] == [order.serial]
    idosell.update_order(order.serial, status="canceled", modified=later)
    assert order.status == "canceled"
    with pytest.raises(AttributeError):
        idosell.update_customer(2, shoe_size=44)


def test_feeds_are_served_for_the_same_shop(idosell: FakeIdoSell) -> None:
    full = requests.get(idosell.full_xml_url, timeout=TIMEOUT)
    assert full.headers["Content-Type"].startswith("application/xml")
    assert f'<product id="{idosell.shop.products[0].id}"' in full.text
    categories = requests.get(idosell.categories_xml_url, timeout=TIMEOUT)
    assert "<categories" in categories.text


_SHOP_FILTERS: list[tuple[str, Callable[[int], dict[str, Any]], str]] = [
    ("/orders/orders/search", lambda shop: {"orderSource": {"shopsIds": [shop]}}, "Results"),
    ("/clients/crm/search", lambda shop: {"searchByShops": {"shopsIds": [shop]}}, "clientsResults"),
    ("/clients/newsletter/email/search", lambda shop: {"shops": [{"shop_id": shop}]}, "clients"),
]


@pytest.mark.parametrize(("gate", "params", "key"), _SHOP_FILTERS)
@pytest.mark.parametrize("shop_id", [1, 2])
def test_shop_filters(
    idosell: FakeIdoSell,
    gate: str,
    params: Callable[[int], dict[str, Any]],
    key: str,
    shop_id: int,
) -> None:
    body = ido_post(idosell, gate, params(shop_id)).json()
    assert bool(body[key]) == (shop_id == 1), "all generated data lives in shop 1"


def test_newsletter_registered_y_lists_customers_with_a_newsletter_record(
    idosell: FakeIdoSell,
) -> None:
    shops = [{"shop_id": 1, "registered": "y", "approval": "y"}]
    rows = ido_post(idosell, "/clients/newsletter/email/search", {"shops": shops}).json()
    expected = {c.id for c in idosell.shop.customers if c.newsletter_since}
    assert {r["client_number"] for r in rows["clients"]} == expected
