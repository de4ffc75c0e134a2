"""No secret in DEBUG logs, reprs or exceptions across a full round of calls."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
import responses

from salesmanago_idosell.errors import SalesmanagoIdosellError
from salesmanago_idosell.salesmanago import CatalogProduct, ContactUpsert, EventType, ExternalEvent
from tests.salesmanago.support import API_KEY, API_SECRET, BASE, SHA, V3, V3_KEY, make_client, ok

SECRETS = (API_SECRET, API_KEY, SHA, V3_KEY)


@responses.activate
def test_full_round_of_calls_never_logs_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="salesmanago_idosell")
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c"))
    responses.post(f"{BASE}/contact/batchupsert", json=ok(contactIds={"a@b.pl": "c"}))
    responses.post(f"{BASE}/contact/addContactExtEvent", json=ok(eventId="e"))
    responses.post(f"{BASE}/contact/hasContact", json=ok(result=True))
    responses.get(f"{V3}/catalogList", json={"catalogs": []})
    responses.post(f"{V3}/upsert", json={"requestId": "r"})
    # an error page echoing the credentials back
    responses.post(f"{BASE}/contact/delete", status=400, body=f"bad {API_KEY} {SHA}")
    client = make_client()
    client.contacts.upsert(ContactUpsert(email="a@b.pl"))
    client.contacts.batch_upsert([ContactUpsert(email="a@b.pl")])
    client.events.add(
        ExternalEvent(type=EventType.VISIT, date=datetime.now(timezone.utc), email="a@b.pl")
    )
    client.contacts.exists("a@b.pl")
    client.catalogs.list()
    client.products.upsert("c-1", [CatalogProduct(product_id="1")])
    with pytest.raises(SalesmanagoIdosellError) as info:
        client.contacts.delete("a@b.pl")
    assert len(caplog.records) == 7
    texts = [caplog.text, str(info.value), repr(info.value), repr(client)]
    for secret in SECRETS:
        for text in texts:
            assert secret not in text
    assert "/contact/upsert -> 200" in caplog.text
