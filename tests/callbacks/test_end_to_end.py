"""End to end against the sandbox's fake IdoSell: the stored approval really changes."""

from __future__ import annotations

import dataclasses
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from salesmanago_idosell._validation import email_problem
from salesmanago_idosell.callbacks import Callbacks
from salesmanago_idosell.testing import Customer, FakeIdoSell

from .conftest import TOKEN

PUT = "PUT /clients/clients"


def unsubscribed(fake: FakeIdoSell) -> Customer:
    """A customer with a valid e-mail and no newsletter consent."""
    return next(
        c for c in fake.shop.customers if not c.newsletter_since and email_problem(c.email) is None
    )


def test_opt_in_then_out_changes_the_fake_shop(
    fake: FakeIdoSell, fake_callbacks: Callbacks
) -> None:
    customer = unsubscribed(fake)
    params = {"email": customer.email, "token": TOKEN}

    first = fake_callbacks.handle("opt_in", params)
    assert (first.status, first.changed) == (200, True)
    assert fake.shop.customer(customer.id).newsletter_since is not None
    assert fake.count(PUT) == 1

    again = fake_callbacks.handle("opt_in", params)
    assert (again.status, again.changed) == (200, False)
    assert fake.count(PUT) == 1, "a repeated callback sends no second PUT"

    out = fake_callbacks.handle("opt_out", params)
    assert (out.status, out.changed) == (200, True)
    assert fake.shop.customer(customer.id).newsletter_since is None
    assert fake.count(PUT) == 2


def test_subscriber_without_account_is_404_and_unchanged(
    fake: FakeIdoSell, fake_callbacks: Callbacks
) -> None:
    guest = fake.add_subscriber("gosc.newslettera@example.pl", approved=True)
    before = dataclasses.replace(guest)

    answer = fake_callbacks.handle("opt_out", {"email": guest.email, "token": TOKEN})

    assert answer.status == 404
    assert guest == before
    assert fake.count(PUT) == 0


def test_forged_token_never_reaches_the_shop(fake: FakeIdoSell, fake_callbacks: Callbacks) -> None:
    customer = unsubscribed(fake)
    answer = fake_callbacks.handle("opt_in", {"email": customer.email, "token": TOKEN[:-1]})
    assert answer.status == 403
    assert fake.requests == []
    assert fake.shop.customer(customer.id).newsletter_since is None


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output clean."""


@pytest.fixture
def served(fake_callbacks: Callbacks) -> Iterator[str]:
    """The callbacks' WSGI app on a real loopback ``wsgiref`` server; yields its base URL."""
    server: WSGIServer = make_server(
        "127.0.0.1", 0, fake_callbacks.wsgi_app(), handler_class=_Quiet
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def get(url: str) -> tuple[int, Any]:
    """GET ``url``; the status and the JSON body (also for error statuses)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_pasted_url_works_in_a_real_wsgi_server(
    fake: FakeIdoSell, fake_callbacks: Callbacks, served: str
) -> None:
    # SALESmanago puts the raw e-mail in place of $email$: a "+" arrives unescaped
    template = next(iter(fake.shop.customers))
    plus = dataclasses.replace(
        template, id=9001, login="plus9001", email="ala+sm@example.pl", newsletter_since=None
    )
    fake.add_customer(plus)
    url = fake_callbacks.opt_in_url(served).replace("$email$", plus.email)

    assert get(url) == (200, {"success": True, "message": "Email successfully subscribed"})
    assert fake.shop.customer(9001).newsletter_since is not None
    assert get(url) == (200, {"success": True, "message": "Email already subscribed"})
    assert get(url.replace(TOKEN, "forged"))[0] == 403
    assert get(served + "/elsewhere")[0] == 404
    assert fake.count(PUT) == 1
