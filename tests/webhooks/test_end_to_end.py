"""Webhooks on the sandbox: a new order reaches SALESmanago without a poll, exactly once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from zoneinfo import ZoneInfo

import pytest
import requests

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.orders import ORDERS_KEY
from salesmanago_idosell.testing import Sandbox
from salesmanago_idosell.testing.shop import Order
from salesmanago_idosell.webhooks import SQLiteReplayStore, ThreadDispatcher, make_wsgi_app

from ..integration.support import config_for, make_integration, sandbox, valid

SECRET = "whsec-e2e-secret"
TOKEN = "e2e-token"


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        """No request log on stderr."""


@contextmanager
def serving(integration: Integration) -> Iterator[tuple[str, ThreadDispatcher]]:
    """The integration's webhook receiver on a loopback WSGI server: its URL, its dispatcher."""
    receiver = integration.webhook_receiver(secret=SECRET, token=TOKEN)
    dispatcher = receiver.dispatch
    assert isinstance(dispatcher, ThreadDispatcher)
    server: WSGIServer = make_server("127.0.0.1", 0, make_wsgi_app(receiver), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/webhooks/idosell", dispatcher
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        receiver.close()


def _purchases(box: Sandbox, serial: int) -> int:
    return sum(
        1 for e in box.salesmanago.events.values() if e.fields.get("externalId") == str(serial)
    )


def _new_order(box: Sandbox) -> Order:
    """An order placed now (shop-local time, as IdoSell stores it) by a consenting customer."""
    customer = next(c for c in box.shop.customers if c.newsletter_since and valid(c.email))
    now = datetime.now(ZoneInfo("Europe/Warsaw")).replace(tzinfo=None, microsecond=0)
    return box.idosell.add_order(customer.id, [(box.shop.products[0].id, 2)], added=now)


def _searches(box: Sandbox) -> int:
    return sum(1 for r in box.idosell.requests if r.endpoint == "POST /orders/orders/search")


def test_a_created_order_arrives_without_a_poll_and_the_next_poll_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    with sandbox(customers=20, orders=15, products=6) as box:
        config = config_for(box, consent_mode=ConsentMode.ALL)
        integration = Integration(config, state=tmp_path / "state.sqlite", sleep=lambda _: None)
        first = integration.sync_orders()
        assert first.ok
        cursor_after_poll = integration.state.cursor(ORDERS_KEY)
        events_before = len(box.salesmanago.events)
        with serving(integration) as (url, dispatcher):
            order = _new_order(box)
            searches = _searches(box)
            status, answer = box.idosell.send_order_webhook(
                url, [order.serial], secret=SECRET, token=TOKEN, uid="evt-1"
            )
            assert (status, answer) == (202, {"success": True, "message": "accepted 1 orders"})
            dispatcher.wait(timeout=30)
            assert _purchases(box, order.serial) == 1, dispatcher.last
            assert len(box.salesmanago.events) == events_before + 1
            assert _searches(box) == searches + 1  # one targeted search, no poll
            report = dispatcher.last
            assert report.streams["orders"].sent == 1
            # the same delivery again (IdoSell retrying): answered, not sent again
            status, answer = box.idosell.send_order_webhook(
                url, [order.serial], secret=SECRET, token=TOKEN, uid="evt-1"
            )
            assert (status, answer["message"]) == (200, "already received")
            # an update of the same order (a new event): read again, skipped as already sent
            status, _ = box.idosell.send_order_webhook(
                url, [order.serial], secret=SECRET, token=TOKEN, event="orders.updated"
            )
            assert status == 202
            dispatcher.wait(timeout=30)
            assert dispatcher.last.streams["orders"].sent == 0
        # the poll's position is kept: targeted runs never move the cursor
        assert integration.state.cursor(ORDERS_KEY) == cursor_after_poll
        poll = integration.sync_orders()
        orders = poll.streams["orders"]
        assert orders.read >= 1
        assert orders.sent == 0
        assert orders.skipped["already sent"] >= 1
        assert _purchases(box, order.serial) == 1
        integration.close()


def test_webhook_before_the_first_poll_then_the_poll_skips_that_order() -> None:
    with sandbox(customers=20, orders=10, products=6) as box:
        integration = make_integration(box, consent_mode=ConsentMode.ALL)
        order = _new_order(box)
        report = integration.sync_orders_by_serial([order.serial, str(order.serial)])
        assert report.streams["orders"].sent == 1
        poll = integration.sync_orders()
        assert poll.ok
        assert poll.streams["orders"].skipped["already sent"] == 1
        assert _purchases(box, order.serial) == 1


def test_unknown_serials_are_skips_and_bad_ones_are_refused() -> None:
    with sandbox(customers=10, orders=5, products=4) as box:
        integration = make_integration(box, consent_mode=ConsentMode.ALL)
        report = integration.sync_orders_by_serial([99999])
        assert report.streams["orders"].skipped == {"not found in the shop": 1}
        for bad in (["x"], [0], [-3]):
            with pytest.raises(ValidationError):
                integration.sync_orders_by_serial(bad)


def test_dry_run_sends_and_records_nothing() -> None:
    with sandbox(customers=10, orders=5, products=4) as box:
        integration = make_integration(box, consent_mode=ConsentMode.ALL)
        order = _new_order(box)
        report = integration.sync_orders_by_serial([order.serial], dry_run=True)
        assert report.dry_run
        assert report.streams["orders"].sent == 1
        assert box.salesmanago.events == {}
        assert integration.state.cursor(ORDERS_KEY) is None
        assert integration.sync_orders_by_serial([order.serial]).streams["orders"].sent == 1


def test_the_wsgi_app_refuses_other_methods_and_huge_bodies(tmp_path: Path) -> None:
    with sandbox(customers=5, orders=2, products=2) as box:
        integration = Integration(
            make_integration(box).config, state=tmp_path / "s.sqlite", sleep=lambda _: None
        )
        with serving(integration) as (url, _):
            assert requests.get(url, timeout=5).status_code == 405
            big = requests.post(url, data=b"x" * (1024 * 1024 + 1), timeout=10)
            assert big.status_code == 413
            unsigned = requests.post(url, data=b"{}", timeout=5)
            assert unsigned.status_code == 401
            assert unsigned.json() == {"success": False, "message": "invalid token"}
        receiver = integration.webhook_receiver(secret=SECRET, token=TOKEN)
        assert isinstance(receiver.replay, SQLiteReplayStore)
        assert receiver.replay.path == tmp_path / "s.sqlite"
        assert isinstance(receiver.dispatch, ThreadDispatcher)
        receiver.close()
        integration.close()
