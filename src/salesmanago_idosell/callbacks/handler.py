"""The :class:`Callbacks` handler: callback URLs, token check, IdoSell newsletter approval."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .._validation import email_problem, normalize_email
from ..errors import SalesmanagoIdosellError, ValidationError
from .models import CallbackKind, CallbackResult, Params, result
from .wsgi import WSGIApplication, make_wsgi_app

if TYPE_CHECKING:
    from ..idosell.client import IdosellClient
    from ..idosell.models import Customer

__all__ = [
    "MAX_ACCOUNTS",
    "NO_ACCOUNT",
    "TOKEN_MAX",
    "Callbacks",
    "callback_url",
    "check_token",
    "clean_email",
]

logger = logging.getLogger("salesmanago_idosell")

#: Longest accepted security token (the built-in integration's limit).
TOKEN_MAX = 16
#: At most this many accounts sharing one e-mail are updated by one callback.
MAX_ACCOUNTS = 10
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{1,{TOKEN_MAX}}}")

_DONE = {
    (CallbackKind.OPT_IN, True): "Email successfully subscribed",
    (CallbackKind.OPT_IN, False): "Email already subscribed",
    (CallbackKind.OPT_OUT, True): "Email successfully unsubscribed",
    (CallbackKind.OPT_OUT, False): "Email already unsubscribed",
}
NO_ACCOUNT = (
    "No customer account with this e-mail; the IdoSell API cannot change "
    "a newsletter-only subscription"
)


def check_token(token: object) -> str:
    """Return ``token`` if it is 1-16 letters, digits, ``-`` or ``_``; never echoes it.

    Raises:
        ValidationError: the token is not a string of that form (``field="token"``).
    """
    if not isinstance(token, str) or not token:
        raise ValidationError("token must be a non-empty string", field="token")
    if len(token) > TOKEN_MAX:
        raise ValidationError(f"token must be at most {TOKEN_MAX} characters", field="token")
    if _TOKEN.fullmatch(token) is None:
        raise ValidationError("token may only contain letters, digits, '-' and '_'", field="token")
    return token


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "replace")).digest()


def _values(params: Params, name: str) -> list[str]:
    """Every text value of ``name`` (a query and a form may both carry it)."""
    value = params.get(name)
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [v for v in value if isinstance(v, str)]
    return []


def _single(params: Params, name: str) -> str | None:
    """The one value of ``name``; ``None`` when absent, not text or given differently twice."""
    values = set(_values(params, name))
    return values.pop() if len(values) == 1 else None


def _email(params: Params) -> str | None:
    """The cleaned e-mail; ``None`` when given several times as different addresses."""
    found = {clean_email(v) for v in _values(params, "email")}
    found.discard("")
    if len(found) > 1 and len({e.casefold() for e in found}) > 1:
        return None
    return min(found) if found else ""


def clean_email(raw: str) -> str:
    """Trim the e-mail and turn spaces back into ``+``.

    SALESmanago substitutes ``$email$`` into the URL unescaped, so ``jan+news@example.pl``
    arrives as ``jan news@example.pl`` once the query string is decoded; a space is never
    valid in an address, so it can only have been a ``+``.
    """
    return normalize_email(raw).replace(" ", "+")


def _mask(email: str) -> str:
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def _approval(customer: Customer, shop_id: int) -> bool | None:
    """The account's newsletter approval in ``shop_id``; ``None`` when IdoSell says nothing."""
    return next((c.approved for c in customer.newsletter_consents if c.shop_id == shop_id), None)


