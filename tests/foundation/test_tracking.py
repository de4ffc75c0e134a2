"""Monitoring code and tracking cookies."""

from __future__ import annotations

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.tracking import (
    SMCLIENT_TTL,
    monitoring_code,
    read_cookie,
    smclient_cookie,
    smevent_cookie,
)


def test_minimal_snippet_declares_account_and_loads_sm_js_from_the_endpoint() -> None:
    code = monitoring_code(client_id="abc123", endpoint="app2.salesmanago.pl")
    assert code.startswith('<script type="text/javascript">\nvar _smid = "abc123";\n')
    assert '"https://app2.salesmanago.pl/static/sm.js"' in code
    assert "w['SalesmanagoObject'] = r;" in code
    for optional in ("_smclientid", "_smclt", "_smapp", "_smcustom", "_smbanners", "popups"):
        assert optional not in code
    assert code.count("<script") == code.count("</script>") == 1


def test_full_snippet() -> None:
    code = monitoring_code(
        client_id="abc123",
        endpoint="https://app3.salesmanago.com",
        contact_id="0f1e2d3c-aaaa-bbbb-cccc-123456789abc",
        cookie_lifetime_days=365,
        app=2,
        custom=True,
        banners=True,
        popups=True,
    )
    for line in (
        'var _smclientid = "0f1e2d3c-aaaa-bbbb-cccc-123456789abc";',
        "var _smclt = 365;",
        "var _smapp = 2;",
        "var _smcustom = true;",
        "var _smbanners = true;",
        'src="https://app3.salesmanago.com/dynamic/abc123/popups.js"',
    ):
        assert line in code


@pytest.mark.parametrize(
    "options",
    [
        {"client_id": 'x";alert(1);//'},
        {"client_id": "abc", "contact_id": "</script><script>evil()"},
        {"client_id": "abc", "cookie_lifetime_days": 0},
        {"client_id": "abc", "cookie_lifetime_days": 4000},
    ],
)
def test_hostile_or_invalid_values_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        monitoring_code(endpoint="app2.salesmanago.pl", **options)  # type: ignore[arg-type]


def test_cookies() -> None:
    client = smclient_cookie("uuid-1")
    assert client.header() == f"smclient=uuid-1; Max-Age={SMCLIENT_TTL}; Path=/; SameSite=Lax"
    assert smevent_cookie("ev-1").max_age == 43_200
    deleted = smevent_cookie(None)
    assert (deleted.value, deleted.max_age) == ("", 0)
    with pytest.raises(ValidationError):
        smclient_cookie("a;b")


def test_read_cookie() -> None:
    header = "session=xyz; smclient=uuid-1; smevent=ev-9"
    assert read_cookie(header, "smclient") == "uuid-1"
    assert read_cookie(header, "smevent") == "ev-9"
    assert read_cookie(header, "other") is None
    assert read_cookie(None, "smclient") is None
    assert read_cookie('smclient="a b"', "smclient") is None


# Cookie headers as browsers send them (recorded shapes; values made up). Each holds a
# neighbour that the standard library's SimpleCookie refuses, which used to hide ours.
BROWSER_HEADERS = {
    "chrome-json-prefs": (
        '_ga=GA1.1.1843721905.1732990000; prefs={"a":1}; '
        "smclient=7f3e2a10-5b1c-4d2e-9f00-aa11bb22cc33; smevent=e-42"
    ),
    "firefox-consent-banner": (
        "cookieyes-consent=consentid:Zk9x,consent:yes,action:yes,necessary:yes; "
        'cart_state={"items":[{"id":17,"q":2}]}; '
        "smclient=7f3e2a10-5b1c-4d2e-9f00-aa11bb22cc33; smevent=e-42; _fbp=fb.1.1732.99"
    ),
    "safari-space-and-unicode": (
        "last search=buty damskie; miasto=Łódź; "
        "smclient=7f3e2a10-5b1c-4d2e-9f00-aa11bb22cc33;smevent=e-42"
    ),
    "edge-quoted-and-valueless": (
        'theme="dark mode"; lonely; =odd; smclient="7f3e2a10-5b1c-4d2e-9f00-aa11bb22cc33"; '
        "smevent=e-42; __Secure-3PSID=g.a000-xyz"
    ),
}


@pytest.mark.parametrize("browser", sorted(BROWSER_HEADERS))
def test_read_cookie_survives_malformed_neighbours(browser: str) -> None:
    header = BROWSER_HEADERS[browser]
    assert read_cookie(header, "smclient") == "7f3e2a10-5b1c-4d2e-9f00-aa11bb22cc33"
    assert read_cookie(header, "smevent") == "e-42"
    assert read_cookie(header, "smoptst") is None


def test_read_cookie_takes_the_first_of_a_name_and_refuses_non_tokens() -> None:
    assert read_cookie("smevent=a-1; smevent=b-2", "smevent") == "a-1"
    assert read_cookie("smevent=<script>", "smevent") is None
    assert read_cookie("smclient=; smevent=e-1", "smclient") is None
    assert read_cookie("xsmclient=1; smclient_old=2", "smclient") is None
