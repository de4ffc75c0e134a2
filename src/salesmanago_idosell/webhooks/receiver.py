"""The IdoSell webhook receiver: verify, refuse stale or replayed deliveries, hand orders over.

:meth:`WebhookReceiver.handle` takes a delivery's headers and raw body and answers at once;
the work (a targeted sync of the orders named in the delivery) is handed to a *dispatcher*,
a callable taking the order serial numbers (a worker thread by default, see
:mod:`.dispatch`). Checks, in this order, each with its answer:

==========================================  ======  =====================================
delivery                                    status  what happens
==========================================  ======  =====================================
wrong or missing bearer token               401     nothing
wrong or missing HMAC-SHA256 signature      401     nothing
body not a JSON object                      400     nothing
event time missing or outside tolerance     400     nothing ("stale")
event type the receiver does not handle     200     nothing ("ignored"); no retry wanted
event uid missing                           400     nothing
event uid already received                  200     nothing ("already received")
no order serial number in the body          400     nothing
dispatcher failed                           503     the uid is forgotten: a retry is let in
valid                                       202     the serials go to the dispatcher
==========================================  ======  =====================================

The signature is HMAC-SHA256 of the raw body with the shared secret, compared in constant
time (hex, ``sha256=``-prefixed hex or base64 accepted). Header names, event names and the
body's fields are *assumed* (see ``docs/monitoring.md``, "What is not settled") and can be
changed through :class:`WebhookHeaders` and ``order_events`` without a new release.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from attrs import frozen

from ..errors import ValidationError
from .replay import MemoryReplayStore, ReplayStore

__all__ = [
    "MAX_ORDERS",
    "ORDER_EVENTS",
    "Dispatch",
    "WebhookHeaders",
    "WebhookReceiver",
    "WebhookResult",
    "order_serials",
    "sign",
]

logger = logging.getLogger("salesmanago_idosell")

#: Event types handled as order events (assumed names; see the module docstring).
ORDER_EVENTS = frozenset(
    {
        "orders.created",
        "orders.changed",
        "orders.updated",
        "order.created",
        "order.changed",
        "order.updated",
    }
)
#: Most order serial numbers accepted in one delivery.
MAX_ORDERS = 100
#: What the receiver calls with a valid delivery's order serial numbers.
Dispatch = Callable[[tuple[int, ...]], object]
_SERIAL_KEYS = ("orderSerialNumber", "serialNumber", "order_serial_number", "orderSn")
_LIST_KEYS = ("ordersSerialNumbers", "orderSerialNumbers", "serialNumbers")
_CONTAINERS = ("order", "orders", "data", "object", "payload", "results", "Results")


@frozen(kw_only=True)
class WebhookHeaders:
    """The header names of a delivery (lower case; the defaults are assumptions).

    Attributes:
        signature: HMAC-SHA256 of the raw body.
        event: the event type (falls back to the body's ``event`` / ``type``).
        uid: the delivery's unique event id. The signed body's ``uid`` wins when it has one
            (headers are not signed); a header that disagrees with it refuses the delivery.
        time: when the event was sent: Unix seconds or ISO 8601; the signed body's ``time`` /
            ``date`` wins when present, and a header that disagrees with it refuses the
            delivery; a time without offset is read in the shop's time zone.
        authorization: carries ``Bearer <token>``.
    """

    signature: str = "x-iai-hmac-sha256"
    event: str = "x-iai-event"
    uid: str = "x-iai-event-uid"
    time: str = "x-iai-event-time"
    authorization: str = "authorization"


#: The assumed header names.
DEFAULT_HEADERS = WebhookHeaders()


@frozen
class WebhookResult:
    """The receiver's answer: an HTTP status, a short message, the orders handed over."""

    status: int
    message: str
    serials: tuple[int, ...] = ()

    @property
    def accepted(self) -> bool:
        """True when the delivery's orders were handed to the dispatcher."""
        return self.status == 202

    def json_bytes(self) -> bytes:
        """The JSON body of the answer."""
        body = {"success": 200 <= self.status < 300, "message": self.message}
        return json.dumps(body).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``body`` with ``secret`` (what the sender puts in the header)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _signature_bytes(value: str) -> bytes | None:
    text = value.strip()
    if text.lower().startswith("sha256="):
        text = text[7:]
    if len(text) == 64:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _int_serial(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def order_serials(payload: Any, *, depth: int = 3) -> tuple[int, ...]:
    """The order serial numbers named in a delivery's body, in order, without repeats.

    Looks for ``orderSerialNumber`` (and spellings), lists such as ``ordersSerialNumbers``,
    at the top level and inside ``order`` / ``orders`` / ``data`` containers.
    """
    found: list[int] = []

    def walk(value: Any, level: int) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, level)
            return
        if not isinstance(value, Mapping) or level > depth:
            return
        for key in _SERIAL_KEYS:
            if (number := _int_serial(value.get(key))) is not None:
                found.append(number)
        for key in _LIST_KEYS:
            values = value.get(key)
            if isinstance(values, list):
                found.extend(n for v in values if (n := _int_serial(v)) is not None)
        for key in _CONTAINERS:
            if key in value:
                walk(value[key], level + 1)

    walk(payload, 0)
    return tuple(dict.fromkeys(found))


class WebhookReceiver:
    """Receives IdoSell webhooks (see the module docstring for the checks and answers).

    Args:
        secret: the shared secret of the HMAC-SHA256 signature (never logged or shown).
        token: the bearer token the sender puts in ``Authorization`` (never logged or shown).
        dispatch: called with the serial numbers of a valid delivery; must return quickly.
        replay: remembers event uids (default: in memory).
        tolerance: how far an event time may be from now, either way.
        headers: the header names.
        order_events: the event types handled.
        shop_timezone: the zone of event times without an offset (the shop's).
        now: the current UTC time (injected in tests).

    Example:
        >>> receiver = integration.webhook_receiver(secret=..., token=...)  # doctest: +SKIP
        >>> answer = receiver.handle(request.headers, request.body)  # doctest: +SKIP
        >>> return answer.json_bytes(), answer.status  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        secret: str,
        token: str,
        dispatch: Dispatch,
        replay: ReplayStore | None = None,
        tolerance: timedelta = timedelta(minutes=5),
        headers: WebhookHeaders = DEFAULT_HEADERS,
        order_events: Collection[str] = ORDER_EVENTS,
        shop_timezone: str | tzinfo = "Europe/Warsaw",
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        if not secret:
            raise ValidationError("the webhook secret must not be empty", field="secret")
        if not token:
            raise ValidationError("the webhook token must not be empty", field="token")
        self._secret = secret.encode("utf-8")
        self._token = hashlib.sha256(token.encode("utf-8")).digest()
        self.dispatch = dispatch
        self.replay: ReplayStore = replay if replay is not None else MemoryReplayStore()
        self.tolerance = tolerance
        self.headers = headers
        self.order_events = frozenset(order_events)
        self.timezone = ZoneInfo(shop_timezone) if isinstance(shop_timezone, str) else shop_timezone
        self._now = now

    def __repr__(self) -> str:
        return f"WebhookReceiver(replay={self.replay!r}, tolerance={self.tolerance})"

    def close(self) -> None:
        """Finish the dispatcher's queued work (when it has ``close``); close the replay store."""
        close = getattr(self.dispatch, "close", None)
        if callable(close):
            close()
        self.replay.close()

    def handle(self, headers: Mapping[str, str], body: bytes) -> WebhookResult:
        """Check one delivery and hand its orders over; never raises for bad input."""
        lower = {k.lower(): v for k, v in headers.items()}
        refused = self._authenticate(lower, body)
        if refused is not None:
            return refused
        try:
            payload = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):  # UnicodeDecodeError; nesting too deep
            payload = None
        if not isinstance(payload, dict):
            return WebhookResult(400, "malformed body: not a JSON object")
        stale = self._check_time(lower, payload)
        if stale is not None:
            return stale
        return self._accept(lower, payload)

    def _authenticate(self, headers: Mapping[str, str], body: bytes) -> WebhookResult | None:
        scheme, _, given = headers.get(self.headers.authorization, "").strip().partition(" ")
        digest = hashlib.sha256(given.strip().encode("utf-8", "replace")).digest()
        if scheme.lower() != "bearer" or not hmac.compare_digest(digest, self._token):
            return WebhookResult(401, "invalid token")
        signature = _signature_bytes(headers.get(self.headers.signature, ""))
        expected = hmac.new(self._secret, body, hashlib.sha256).digest()
        if signature is None or not hmac.compare_digest(signature, expected):
            return WebhookResult(401, "invalid signature")
        return None

    def _event_time(
        self, headers: Mapping[str, str], payload: Mapping[str, Any]
    ) -> datetime | None:
        """The event time, from the signed body when it has one (headers are not signed)."""
        signed = payload.get("time") or payload.get("date")
        raw = signed if signed is not None else headers.get(self.headers.time)
        if raw is None:
            return None
        return self._moment(raw)

    def _moment(self, raw: Any) -> datetime | None:
        text = str(raw).strip()
        try:
            return datetime.fromtimestamp(float(text), timezone.utc)
        except (ValueError, OverflowError, OSError):
            pass
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=self.timezone)

    def _check_time(
        self, headers: Mapping[str, str], payload: Mapping[str, Any]
    ) -> WebhookResult | None:
        sent = self._event_time(headers, payload)
        if sent is None:
            return WebhookResult(400, "stale or undated delivery: no readable event time")
        header = headers.get(self.headers.time)
        if header is not None and (payload.get("time") or payload.get("date")) is not None:
            claimed = self._moment(header)
            if claimed is None or abs(claimed - sent) > timedelta(seconds=1):
                return WebhookResult(400, "event time header disagrees with the signed body")
        if abs(self._now() - sent) > self.tolerance:
            return WebhookResult(400, "stale delivery: event time outside the tolerance")
        return None

    def _accept(self, headers: Mapping[str, str], payload: Mapping[str, Any]) -> WebhookResult:
        event = str(
            headers.get(self.headers.event) or payload.get("event") or payload.get("type") or ""
        )
        if event not in self.order_events:
            logger.info("webhook: ignored event type %r", event[:60])
            return WebhookResult(200, f"ignored event type {event[:60]!r}")
        uid = self._uid(headers, payload)
        if isinstance(uid, WebhookResult):
            return uid
        serials = order_serials(payload)
        if not serials:
            return WebhookResult(400, "malformed delivery: no order serial number")
        if len(serials) > MAX_ORDERS:
            return WebhookResult(400, f"more than {MAX_ORDERS} orders in one delivery")
        if not self.replay.remember(uid, at=self._now()):
            return WebhookResult(200, "already received")
        return self._hand_over(uid, serials)

    def _uid(self, headers: Mapping[str, str], payload: Mapping[str, Any]) -> str | WebhookResult:
        """The delivery's uid: the signed body's, else the header's (a body ``id`` is not)."""
        signed_uid = payload.get("uid")
        header_uid = headers.get(self.headers.uid)
        if signed_uid and header_uid and str(signed_uid) != str(header_uid):
            return WebhookResult(400, "event uid header disagrees with the signed body")
        uid = str(signed_uid or header_uid or "")
        if not uid or len(uid) > 200:
            return WebhookResult(400, "malformed delivery: no event uid")
        return uid

    def _hand_over(self, uid: str, serials: Sequence[int]) -> WebhookResult:
        try:
            self.dispatch(tuple(serials))
        except Exception:
            logger.exception("webhook: the dispatcher failed; the delivery may be retried")
            self.replay.forget(uid)
            return WebhookResult(503, "could not queue the orders; retry later")
        logger.info("webhook: %d orders queued for a targeted sync", len(serials))
        return WebhookResult(202, f"accepted {len(serials)} orders", tuple(serials))
