"""SALESmanago opt-in / opt-out callbacks applied to IdoSell newsletter approvals.

SALESmanago (Integration Center -> Callbacks) calls two URLs of the shop when a contact
subscribes or unsubscribes. :class:`Callbacks` builds those URLs, checks their security token
in constant time, validates the e-mail and sets the IdoSell e-mail newsletter approval of the
matching customer account, idempotently; :meth:`Callbacks.wsgi_app` serves both URLs in any
WSGI server. See ``docs/callbacks.md``.

Example:
    >>> from salesmanago_idosell.callbacks import Callbacks
    >>> callbacks = Callbacks(token="s3cr3t-T0ken", idosell=shop)  # doctest: +SKIP
    >>> callbacks.opt_in_url("https://shop.example.pl")  # doctest: +SKIP
    'https://shop.example.pl/salesmanago/opt-in?email=$email$&token=s3cr3t-T0ken'
"""

from .handler import (
    MAX_ACCOUNTS,
    NO_ACCOUNT,
    TOKEN_MAX,
    Callbacks,
    callback_url,
    check_token,
    clean_email,
)
from .models import OPT_IN_PATH, OPT_OUT_PATH, CallbackKind, CallbackResult, Params
from .wsgi import MAX_BODY, StartResponse, WSGIApplication, WSGIEnvironment, make_wsgi_app

__all__ = [
    "MAX_ACCOUNTS",
    "MAX_BODY",
    "NO_ACCOUNT",
    "OPT_IN_PATH",
    "OPT_OUT_PATH",
    "TOKEN_MAX",
    "CallbackKind",
    "CallbackResult",
    "Callbacks",
    "Params",
    "StartResponse",
    "WSGIApplication",
    "WSGIEnvironment",
    "callback_url",
    "check_token",
    "clean_email",
    "make_wsgi_app",
]