def _base(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("base_url must be an http(s) URL with a host", field="base_url")
    if parts.query or parts.fragment or any(c.isspace() for c in url):
        raise ValidationError("base_url must have no query, fragment or spaces", field="base_url")
    return url


def callback_url(kind: CallbackKind | str, *, base_url: str, token: str) -> str:
    """The callback URL of ``kind`` to paste into SALESmanago (pure; no client needed).

    Example:
        >>> callback_url("opt_out", base_url="https://shop.example.pl", token="Tok-1")
        'https://shop.example.pl/salesmanago/opt-out?email=$email$&token=Tok-1'

    Raises:
        ValidationError: a bad ``kind``, ``base_url`` or ``token`` (never echoed).
    """
    path = CallbackKind.of(kind).path
    return f"{_base(base_url)}{path}?email=$email$&token={check_token(token)}"


class Callbacks:
    """SALESmanago's opt-in and opt-out callbacks, applied to IdoSell newsletter approvals.

    SALESmanago calls a URL of the shop when a contact subscribes or unsubscribes (double
    opt-in link, unsubscribe link, or a change on the contact card). This class builds the two
    URLs to paste into SALESmanago, checks the request's security token in constant time,
    validates the e-mail and sets the IdoSell e-mail newsletter approval of the customer
    account(s) with that e-mail in ``shop_id``. Handling is idempotent.

    Args:
        token: the security parameter put in the URLs: 1-16 letters, digits, ``-`` or ``_``.
            It is never shown in ``repr``, logs or exceptions.
        idosell: the IdoSell client used to find the account and change its approval.
        shop_id: the IdoSell shop whose newsletter approval is changed.

    Example:
        >>> callbacks = Callbacks(token="s3cr3t-T0ken", idosell=shop)  # doctest: +SKIP
        >>> callbacks.opt_out_url("https://shop.example.pl")  # doctest: +SKIP
        'https://shop.example.pl/salesmanago/opt-out?email=$email$&token=s3cr3t-T0ken'
        >>> callbacks.handle("opt_out", {"email": "jan@example.pl", "token": "s3cr3t-T0ken"})
        ... # doctest: +SKIP
        CallbackResult(status=200, body={'success': True, 'message': ...}, ...)
    """

    __slots__ = ("_digest", "_token", "idosell", "shop_id")

    def __init__(self, *, token: str, idosell: IdosellClient, shop_id: int = 1) -> None:
        self._token = check_token(token)
        self._digest = _digest(token)
        if isinstance(shop_id, bool) or not isinstance(shop_id, int) or shop_id < 1:
            raise ValidationError("shop_id must be a positive integer", field="shop_id")
        self.idosell = idosell
        self.shop_id = shop_id

    def __repr__(self) -> str:
        return f"Callbacks(idosell={self.idosell!r}, shop_id={self.shop_id})"

    def url(self, kind: CallbackKind | str, base_url: str) -> str:
        """The callback URL of ``kind`` below ``base_url`` (see :meth:`opt_in_url`)."""
        return callback_url(kind, base_url=base_url, token=self._token)

    def opt_in_url(self, base_url: str) -> str:
        """The opt-in callback URL to paste into SALESmanago.

        ``$email$`` stays literal: SALESmanago replaces it with the contact's e-mail.

        Raises:
            ValidationError: ``base_url`` is not an http(s) URL without query or fragment.
        """
        return self.url(CallbackKind.OPT_IN, base_url)

    def opt_out_url(self, base_url: str) -> str:
        """The opt-out callback URL to paste into SALESmanago (see :meth:`opt_in_url`)."""
        return self.url(CallbackKind.OPT_OUT, base_url)

    def handle(self, kind: CallbackKind | str, params: Params) -> CallbackResult:
        """Handle one callback request; never raises for bad input.

        Args:
            kind: opt-in or opt-out (a :class:`CallbackKind` or its name).
            params: the request's query/form parameters (``email`` and ``token``), one value
                or a list of values per name.

        Returns:
            403 bad or missing token (nothing asked of IdoSell), 400 bad e-mail, 404 no
            customer account with that e-mail (nothing changed), 502 IdoSell failed, 200 done;
            ``changed`` is False when the approval already was as asked.

        Raises:
            ValidationError: only for a ``kind`` that is not opt-in or opt-out (a caller bug).
        """
        kind = CallbackKind.of(kind)
        token = _single(params, "token")
        if token is None or not self._token_matches(token):
            logger.warning("%s callback refused: missing or invalid token", kind.value)
            return result(403, "Invalid security token")
        email = _email(params)
        if email is None:
            logger.info("%s callback refused: different e-mail addresses", kind.value)
            return result(400, "Validation failed: e-mail given more than once, differently")
        problem = email_problem(email)
        if problem is not None:
            logger.info("%s callback refused: %s", kind.value, problem)
            return result(400, f"Validation failed: {problem}")
        return self._apply(kind, email)

    def wsgi_app(self) -> WSGIApplication:
        """A WSGI application serving both callback paths (GET and POST) with JSON answers."""
        return make_wsgi_app(self.handle)

    def _token_matches(self, given: str) -> bool:
        if len(given) > TOKEN_MAX:  # the limit is public; do not hash megabytes
            return False
        return hmac.compare_digest(_digest(given), self._digest)

    def _apply(self, kind: CallbackKind, email: str) -> CallbackResult:
        try:
            accounts = self._accounts(email)
            if not accounts:
                logger.info("%s callback for %s: no account", kind.value, _mask(email))
                return result(404, NO_ACCOUNT, email=email)
            changed = [self._set(account, kind) for account in accounts]
        except SalesmanagoIdosellError as error:
            logger.warning("%s callback for %s failed: %s", kind.value, _mask(email), error)
            return result(502, f"Shop API error ({type(error).__name__})", email=email)
        logger.info("%s callback for %s: changed=%s", kind.value, _mask(email), any(changed))
        return result(200, _DONE[kind, any(changed)], email=email, changed=any(changed))

    def _accounts(self, email: str) -> list[Customer]:
        found = self.idosell.customers.search(email=email, exact=True, limit=MAX_ACCOUNTS)
        wanted = email.casefold()
        return [c for c in found if c.login and (c.email or "").casefold() == wanted]

    def _set(self, account: Customer, kind: CallbackKind) -> bool:
        if not account.login or _approval(account, self.shop_id) is kind.approved:
            return False
        self.idosell.customers.set_newsletter_approval(
            login=account.login, approved=kind.approved, shop_ids=(self.shop_id,)
        )
        return True
