"""The webhook receiver: each kind of delivery and its answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.testing.webhooks import webhook_delivery
from salesmanago_idosell.webhooks import (
    MemoryReplayStore,
    WebhookHeaders,
    WebhookReceiver,
    order_serials,
    sign,
)

SECRET = "whsec-7f3a9c"
TOKEN = "tok-12ab"
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[int, ...]] = []
        self.fail = fail

    def __call__(self, serials: tuple[int, ...]) -> None:
        if self.fail:
            raise RuntimeError("queue down")
        self.calls.append(serials)


def make(dispatch: Recorder | None = None, **options: Any) -> tuple[WebhookReceiver, Recorder]:
    recorder = dispatch or Recorder()
    receiver = WebhookReceiver(
        secret=SECRET, token=TOKEN, dispatch=recorder, now=lambda: NOW, **options
    )
    return receiver, recorder


def delivery(**options: Any) -> tuple[dict[str, str], bytes]:
    settings: dict[str, Any] = {"secret": SECRET, "token": TOKEN, "serials": [7], "sent_at": NOW}
    settings.update(options)
    return webhook_delivery(**settings)


def test_valid_delivery_is_accepted_and_handed_over() -> None:
    receiver, recorder = make()
    result = receiver.handle(*delivery(serials=[7, 9, 7]))
    assert (result.status, result.message, result.serials) == (202, "accepted 2 orders", (7, 9))
    assert result.accepted
    assert recorder.calls == [(7, 9)]
    assert json.loads(result.json_bytes()) == {"success": True, "message": "accepted 2 orders"}


def test_bad_signature_is_401_and_nothing_happens() -> None:
    receiver, recorder = make()
    headers, body = delivery()
    tampered = body.replace(b'"orderSerialNumber": 7', b'"orderSerialNumber": 8')
    assert receiver.handle(headers, tampered).status == 401
    headers["x-iai-hmac-sha256"] = sign("other-secret", body)
    result = receiver.handle(headers, body)
    assert (result.status, result.message) == (401, "invalid signature")
    del headers["x-iai-hmac-sha256"]
    assert receiver.handle(headers, body).status == 401
    assert recorder.calls == []


@pytest.mark.parametrize("form", ["hex", "prefixed", "base64", "upper"])
def test_signature_encodings_accepted(form: str) -> None:
    receiver, _ = make()
    headers, body = delivery()
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).digest()
    headers["x-iai-hmac-sha256"] = {
        "hex": digest.hex(),
        "prefixed": "sha256=" + digest.hex(),
        "base64": base64.b64encode(digest).decode(),
        "upper": digest.hex().upper(),
    }[form]
    assert receiver.handle(headers, body).status == 202


@pytest.mark.parametrize("auth", ["Bearer wrong", "Basic " + TOKEN, "", TOKEN, "Bearer"])
def test_bad_token_is_401(auth: str) -> None:
    receiver, recorder = make()
    headers, body = delivery()
    headers["authorization"] = auth
    result = receiver.handle(headers, body)
    assert (result.status, result.message) == (401, "invalid token")
    assert recorder.calls == []


def test_header_names_are_case_insensitive() -> None:
    receiver, _ = make()
    headers, body = delivery()
    shouted = {k.upper(): v for k, v in headers.items()}
    assert receiver.handle(shouted, body).status == 202


def test_replayed_uid_is_answered_200_and_not_handed_over_again() -> None:
    receiver, recorder = make()
    headers, body = delivery(uid="evt-1")
    assert receiver.handle(headers, body).status == 202
    again = receiver.handle(headers, body)
    assert (again.status, again.message) == (200, "already received")
    other_body_same_uid = delivery(uid="evt-1", serials=[8])
    assert receiver.handle(*other_body_same_uid).message == "already received"
    assert recorder.calls == [(7,)]


@pytest.mark.parametrize(
    "offset", [timedelta(minutes=-6), timedelta(minutes=6), timedelta(days=-1)]
)
def test_stale_or_future_time_is_400(offset: timedelta) -> None:
    receiver, recorder = make()
    result = receiver.handle(*delivery(sent_at=NOW + offset))
    assert (result.status, result.message) == (
        400,
        "stale delivery: event time outside the tolerance",
    )
    assert recorder.calls == []


def test_time_inside_the_tolerance_and_iso_times_are_fine() -> None:
    receiver, _ = make()
    assert receiver.handle(*delivery(sent_at=NOW - timedelta(minutes=4))).status == 202
    for n, header_time in enumerate(["2026-11-30 13:01:00", "2026-11-30T12:01:00+00:00"]):
        payload = {
            "event": "orders.created",
            "uid": f"iso-{n}",
            "orders": [{"orderSerialNumber": 7}],
        }
        raw = json.dumps(payload).encode()  # a body without its own time: the header counts
        headers = {"authorization": f"Bearer {TOKEN}", "x-iai-hmac-sha256": sign(SECRET, raw),
                   "x-iai-event-time": header_time}  # fmt: skip
        assert receiver.handle(headers, raw).status == 202  # shop-local (UTC+1) and ISO
        headers["x-iai-event-time"] = "yesterday"
        headers["x-iai-event-uid"] = f"third-{n}"
        assert receiver.handle(headers, raw).message.startswith("stale or undated")


def test_unsigned_headers_cannot_refresh_a_captured_delivery() -> None:
    """The HMAC covers the body only: a time or uid header that disagrees with the signed
    body is refused, so an old delivery cannot be replayed with fresh headers."""
    receiver, recorder = make()
    headers, body = delivery(sent_at=NOW - timedelta(hours=2), uid="u1")
    assert receiver.handle(headers, body).message.startswith("stale delivery")
    fresh = {**headers, "x-iai-event-time": str(int(NOW.timestamp())), "x-iai-event-uid": "new"}
    result = receiver.handle(fresh, body)
    assert result.status == 400
    assert "disagrees with the signed body" in result.message
    assert recorder.calls == []


def test_unknown_event_type_is_ignored_with_200() -> None:
    receiver, recorder = make()
    result = receiver.handle(*delivery(event="products.changed"))
    assert (result.status, result.message) == (200, "ignored event type 'products.changed'")
    assert recorder.calls == []


def test_order_events_are_configurable() -> None:
    receiver, recorder = make(order_events={"orders.paid"})
    assert receiver.handle(*delivery(event="orders.created")).status == 200
    assert receiver.handle(*delivery(event="orders.paid")).status == 202
    assert recorder.calls == [(7,)]


def test_malformed_json_is_400() -> None:
    receiver, recorder = make()
    headers, _ = delivery()
    deep = b"[" * 100_000 + b"]" * 100_000  # json.loads: RecursionError (it escaped)
    for body in (b"{not json", b"[1, 2]", b"\xff\xfe", b"", deep):
        headers["x-iai-hmac-sha256"] = sign(SECRET, body)
        result = receiver.handle(headers, body)
        assert (result.status, result.message) == (400, "malformed body: not a JSON object")
    assert recorder.calls == []


def test_no_uid_or_no_serial_is_400() -> None:
    receiver, _ = make()
    headers, body = delivery(serials=[])
    assert receiver.handle(headers, body).message == "malformed delivery: no order serial number"
    payload = {"event": "orders.created", "orders": [{"orderSerialNumber": 1}]}
    raw = json.dumps(payload).encode()
    headers = {**headers, "x-iai-hmac-sha256": sign(SECRET, raw), "x-iai-event-uid": ""}
    assert receiver.handle(headers, raw).message == "malformed delivery: no event uid"


def test_too_many_orders_is_400() -> None:
    receiver, _ = make()
    assert receiver.handle(*delivery(serials=list(range(1, 102)))).status == 400


def test_a_failing_dispatcher_is_503_and_the_retry_gets_in() -> None:
    failing = Recorder(fail=True)
    receiver, _ = make(failing)
    headers, body = delivery(uid="evt-9")
    assert receiver.handle(headers, body).status == 503
    failing.fail = False
    assert receiver.handle(headers, body).status == 202
    assert failing.calls == [(7,)]


def test_custom_header_names() -> None:
    names = WebhookHeaders(signature="x-sig", event="x-ev", uid="x-id", time="x-ts")
    receiver, recorder = make(headers=names)
    assert receiver.handle(*delivery(names=names)).status == 202
    assert recorder.calls == [(7,)]


def test_body_fallbacks_for_event_uid_and_time() -> None:
    receiver, recorder = make()
    payload = {"type": "order.created", "uid": "u-1", "date": NOW.isoformat(),
               "order": {"orderSerialNumber": "12"}}  # fmt: skip
    raw = json.dumps(payload).encode()
    headers = {"authorization": f"Bearer {TOKEN}", "x-iai-hmac-sha256": sign(SECRET, raw)}
    assert receiver.handle(headers, raw).status == 202
    assert recorder.calls == [(12,)]
    # a body's "id" is the order's or the shop's, not the delivery's: never a uid
    other: dict[str, Any] = {"type": "order.created", "id": 555, "date": NOW.isoformat(),
                             "order": {"orderSerialNumber": "13"}}  # fmt: skip
    raw = json.dumps(other).encode()
    headers = {"authorization": f"Bearer {TOKEN}", "x-iai-hmac-sha256": sign(SECRET, raw)}
    assert receiver.handle(headers, raw).message == "malformed delivery: no event uid"


def test_order_serials_finds_the_known_shapes() -> None:
    assert order_serials({"orderSerialNumber": 3}) == (3,)
    assert order_serials({"orders": [{"orderSerialNumber": 4}, {"serialNumber": "5"}]}) == (4, 5)
    assert order_serials({"data": {"ordersSerialNumbers": [6, "x", -1, 7]}}) == (6, 7)
    assert order_serials({"orderSerialNumber": True, "orderId": "1-3"}) == ()
    deep: dict[str, Any] = {"data": {"data": {"data": {"data": {"orderSerialNumber": 1}}}}}
    assert order_serials(deep) == ()


def test_secrets_are_required_and_never_shown() -> None:
    with pytest.raises(ValidationError):
        WebhookReceiver(secret="", token=TOKEN, dispatch=Recorder())
    with pytest.raises(ValidationError):
        WebhookReceiver(secret=SECRET, token="", dispatch=Recorder())
    receiver, _ = make()
    assert SECRET not in repr(receiver)
    assert TOKEN not in repr(receiver)
    assert isinstance(receiver.replay, MemoryReplayStore)
