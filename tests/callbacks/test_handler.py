"""``Callbacks.handle``: token check, e-mail validation, idempotent IdoSell changes."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
import responses

from salesmanago_idosell.callbacks import NO_ACCOUNT, CallbackKind, Callbacks, clean_email

from .conftest import (
    API_KEY,
    CLIENTS_URL,
    EMAIL,
    PUT_OK,
    SEARCH_URL,
    TOKEN,
    crm_page,
    crm_row,
    sent_json,
)


def params(email: Any = EMAIL, token: Any = TOKEN) -> dict[str, Any]:
    """Callback parameters; ``None`` leaves a parameter out."""
    out = {"email": email, "token": token}
    return {k: v for k, v in out.items() if v is not None}


# -- the token ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        None,  # missing
        "",  # empty
        "Tok-9_zz",  # one letter's case differs
        "Tok-9_z",  # a prefix
        "Tok-9_zZ ",  # trailing space
        "Tok-9_zZx",  # longer
        "x" * 17,  # over the limit
        "T" * 100_000,  # huge
        "Tok-9_zŻ",  # non-ASCII
        ["Tok-9_zZ", "forged"],  # two different values
        [],  # a name without value
        42,  # not text
    ],
)
def test_forged_or_missing_token_is_refused_without_asking_idosell(
    callbacks: Callbacks, mocked: responses.RequestsMock, token: Any
) -> None:
    for kind in CallbackKind:
        answer = callbacks.handle(kind, params(token=token))
        assert answer.status == 403
        assert answer.body == {"success": False, "message": "Invalid security token"}
        assert answer.email is None
        assert not answer.changed
    assert len(mocked.calls) == 0


def test_token_is_checked_before_the_email(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    assert callbacks.handle("opt_out", params(email="not an e-mail", token="bad")).status == 403
    assert len(mocked.calls) == 0


def test_token_is_compared_in_constant_time(
    callbacks: Callbacks, mocked: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hmac

    seen: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # the module the handler uses
    assert callbacks.handle("opt_in", params(token="short")).status == 403
    # digests of equal length are compared, so the token's length does not show either
    assert [(len(a), len(b)) for a, b in seen] == [(32, 32)]
    assert len(mocked.calls) == 0


# -- the e-mail --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        (None, "empty e-mail address"),
        ("", "empty e-mail address"),
        ("   ", "empty e-mail address"),
        ("$email$", "invalid e-mail address"),
        ("jan@", "invalid e-mail address"),
        ("jan.example.pl", "invalid e-mail address"),
        ("jan@example", "invalid e-mail address"),
        ("<script>@example.pl", "invalid e-mail address"),
        ("a@b.pl\r\nX-Injected: 1", "invalid e-mail address"),
        ("x" * 65 + "@example.pl", "e-mail local part longer than 64 characters"),
        ("j@" + "d" * 250 + ".pl", "e-mail address longer than 254 characters"),
        (["a@example.pl", "b@example.pl"], "e-mail given more than once, differently"),
    ],
)
def test_bad_email_is_refused_without_asking_idosell(
    callbacks: Callbacks, mocked: responses.RequestsMock, email: Any, reason: str
) -> None:
    answer = callbacks.handle(CallbackKind.OPT_OUT, params(email=email))
    assert answer.status == 400
    assert answer.body == {"success": False, "message": f"Validation failed: {reason}"}
    assert len(mocked.calls) == 0


@pytest.mark.parametrize(
    "emails",
    [["jan@example.pl", "jan@example.pl"], ["jan@example.pl", " Jan@Example.pl "], ["", "a@b.pl"]],
)
def test_the_same_email_given_twice_is_not_refused(callbacks: Callbacks, emails: Any) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.post(re.compile(".*"), json={"results": [], "resultsNumberAll": 0})
        answer = callbacks.handle(CallbackKind.OPT_OUT, params(email=emails))
    assert answer.status != 400, answer.body


def test_plus_decoded_as_space_is_restored() -> None:
    assert clean_email(" jan news@example.pl ") == "jan+news@example.pl"


# -- changing the approval ---------------------------------------------------------------


def test_opt_out_sets_approval_then_is_idempotent(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=True)))
    mocked.put(CLIENTS_URL, json=PUT_OK)

    first = callbacks.handle("opt_out", params())

    assert (first.status, first.changed, first.email) == (200, True, EMAIL)
    assert first.body == {"success": True, "message": "Email successfully unsubscribed"}
    search = sent_json(mocked.calls[0])["params"]
    assert search["clientEmail"] == EMAIL
    assert search["settingsExactSearch"] is True
    assert sent_json(mocked.calls[1]) == {
        "params": {
            "clients": [
                {
                    "clientLogin": "jkowalski",
                    "newsletterEmailApprovalsData": [
                        {"inNewsletterEmailApproval": "n", "shopId": 1}
                    ],
                }
            ]
        }
    }

    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=False)))
    second = callbacks.handle("opt_out", params())

    assert (second.status, second.changed) == (200, False)
    assert second.body == {"success": True, "message": "Email already unsubscribed"}
    assert [c.request.method for c in mocked.calls] == ["POST", "PUT", "POST"]


def test_opt_in_sets_approval_in_the_configured_shop(
    shop: Any, mocked: responses.RequestsMock
) -> None:
    callbacks = Callbacks(token=TOKEN, idosell=shop, shop_id=3)
    # approved in shop 1 but not in shop 3: the change is made in shop 3 only
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=True, shop_id=1)))
    mocked.put(CLIENTS_URL, json=PUT_OK)

    answer = callbacks.handle("opt-in", {"email": [EMAIL], "token": [TOKEN, TOKEN]})

    assert (answer.status, answer.changed) == (200, True)
    assert answer.message == "Email successfully subscribed"
    approvals = sent_json(mocked.calls[1])["params"]["clients"][0]["newsletterEmailApprovalsData"]
    assert approvals == [{"inNewsletterEmailApproval": "y", "shopId": 3}]


def test_opt_in_already_subscribed(callbacks: Callbacks, mocked: responses.RequestsMock) -> None:
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=True)))
    answer = callbacks.handle(CallbackKind.OPT_IN, params())
    assert (answer.status, answer.changed, answer.message) == (
        200,
        False,
        "Email already subscribed",
    )
    assert len(mocked.calls) == 1


def test_unknown_approval_state_is_written(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    # the search says nothing about the shop: set it rather than guess (opt-out matters)
    mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=None)))
    mocked.put(CLIENTS_URL, json=PUT_OK)
    assert callbacks.handle("opt_out", params()).changed


def test_every_account_with_the_email_is_updated(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    rows = (
        crm_row(login="jan1", approved=True),
        crm_row(login="jan2", email=EMAIL.upper(), approved=True),
        crm_row(login="jan3", approved=False),
        crm_row(login="other", email="x" + EMAIL, approved=True),  # a substring match
        crm_row(login="", approved=True),  # no login: cannot be addressed
    )
    mocked.post(SEARCH_URL, json=crm_page(*rows))
    mocked.put(CLIENTS_URL, json=PUT_OK)
    mocked.put(CLIENTS_URL, json=PUT_OK)

    answer = callbacks.handle("opt_out", params())

    assert (answer.status, answer.changed) == (200, True)
    logins = [sent_json(c)["params"]["clients"][0]["clientLogin"] for c in mocked.calls[1:]]
    assert logins == ["jan1", "jan2"]


def test_no_account_answers_404_and_changes_nothing(
    callbacks: Callbacks, mocked: responses.RequestsMock
) -> None:
    mocked.post(SEARCH_URL, json=crm_page(), status=207)
    answer = callbacks.handle("opt_out", params(email="gosc@example.pl"))
    assert answer.status == 404
    assert answer.body == {"success": False, "message": NO_ACCOUNT}
    assert (answer.email, answer.changed) == ("gosc@example.pl", False)
    assert len(mocked.calls) == 1


# -- IdoSell failures --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "answer", "status", "error"),
    [
        ("POST", {"body": "<html>bad gateway</html>"}, 503, "ServerError"),
        ("POST", {"headers": {"x-error": f"bad key {API_KEY}"}}, 401, "AuthenticationError"),
        ("POST", {"body": "not json"}, 200, "ResponseValidationError"),
        ("PUT", {"json": {"results": [{"errors": [{"faultCode": 14}]}]}}, 207, "IdosellAPIError"),
    ],
)
def test_idosell_failure_answers_502_without_secrets(
    callbacks: Callbacks,
    mocked: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
    method: str,
    answer: dict[str, Any],
    status: int,
    error: str,
) -> None:
    caplog.set_level(logging.DEBUG, logger="salesmanago_idosell")
    if method == "PUT":
        mocked.post(SEARCH_URL, json=crm_page(crm_row(approved=True)))
    mocked.add(method, SEARCH_URL if method == "POST" else CLIENTS_URL, status=status, **answer)

    result = callbacks.handle("opt_out", params())

    assert result.status == 502
    assert result.body == {"success": False, "message": f"Shop API error ({error})"}
    assert not result.changed
    for text in (result.json_bytes().decode(), caplog.text):
        assert API_KEY not in text
        assert TOKEN not in text
