"""Auth fields, endpoint handling and secrecy of the SALESmanago client."""

from __future__ import annotations

import pytest
import responses

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.salesmanago import (
    ContactUpsert,
    Credentials,
    SalesmanagoClient,
    normalize_endpoint,
    sha_signature,
)
from salesmanago_idosell.salesmanago.auth import signed_body
from tests.salesmanago.support import (
    API_KEY,
    API_SECRET,
    AUTH,
    BASE,
    CLIENT_ID,
    NOW_MS,
    OWNER,
    SHA,
    V3_KEY,
    make_client,
    ok,
    sent,
)


def test_sha_is_sha1_of_key_client_secret() -> None:
    assert sha_signature(API_KEY, CLIENT_ID, API_SECRET) == SHA


def test_signed_body_puts_auth_and_owner_top_level() -> None:
    creds = Credentials(client_id=CLIENT_ID, api_secret=API_SECRET, owner=OWNER, api_key=API_KEY)
    body = signed_body(creds, {"email": "a@b.pl"}, request_time_ms=NOW_MS)
    assert body == {**AUTH, "email": "a@b.pl"}
    assert API_SECRET not in str(body.values())


@responses.activate
def test_every_call_carries_auth_with_integer_ms_request_time() -> None:
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c-1"))
    make_client().contacts.upsert(ContactUpsert(email="jan@example.pl"))
    body = sent()
    assert {k: body[k] for k in AUTH} == AUTH
    assert isinstance(body["requestTime"], int)
    raw = responses.calls[0].request.body or b""
    assert API_SECRET not in (raw.decode() if isinstance(raw, bytes) else raw)


def test_random_api_key_by_default() -> None:
    one = SalesmanagoClient(client_id="c", api_secret="s", owner="o@x.pl", endpoint="app1.x.pl")
    two = SalesmanagoClient(client_id="c", api_secret="s", owner="o@x.pl", endpoint="app1.x.pl")
    assert one.credentials.api_key != two.credentials.api_key
    assert one.credentials.sha == sha_signature(one.credentials.api_key, "c", "s")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("app2.salesmanago.pl", "https://app2.salesmanago.pl"),
        ("https://app2.salesmanago.pl", "https://app2.salesmanago.pl"),
        ("https://app3.salesmanago.com/", "https://app3.salesmanago.com"),
        ("https://www.salesmanago.pl/api", "https://www.salesmanago.pl"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
        (" app1.salesmanago.pl ", "https://app1.salesmanago.pl"),
    ],
)
def test_endpoint_forms(given: str, expected: str) -> None:
    assert normalize_endpoint(given) == expected


@pytest.mark.parametrize("bad", ["", "https://", "not a host"])
def test_bad_endpoint_is_a_validation_error(bad: str) -> None:
    with pytest.raises(ValidationError):
        normalize_endpoint(bad)


@responses.activate
def test_http_endpoint_kept_for_local_servers() -> None:
    responses.post("http://127.0.0.1:9999/api/contact/hasContact", json=ok(result=True))
    client = make_client(endpoint="http://127.0.0.1:9999")
    assert client.contacts.exists("jan@example.pl") is True


@pytest.mark.parametrize("field", ["client_id", "api_secret", "owner"])
def test_missing_credential_names_itself(field: str) -> None:
    with pytest.raises(ValidationError) as info:
        make_client(None, **{field: " "})
    assert info.value.field == field


def test_reprs_hold_no_secret() -> None:
    client = make_client()
    for text in (repr(client), repr(client.credentials)):
        for secret in (API_SECRET, API_KEY, SHA, V3_KEY):
            assert secret not in text
    assert CLIENT_ID in repr(client)


def test_context_manager_closes() -> None:
    with make_client() as client:
        assert client.endpoint == "https://app2.salesmanago.pl"
