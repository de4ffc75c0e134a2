"""The client: URLs, the API key, error shapes, retries, secret redaction."""

from __future__ import annotations

import logging

import pytest
import responses

from salesmanago_idosell.errors import (
    AuthenticationError,
    HTTPStatusError,
    IdosellAPIError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    ValidationError,
)
from salesmanago_idosell.idosell import IdosellClient, ServerLoad

from .conftest import API_KEY, BASE, SHOP

LOAD = BASE + "/system/serverLoad"


@pytest.mark.parametrize(
    ("shop_url", "base"),
    [
        ("sklep.example.pl", "https://sklep.example.pl/api/admin/v6"),
        ("https://sklep.example.pl/", "https://sklep.example.pl/api/admin/v6"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/admin/v6"),
    ],
)
def test_base_url(shop_url: str, base: str) -> None:
    assert IdosellClient(shop_url=shop_url, api_key="k").base_url == base


def test_api_version_is_configurable() -> None:
    shop = IdosellClient(shop_url="sklep.example.pl", api_key="k", api_version="v7")
    assert shop.base_url == "https://sklep.example.pl/api/admin/v7"


@pytest.mark.parametrize(
    ("shop_url", "api_key"), [("", "k"), ("ftp://sklep.example.pl", "k"), ("sklep.example.pl", "")]
)
def test_bad_settings_rejected(shop_url: str, api_key: str) -> None:
    with pytest.raises(ValidationError):
        IdosellClient(shop_url=shop_url, api_key=api_key)


def test_repr_hides_the_key(client: IdosellClient) -> None:
    apis = (client.customers, client.newsletter, client.orders, client.products, client.system)
    for text in [repr(client), *(repr(api) for api in apis), repr(client.categories)]:
        assert API_KEY not in text
        assert "sklep.example.pl" in text


def test_debug_log_never_shows_the_key(
    client: IdosellClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    mocked.get(LOAD, json={"serverLoadStatus": "normal"})
    with caplog.at_level(logging.DEBUG, logger="salesmanago_idosell"):
        client.system.server_load()
    assert caplog.records, "the transport logs requests at DEBUG"
    assert API_KEY not in caplog.text
    assert "X-API-KEY" in caplog.text


def test_sends_api_key_and_json(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LOAD, json={"serverLoadStatus": "overloaded"})
    assert client.system.server_load() is ServerLoad.OVERLOADED
    assert mocked.calls[0].request.url == "https://sklep.example.pl/api/admin/v6/system/serverLoad"
    assert mocked.calls[0].request.body is None
    headers = mocked.calls[0].request.headers
    assert headers["X-API-KEY"] == API_KEY
    assert headers["Accept"] == "application/json"


def test_401_uses_the_utf8_x_error_header(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    message = "Nieprawidłowy klucz API - dostęp zabroniony"
    # http.client decodes header bytes as Latin-1: that is what requests hands over.
    mangled = message.encode("utf-8").decode("latin-1")
    mocked.get(LOAD, status=401, headers={"x-error": mangled}, body="")
    with pytest.raises(AuthenticationError) as info:
        client.system.server_load()
    assert info.value.status_code == 401
    assert message in str(info.value)
    assert API_KEY not in str(info.value)


def test_403_names_the_missing_scope(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LOAD, status=403, headers={"x-error": "Access denied. Scope: system, level: r"})
    with pytest.raises(AuthenticationError, match="Scope: system, level: r"):
        client.system.server_load()


def test_401_with_a_fault_body(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LOAD, status=401, json={"errors": {"faultCode": 1, "faultString": "Brak klucza"}})
    with pytest.raises(AuthenticationError, match="Brak klucza"):
        client.system.server_load()


def test_422_with_fault_code(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    body = {"errors": {"faultCode": 3, "faultString": "Nie podano parametrów"}}
    mocked.get(LOAD, status=422, json=body)
    with pytest.raises(IdosellAPIError) as info:
        client.system.server_load()
    assert (info.value.status_code, info.value.fault_code) == (422, 3)


def test_422_without_fault_code(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LOAD, status=422, body="invalid data format")
    with pytest.raises(HTTPStatusError) as info:
        client.system.server_load()
    assert info.value.status_code == 422
    assert "invalid data format" in info.value.body_excerpt


def test_207_with_errors_raises(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    body = {"serverLoadStatus": "normal", "errors": {"faultCode": 1, "faultString": "Błąd"}}
    mocked.get(LOAD, status=207, json=body)
    with pytest.raises(IdosellAPIError) as info:
        client.system.server_load()
    assert (info.value.status_code, info.value.fault_code, info.value.endpoint) == (
        207,
        1,
        "/system/serverLoad",
    )


def test_207_with_fault_code_zero_is_fine(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    body = {"serverLoadStatus": "normal", "errors": {"faultCode": 0, "faultString": ""}}
    mocked.get(LOAD, status=207, json=body)
    assert client.system.server_load() is ServerLoad.NORMAL


def test_errors_as_a_list(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    body = {"errors": [{"faultCode": "5", "faultString": "Sklep zablokowany"}]}
    mocked.get(LOAD, json=body)
    with pytest.raises(IdosellAPIError) as info:
        client.system.server_load()
    assert info.value.fault_code == 5


def test_500_on_a_read_is_retried(
    client: IdosellClient, mocked: responses.RequestsMock, sleeps: list[float]
) -> None:
    mocked.get(LOAD, status=500, body="boom")
    mocked.get(LOAD, status=502, body="bad gateway")
    mocked.get(LOAD, json={"serverLoadStatus": "normal"})
    assert client.system.server_load() is ServerLoad.NORMAL
    assert len(mocked.calls) == 3
    assert len(sleeps) == 2


def test_429_is_retried_after_retry_after(
    client: IdosellClient, mocked: responses.RequestsMock, sleeps: list[float]
) -> None:
    mocked.post(BASE + "/orders/orders/search", status=429, headers={"Retry-After": "7"})
    mocked.post(BASE + "/orders/orders/search", json={"Results": [], "resultsNumberPage": 0})
    assert list(client.orders.iter()) == []
    assert sleeps == [7.0]


def test_5xx_on_a_search_is_retried(
    client: IdosellClient, mocked: responses.RequestsMock, sleeps: list[float]
) -> None:
    mocked.post(BASE + "/clients/crm/search", status=503, body="unavailable")
    mocked.post(BASE + "/clients/crm/search", json={"errors": {"faultCode": 2, "faultString": ""}})
    assert client.customers.search(login="jkowalski").first() is None
    assert len(mocked.calls) == 2
    assert len(sleeps) == 1


def test_persistent_500_raises_server_error(
    client: IdosellClient, mocked: responses.RequestsMock, sleeps: list[float]
) -> None:
    for _ in range(4):
        mocked.get(LOAD, status=500, body="boom")
    with pytest.raises(ServerError) as info:
        client.system.server_load()
    assert info.value.attempts == 4
    assert len(sleeps) == 3


def test_persistent_429_raises_rate_limit_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    for _ in range(4):
        mocked.get(LOAD, status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitError):
        client.system.server_load()


def test_non_json_success_is_a_response_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(LOAD, body="<html>maintenance</html>")
    with pytest.raises(ResponseValidationError):
        client.system.server_load()


def test_json_nested_too_deep_is_a_response_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    """Python's JSON parser raises RecursionError there: it escaped the SDK's errors."""
    mocked.get(LOAD, body="[" * 100_000 + "]" * 100_000)
    with pytest.raises(ResponseValidationError):
        client.system.server_load()


def test_unknown_server_load(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(LOAD, json={"serverLoadStatus": "melting"})
    with pytest.raises(ResponseValidationError):
        client.system.server_load()


def test_rate_limit_spaces_requests(mocked: responses.RequestsMock) -> None:
    sleeps: list[float] = []
    shop = IdosellClient(shop_url=SHOP, api_key=API_KEY, rate_limit=2, sleep=sleeps.append)
    mocked.get(LOAD, json={"serverLoadStatus": "normal"})
    mocked.get(LOAD, json={"serverLoadStatus": "normal"})
    shop.system.server_load()
    shop.system.server_load()
    assert len(sleeps) == 1
    assert 0 < sleeps[0] <= 0.5


def test_context_manager_closes(mocked: responses.RequestsMock) -> None:
    with IdosellClient(shop_url=SHOP, api_key=API_KEY) as shop:
        mocked.get(LOAD, json={"serverLoadStatus": "normal"})
        assert shop.system.server_load() is ServerLoad.NORMAL


def test_download_streams_and_keeps_the_export_token_out_of_logs(
    client: IdosellClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    url = SHOP + "/edi/export-offer.php?token=feed-export-secret"
    mocked.get(url, body=b"<offer/>" * 10)
    caplog.set_level(logging.DEBUG, logger="salesmanago_idosell")
    assert b"".join(client.download(url, chunk_size=7)) == b"<offer/>" * 10
    assert "feed-export-secret" not in caplog.text
    assert "export-offer.php" in caplog.text
    with pytest.raises(ValidationError):
        client.download("ftp://x")
