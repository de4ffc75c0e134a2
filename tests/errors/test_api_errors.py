"""Refused credentials, malformed error bodies and secrets quoted back by a server."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import responses

from salesmanago_idosell.errors import (
    AuthenticationError,
    HTTPStatusError,
    IdosellAPIError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    SalesmanagoV3APIError,
)
from salesmanago_idosell.idosell import IdosellClient
from salesmanago_idosell.salesmanago import CatalogProduct, ContactUpsert
from tests.salesmanago.support import API_KEY, API_SECRET, BASE, SHA, V3, V3_KEY, make_client

PRODUCT = CatalogProduct(product_id="1")
SHOP = "https://sklep.example.pl"
IDOSELL_KEY = "idosell-key-0123456789"
CLIENTS = f"{SHOP}/api/admin/v6/clients/clients/search"


def upsert() -> None:
    make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))


def v3_upsert() -> None:
    make_client().products.upsert("c-1", [PRODUCT])


def idosell() -> IdosellClient:
    return IdosellClient(shop_url=SHOP, api_key=IDOSELL_KEY, sleep=lambda _: None)


# -- refused credentials --------------------------------------------------------------


@responses.activate
@pytest.mark.parametrize("message", ["Not authenticated", "User not authenticated"])
def test_v2_not_authenticated_is_an_authentication_error(message: str) -> None:
    responses.post(f"{BASE}/contact/upsert", json={"success": False, "message": [message]})
    with pytest.raises(AuthenticationError) as info:
        upsert()
    assert info.value.status_code == 200
    assert info.value.body_excerpt == message
    assert len(responses.calls) == 1  # never retried


@responses.activate
@pytest.mark.parametrize("status", [401, 403])
def test_v2_401_403_are_authentication_errors(status: int) -> None:
    responses.post(f"{BASE}/contact/upsert", status=status, json={"message": "Forbidden"})
    with pytest.raises(AuthenticationError) as info:
        upsert()
    assert info.value.status_code == status


@responses.activate
@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"message": "Unauthorized"}),
        (403, {}),
        (400, {"reasonCode": 10, "messages": ["API-KEY|Authentication failed"]}),
        (400, {"problems": [{"reasonCode": 10, "message": "API-KEY|Authentication failed"}]}),
    ],
)
def test_v3_refused_key_is_an_authentication_error(status: int, body: dict[str, Any]) -> None:
    responses.post(f"{V3}/upsert", status=status, json=body)
    with pytest.raises(AuthenticationError) as info:
        v3_upsert()
    assert info.value.status_code == status


@responses.activate
@pytest.mark.parametrize("status", [401, 403])
def test_idosell_401_403_are_authentication_errors(status: int) -> None:
    responses.post(CLIENTS, status=status, headers={"x-error": "Invalid API key"}, json={})
    with pytest.raises(AuthenticationError) as info:
        idosell().call("POST", "/clients/clients/search", body={"params": {}})
    assert info.value.status_code == status
    assert "Invalid API key" in str(info.value)


# -- malformed error bodies -----------------------------------------------------------


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"problems": [{"reasonCode": None, "message": "name|max:256|too long"}]},
        {"problems": [{"reasonCode": "eleven", "message": None}]},
        {"problems": ["just a string"]},
        {"problems": {"reasonCode": 13, "message": "price|required"}},
        {"problems": "name too long"},
        {"reasonCode": 11, "messages": "one message as a string"},
        {"reasonCode": "x", "messages": 42},
        {"reasonCode": None, "messages": {"a": 1}, "problems": [{"message": "sku|bad"}]},
    ],
)
def test_malformed_v3_error_bodies_map_into_the_hierarchy(body: dict[str, Any]) -> None:
    responses.post(f"{V3}/upsert", status=400, json=body)
    with pytest.raises(SalesmanagoV3APIError) as info:
        v3_upsert()
    assert info.value.status_code == 400
    assert str(info.value)  # renders without raising


@responses.activate
def test_v3_null_reason_code_keeps_the_field_and_message() -> None:
    body = {"problems": [{"reasonCode": None, "message": "name|max:256|too long"}]}
    responses.post(f"{V3}/upsert", status=400, json=body)
    with pytest.raises(SalesmanagoV3APIError) as info:
        v3_upsert()
    assert info.value.fields == ("name",)
    assert info.value.problems[0].reason_code is None


@responses.activate
@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "one string"},
        {"success": False, "message": 17},
        {"success": False, "message": None},
        {"success": False, "message": [None, "x"]},
    ],
)
def test_malformed_v2_error_bodies_map_into_the_hierarchy(body: dict[str, Any]) -> None:
    responses.post(f"{BASE}/contact/upsert", json=body)
    with pytest.raises(SalesmanagoAPIError):
        upsert()


@responses.activate
def test_idosell_400_with_fault_code_is_an_idosell_api_error() -> None:
    fault = {"errors": {"faultCode": 2, "faultString": "Nieprawidłowy parametr"}}
    responses.post(CLIENTS, status=400, json=fault)
    with pytest.raises(IdosellAPIError) as info:
        idosell().call("POST", "/clients/clients/search", body={"params": {}})
    assert info.value.fault_code == 2
    assert info.value.fault_string == "Nieprawidłowy parametr"
    assert info.value.status_code == 400


@responses.activate
def test_idosell_400_without_fault_code_stays_an_http_error() -> None:
    responses.post(CLIENTS, status=400, body="Bad Request")
    with pytest.raises(HTTPStatusError) as info:
        idosell().call("POST", "/clients/clients/search", body={"params": {}})
    assert info.value.status_code == 400


# -- secrets quoted back by a server --------------------------------------------------

V2_SECRETS = (API_SECRET, API_KEY, SHA)


@responses.activate
@pytest.mark.parametrize("status", [200, 400, 500])
def test_a_v2_error_quoting_the_request_carries_no_secret(status: int) -> None:
    echo = f"bad request {{'apiKey': '{API_KEY}', 'sha': '{SHA}', 'secret': '{API_SECRET}'}}"
    responses.post(
        f"{BASE}/contact/upsert", status=status, json={"success": False, "message": [echo]}
    )
    with pytest.raises(SalesmanagoIdosellError) as info:
        upsert()
    for secret in V2_SECRETS:
        assert secret not in str(info.value)
        assert secret not in repr(vars(info.value))
    assert "***" in str(info.value)


@responses.activate
@pytest.mark.parametrize("status", [400, 401, 500])
def test_a_v3_error_quoting_the_key_carries_no_secret(status: int) -> None:
    body = {
        "reasonCode": 11,
        "messages": [f"API-KEY {V3_KEY} rejected"],
        "problems": [{"reasonCode": 11, "message": f"key|{V3_KEY}"}],
    }
    responses.post(f"{V3}/upsert", status=status, json=body)
    with pytest.raises(SalesmanagoIdosellError) as info:
        v3_upsert()
    assert V3_KEY not in str(info.value)
    assert V3_KEY not in repr(vars(info.value))


@responses.activate
def test_an_idosell_error_quoting_the_key_carries_no_secret() -> None:
    fault = {"errors": {"faultCode": 3, "faultString": f"bad key {IDOSELL_KEY}"}}
    responses.post(CLIENTS, status=400, json=fault)
    with pytest.raises(IdosellAPIError) as info:
        idosell().call("POST", "/clients/clients/search", body={"params": {}})
    assert IDOSELL_KEY not in str(info.value)
    assert IDOSELL_KEY not in info.value.fault_string


def test_feed_token_never_reaches_urllib3_logs(caplog: pytest.LogCaptureFixture) -> None:
    from salesmanago_idosell.testing import Sandbox

    caplog.set_level(logging.DEBUG)
    with Sandbox(seed=3, customers=2, orders=1, products=3) as sandbox:
        shop = IdosellClient(shop_url=sandbox.idosell.url, api_key=sandbox.idosell.api_key)
        url = f"{sandbox.idosell.url}/missing.xml?token=feed-token-123456"
        with pytest.raises(SalesmanagoIdosellError) as info:
            b"".join(shop.download(url))
        shop.close()
    urllib3_lines = [r for r in caplog.records if r.name.startswith("urllib3")]
    assert urllib3_lines, "urllib3 logged nothing: the test proves nothing"
    assert "feed-token-123456" not in caplog.text
    assert "feed-token-123456" not in str(info.value)
