"""Signed IdoSell-style webhook deliveries, built or sent to a URL (loopback in tests).

The shape follows the receiver's assumptions (:mod:`salesmanago_idosell.webhooks`): a JSON
body ``{"event", "uid", "time", "orders": [{"orderSerialNumber", "orderId"}]}``, the event
type, uid and Unix time repeated in ``x-iai-*`` headers, the hex HMAC-SHA256 of the body and
``Authorization: Bearer <token>``.

Example:
    >>> headers, body = webhook_delivery(secret="s", token="t", serials=[7])
    >>> headers["x-iai-event"]
    'orders.created'
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from ..webhooks.receiver import DEFAULT_HEADERS, WebhookHeaders, sign

__all__ = ["send_webhook", "webhook_delivery"]


def webhook_delivery(
    *,
    secret: str,
    token: str,
    serials: Sequence[int],
    event: str = "orders.created",
    uid: str | None = None,
    sent_at: datetime | None = None,
    shop_id: int = 1,
    names: WebhookHeaders = DEFAULT_HEADERS,
) -> tuple[dict[str, str], bytes]:
    """The headers and body of one signed delivery about some orders."""
    moment = sent_at or datetime.now(timezone.utc)
    uid = uid or str(uuid.uuid4())
    payload: dict[str, Any] = {
        "event": event,
        "uid": uid,
        "time": int(moment.timestamp()),
        "shopId": shop_id,
        "orders": [{"orderSerialNumber": n, "orderId": f"{shop_id}-{n}"} for n in serials],
    }
    body = json.dumps(payload).encode("utf-8")
    headers = {
        "content-type": "application/json",
        names.event: event,
        names.uid: uid,
        names.time: str(int(moment.timestamp())),
        names.signature: sign(secret, body),
        names.authorization: f"Bearer {token}",
    }
    return headers, body


def send_webhook(url: str, *, timeout: float = 10.0, **delivery: Any) -> tuple[int, Any]:
    """POST a delivery (see :func:`webhook_delivery`) to ``url``; its status and JSON answer."""
    headers, body = webhook_delivery(**delivery)
    if not url.startswith(("http://", "https://")):
        raise ValueError("send_webhook needs an http(s) URL")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")
