"""Construction, callback URLs, ``repr`` and logs: the token stays secret."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import responses

from salesmanago_idosell.callbacks import (
    CallbackKind,
    CallbackResult,
    Callbacks,
    callback_url,
    check_token,
)
from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.idosell import IdosellClient

from .conftest import CLIENTS_URL, EMAIL, PUT_OK, SEARCH_URL, TOKEN, crm_page, crm_row


def test_golden_urls(callbacks: Callbacks) -> None:
    assert callbacks.opt_in_url("https://sklep.example.pl") == (
        "https://sklep.example.pl/salesmanago/opt-in?email=$email$&token=Tok-9_zZ"
    )
    assert callbacks.opt_out_url("https://sklep.example.pl/") == (
        "https://sklep.example.pl/salesmanago/opt-out?email=$email$&token=Tok-9_zZ"
    )
    assert callbacks.url("opt-out", " http://127.0.0.1:8080/hooks/ ") == (
        "http://127.0.0.1:8080/hooks/salesmanago/opt-out?email=$email$&token=Tok-9_zZ"
    )


def test_pure_url_builder_needs_no_client() -> None:
    assert callback_url(CallbackKind.OPT_IN, base_url="https://a.pl", token="T_1") == (
        "https://a.pl/salesmanago/opt-in?email=$email$&token=T_1"
    )
    with pytest.raises(ValidationError) as info:
        callback_url("opt_in", base_url="https://a.pl", token="no spaces")
    assert info.value.field == "token"
    assert "no spaces" not in str(info.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "",
        "sklep.example.pl",
        "ftp://sklep.example.pl",
        "https://",
        "https:///path",
        "https://sklep.example.pl/?a=1",
        "https://sklep.example.pl/#top",
        "https://sklep.example.pl/a b",
    ],
)
def test_bad_base_url_is_refused(callbacks: Callbacks, base_url: str) -> None:
    with pytest.raises(ValidationError) as info:
        callbacks.opt_in_url(base_url)
    assert info.value.field == "base_url"
    assert TOKEN not in str(info.value)


def test_unknown_kind_is_refused(callbacks: Callbacks) -> None:
    with pytest.raises(ValidationError) as info:
        callbacks.url("unsubscribe", "https://sklep.example.pl")
    assert info.value.field == "kind"
    assert CallbackKind.of("OPT-IN") is CallbackKind.OPT_IN
    assert CallbackKind.OPT_OUT.path == "/salesmanago/opt-out"
    assert not CallbackKind.OPT_OUT.approved


@pytest.mark.parametrize("token", ["a", "A-z_0-9", "x" * 16])
def test_good_tokens(token: str) -> None:
    assert check_token(token) == token


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "non-empty"),
        (None, "non-empty"),
        ("secret-over-16-ch", "at most 16"),
        ("sekret ąę", "letters, digits"),
        ("a&b=c", "letters, digits"),
        ("$email$", "letters, digits"),
    ],
)
def test_bad_tokens_are_refused_without_echo(shop: IdosellClient, token: Any, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        Callbacks(token=token, idosell=shop)
    assert info.value.field == "token"
    assert reason in str(info.value)
    if token:
        assert token not in str(info.value)


@pytest.mark.parametrize("shop_id", [0, -1, True, "1"])
def test_bad_shop_id_is_refused(shop: IdosellClient, shop_id: Any) -> None:
    with pytest.raises(ValidationError) as info:
        Callbacks(token=TOKEN, idosell=shop, shop_id=shop_id)
    assert info.value.field == "shop_id"


def test_token_is_not_in_repr(callbacks: Callbacks) -> None:
    text = repr(callbacks)
    assert text.startswith("Callbacks(idosell=IdosellClient(")
    assert "shop_id=1" in text
    assert TOKEN not in text
    assert TOKEN not in str(callbacks)
    assert not hasattr(callbacks, "__dict__"), "no attribute dict for vars()/debuggers to dump"


def test_token_is_never_logged(
    callbacks: Callbacks, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="salesmanago_idosell")
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=True)))
    mocked.put(CLIENTS_URL, json=PUT_OK)
    wsgi_get = {"REQUEST_METHOD": "GET", "PATH_INFO": "/salesmanago/opt-out"}

    callbacks.handle("opt_out", {"email": EMAIL, "token": TOKEN})
    callbacks.handle("opt_out", {"email": EMAIL, "token": TOKEN + "x"})
    callbacks.handle("opt_out", {"email": "bad", "token": TOKEN})
    callbacks.wsgi_app()({**wsgi_get, "QUERY_STRING": f"token={TOKEN}"}, lambda *_: print)

    assert TOKEN not in caplog.text  # the transport's DEBUG lines included
    ours = [r.getMessage() for r in caplog.records if r.module in ("handler", "wsgi")]
    assert len(ours) == 4, "the callbacks log what they do"
    assert not [line for line in ours if EMAIL in line]  # masked: j***@example.pl
    assert "opt_out callback for j***@example.pl: changed=True" in ours


def test_result_model() -> None:
    result = CallbackResult(status=502, body={"success": False, "message": "Zażółć"})
    assert not result.success
    assert result.message == "Zażółć"
    assert result.json_bytes() == '{"success": false, "message": "Zażółć"}'.encode()
    assert result.email is None
    assert not result.changed
