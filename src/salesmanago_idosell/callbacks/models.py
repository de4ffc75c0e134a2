"""What a callback is (opt-in or opt-out) and what handling it produced."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import Enum

from attrs import field, frozen

from ..errors import ValidationError

__all__ = [
    "OPT_IN_PATH",
    "OPT_OUT_PATH",
    "CallbackKind",
    "CallbackResult",
    "Params",
    "result",
]

#: Path (below the base URL) of the opt-in callback.
OPT_IN_PATH = "/salesmanago/opt-in"
#: Path (below the base URL) of the opt-out callback.
OPT_OUT_PATH = "/salesmanago/opt-out"
#: Request parameters as web frameworks give them: one value, or every value, per name.
Params = Mapping[str, str | Sequence[str]]


class CallbackKind(str, Enum):
    """The two callbacks SALESmanago calls: a contact subscribed or unsubscribed."""

    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"

    @property
    def path(self) -> str:
        """The URL path this callback is served on, e.g. ``/salesmanago/opt-in``."""
        return OPT_IN_PATH if self is CallbackKind.OPT_IN else OPT_OUT_PATH

    @property
    def approved(self) -> bool:
        """The newsletter approval this callback asks for (True for opt-in)."""
        return self is CallbackKind.OPT_IN

    @classmethod
    def of(cls, value: CallbackKind | str) -> CallbackKind:
        """Accept a kind or its name: ``"opt_in"``, ``"opt-in"``, ``"opt_out"``, ``"opt-out"``.

        Example:
            >>> CallbackKind.of("opt-out")
            <CallbackKind.OPT_OUT: 'opt_out'>
        """
        if isinstance(value, CallbackKind):
            return value
        try:
            return cls(str(value).strip().lower().replace("-", "_"))
        except ValueError:
            raise ValidationError("kind must be 'opt_in' or 'opt_out'", field="kind") from None


def _frozen_body(body: Mapping[str, object]) -> Mapping[str, object]:
    return dict(body)


@frozen(kw_only=True)
class CallbackResult:
    """The outcome of one callback, ready to be sent back as an HTTP answer.

    Attributes:
        status: the HTTP status to answer (200 done, 400 bad e-mail, 403 bad token, 404 no
            account, 502 IdoSell failed).
        body: the JSON body, ``{"success": bool, "message": str}`` like the official modules.
        email: the e-mail the callback was about, once validated (``None`` before that).
        changed: True when an IdoSell newsletter approval was actually changed.

    Example:
        >>> result = CallbackResult(status=200, body={"success": True, "message": "ok"})
        >>> result.success, result.json_bytes()
        (True, b'{"success": true, "message": "ok"}')
    """

    status: int
    body: Mapping[str, object] = field(converter=_frozen_body)
    email: str | None = None
    changed: bool = False

    @property
    def success(self) -> bool:
        """True for a 2xx status."""
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        """The human-readable ``message`` of the body."""
        return str(self.body.get("message", ""))

    def json_bytes(self) -> bytes:
        """The body as UTF-8 JSON."""
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def result(
    status: int, message: str, *, email: str | None = None, changed: bool = False
) -> CallbackResult:
    """Build a :class:`CallbackResult` whose body's ``success`` follows the status."""
    body = {"success": 200 <= status < 300, "message": message}
    return CallbackResult(status=status, body=body, email=email, changed=changed)
