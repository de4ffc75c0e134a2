"""IdoSell webhooks -> targeted order syncs.

Example:
    >>> receiver = integration.webhook_receiver(secret="...", token="...")  # doctest: +SKIP
    >>> app = make_wsgi_app(receiver)  # serve with any WSGI server  # doctest: +SKIP
"""

from .dispatch import ThreadDispatcher, inline
from .receiver import (
    MAX_ORDERS,
    ORDER_EVENTS,
    Dispatch,
    WebhookHeaders,
    WebhookReceiver,
    WebhookResult,
    order_serials,
    sign,
)
from .replay import DEFAULT_RETENTION, MemoryReplayStore, ReplayStore, SQLiteReplayStore
from .targeted import sync_orders_by_serial
from .wsgi import MAX_BODY, make_wsgi_app

__all__ = [
    "DEFAULT_RETENTION",
    "MAX_BODY",
    "MAX_ORDERS",
    "ORDER_EVENTS",
    "Dispatch",
    "MemoryReplayStore",
    "ReplayStore",
    "SQLiteReplayStore",
    "ThreadDispatcher",
    "WebhookHeaders",
    "WebhookReceiver",
    "WebhookResult",
    "inline",
    "make_wsgi_app",
    "order_serials",
    "sign",
    "sync_orders_by_serial",
]
