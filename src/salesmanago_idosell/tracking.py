"""SALESmanago monitoring code and the ``smclient`` / ``smevent`` cookies (pure, no I/O).

The monitoring code is the ``<script>`` the shop puts before ``</body>`` on every page: it
declares the account (``_smid``) and loads ``sm.js`` from the account's server. The shop's
backend sets two cookies:

* ``smclient``: the SALESmanago contact id returned by an upsert, so that ``sm.js``
  attributes the browser's visits to that contact (10 years by default);
* ``smevent``: the id of the open CART event, so later cart changes update that event instead
  of adding new ones (12 hours); a purchase deletes it.

Example:
    >>> snippet = monitoring_code(client_id="abc123", endpoint="app2.salesmanago.pl")
    >>> "_smid" in snippet
    True
"""

from __future__ import annotations

import json
import re

from attrs import frozen

from .errors import ValidationError
from .salesmanago.client import normalize_endpoint

__all__ = [
    "SMCLIENT_COOKIE",
    "SMCLIENT_TTL",
    "SMEVENT_COOKIE",
    "SMEVENT_TTL",
    "Cookie",
    "monitoring_code",
    "read_cookie",
    "smclient_cookie",
    "smevent_cookie",
]

SMCLIENT_COOKIE = "smclient"
SMEVENT_COOKIE = "smevent"
#: ``smclient`` lifetime: 315 532 800 s, about ten years (the official plugins' default).
SMCLIENT_TTL = 315_532_800
#: ``smevent`` lifetime: 12 hours.
SMEVENT_TTL = 43_200
_CLT_MAX_DAYS = 3652
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")

_LOADER = """(function (w, r, a, sm, s) {
  w['SalesmanagoObject'] = r;
  w[r] = w[r] || function () { (w[r].q = w[r].q || []).push(arguments); };
  sm = document.createElement('script'); sm.type = 'text/javascript'; sm.async = true;
  sm.src = a;
  s = document.getElementsByTagName('script')[0]; s.parentNode.insertBefore(sm, s);
})(window, 'sm', %s);"""


def _js(value: object) -> str:
    """A JavaScript literal that cannot close the surrounding ``<script>`` element."""
    return json.dumps(value).replace("</", "<\\/")


def _checked(value: str, field: str) -> str:
    if not _TOKEN.fullmatch(value):
        raise ValidationError(f"{field} must be 1-64 letters, digits, '_' or '-'", field=field)
    return value


def monitoring_code(
    *,
    client_id: str,
    endpoint: str,
    contact_id: str | None = None,
    cookie_lifetime_days: int | None = None,
    app: int | None = None,
    custom: bool = False,
    banners: bool = False,
    popups: bool = False,
) -> str:
    """The SALESmanago monitoring snippet to put before ``</body>`` on every shop page.

    Args:
        client_id: the account's client id (``_smid``).
        endpoint: the account's server, as given to ``SalesmanagoClient``.
        contact_id: the known contact id of the visitor (``_smclientid``), if any.
        cookie_lifetime_days: the contact cookie's lifetime (``_smclt``, 1..3652 days);
            omitted for SALESmanago's default of ten years.
        app: the account's app number (``_smapp``), when the account uses one.
        custom: sets ``_smcustom = true``.
        banners: sets ``_smbanners = true``.
        popups: also load the account's pop-ups script.
    """
    base = normalize_endpoint(endpoint)
    lines = [f"var _smid = {_js(_checked(client_id, 'client_id'))};"]
    if contact_id:
        lines.append(f"var _smclientid = {_js(_checked(contact_id, 'contact_id'))};")
    if cookie_lifetime_days is not None:
        if not 1 <= cookie_lifetime_days <= _CLT_MAX_DAYS:
            raise ValidationError("cookie lifetime must be 1..3652 days", field="cookie_lifetime")
        lines.append(f"var _smclt = {cookie_lifetime_days};")
    if app is not None:
        lines.append(f"var _smapp = {int(app)};")
    if custom:
        lines.append("var _smcustom = true;")
    if banners:
        lines.append("var _smbanners = true;")
    lines.append(_LOADER % _js(f"{base}/static/sm.js"))
    script = ['<script type="text/javascript">', *lines, "</script>"]
    if popups:
        src = f"{base}/dynamic/{client_id}/popups.js"
        script.append(f'<script type="text/javascript" async src={_js(src)}></script>')
    return "\n".join(script) + "\n"


@frozen
class Cookie:
    """A cookie for the shop's HTTP response.

    Attributes:
        name: the cookie name.
        value: the cookie value (``""`` with ``max_age=0`` deletes it).
        max_age: lifetime in seconds.
        path: the cookie path.
    """

    name: str
    value: str
    max_age: int
    path: str = "/"

    def header(self) -> str:
        """The ``Set-Cookie`` header value."""
        return f"{self.name}={self.value}; Max-Age={self.max_age}; Path={self.path}; SameSite=Lax"


def smclient_cookie(contact_id: str, *, max_age: int = SMCLIENT_TTL) -> Cookie:
    """The ``smclient`` cookie carrying the SALESmanago contact id."""
    return Cookie(SMCLIENT_COOKIE, _checked(contact_id, "contact_id"), max_age)


def smevent_cookie(event_id: str | None, *, max_age: int = SMEVENT_TTL) -> Cookie:
    """The ``smevent`` cookie carrying the open CART event id; ``None`` deletes it."""
    if event_id is None:
        return Cookie(SMEVENT_COOKIE, "", 0)
    return Cookie(SMEVENT_COOKIE, _checked(event_id, "event_id"), max_age)


def read_cookie(cookie_header: str | None, name: str) -> str | None:
    """Read one cookie from a request's ``Cookie`` header (``None`` when absent or invalid).

    The header is split on ``;`` and each pair on its first ``=`` (RFC 6265, section 5.4,
    as browsers send it), so a neighbour the standard library's ``SimpleCookie`` refuses
    (a JSON value such as ``prefs={"a":1}``, a space, a non-ASCII byte) never hides ours.
    Surrounding double quotes are removed; the first cookie of that name counts (browsers
    send the one with the most specific path first). A value that is not a plain token
    (letters, digits, ``-``, ``_``) is ``None``.

    Example:
        >>> read_cookie('prefs={"a":1}; smclient=4f1c-77; smevent=e-9', "smclient")
        '4f1c-77'
    """
    if not cookie_header:
        return None
    for pair in cookie_header.split(";"):
        key, sep, value = pair.partition("=")
        if not sep or key.strip() != name:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        return value if _TOKEN.fullmatch(value) else None
    return None
