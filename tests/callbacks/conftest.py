"""Shared fixtures of the callback tests: a mocked IdoSell, a fake IdoSell and CRM rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import responses

from salesmanago_idosell._transport import RetryPolicy
from salesmanago_idosell.callbacks import Callbacks
from salesmanago_idosell.idosell import IdosellClient
from salesmanago_idosell.testing import FakeIdoSell, generate_shop

SHOP = "https://sklep.example.pl"
BASE = SHOP + "/api/admin/v6"
SEARCH_URL = BASE + "/clients/crm/search"
CLIENTS_URL = BASE + "/clients/clients"
API_KEY = "idosell-key-Qw8x2"
TOKEN = "Tok-9_zZ"
EMAIL = "jan.kowalski@example.pl"


def crm_row(
    *, email: str = EMAIL, login: str = "jkowalski", approved: bool | None = False, shop_id: int = 1
) -> dict[str, Any]:
    """One ``clientsResults`` row of the CRM search (consent ``y``/``n`` in ``shop_id``)."""
    row: dict[str, Any] = {"clientId": 1024, "clientLogin": login, "clientEmail": email}
    if approved is not None:
        flag = "y" if approved else "n"
        row["newsletterEmailApprovalsData"] = [
            {"inNewsletterEmailApproval": flag, "shopId": shop_id}
        ]
    return row


def crm_page(*rows: dict[str, Any]) -> dict[str, Any]:
    """A CRM search answer holding ``rows`` (faultCode 2 "empty result" when there are none)."""
    if not rows:
        return {"errors": {"faultCode": 2, "faultString": "Empty result"}}
    meta = {"resultsNumberAll": len(rows), "resultsNumberPage": 1, "resultsPage": 0}
    return {**meta, "resultsLimit": 10, "clientsResults": list(rows)}


PUT_OK = {"results": [{"resultStatus": True, "clientsResult": {"clientId": 1024}, "errors": []}]}


def sent_json(call: Any) -> Any:
    """The JSON body of a recorded ``responses`` call."""
    return json.loads(call.request.body)


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """Mocked HTTP; every registered answer must be used."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


@pytest.fixture
def shop() -> IdosellClient:
    """An IdoSell client for the mocked shop; one attempt per call, no sleeping."""
    retry = RetryPolicy(max_attempts=1)
    return IdosellClient(shop_url=SHOP, api_key=API_KEY, retry=retry, sleep=lambda _: None)


@pytest.fixture
def callbacks(shop: IdosellClient) -> Callbacks:
    """The handler under test, on the mocked shop."""
    return Callbacks(token=TOKEN, idosell=shop)


@pytest.fixture
def fake() -> Iterator[FakeIdoSell]:
    """A running fake IdoSell with a small seeded shop."""
    shop = generate_shop(5, customers=12, subscribers=4, orders=3, products=4)
    with FakeIdoSell(shop, seed=5) as server:
        yield server


@pytest.fixture
def fake_callbacks(fake: FakeIdoSell) -> Iterator[Callbacks]:
    """The handler on a client of the fake IdoSell."""
    with IdosellClient(shop_url=fake.url, api_key=fake.api_key) as client:
        yield Callbacks(token=TOKEN, idosell=client)
