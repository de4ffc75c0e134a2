"""Newsletter subscribers: POST /clients/newsletter/email/search (snake_case gate)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import responses

from salesmanago_idosell.errors import ResponseValidationError, ValidationError
from salesmanago_idosell.idosell import IdosellClient, Subscriber, SubscriberShop

from .conftest import BASE, check_body, check_response, load, sent_body

URL = BASE + "/clients/newsletter/email/search"
PATH = "/clients/newsletter/email/search"
WARSAW = ZoneInfo("Europe/Warsaw")


def test_fixture_follows_the_spec() -> None:
    check_response(PATH, "post", load("newsletter_email.json"))


def test_subscribers_without_account(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=load("newsletter_email.json"))

    guest, member = list(client.newsletter.iter_email_subscribers(registered=False))

    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "shops": [{"shop_id": 1, "registered": "n"}],
            "results_page": 0,
            "results_limit": 100,
        }
    }
    check_body(PATH, "post", body)
    assert guest == Subscriber(
        email="zofia.wisniewska@example.pl",
        registered=False,
        language="pol",
        client_id=None,
        login=None,
        shops=(
            SubscriberShop(
                shop_id=1, approved=True, modified_at=datetime(2025, 10, 5, 14, 30, tzinfo=WARSAW)
            ),
        ),
    )
    assert guest.is_approved(1)
    assert member.registered
    assert member.client_id == 1024
    assert not member.is_approved()


def test_golden_body_with_every_filter(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(URL, json=load("newsletter_email.json"))
    iterator = client.newsletter.iter_email_subscribers(
        registered=True, since=datetime(2025, 10, 1, 6, 0), shop_ids=[2, 1], language="pol"
    )
    list(iterator)
    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "shops": [{"shop_id": 1, "registered": "y"}, {"shop_id": 2, "registered": "y"}],
            "date": {"from": "2025-10-01 06:00:00"},
            "language": "pol",
            "results_page": 0,
            "results_limit": 100,
        }
    }
    check_body(PATH, "post", body)


def test_shop_ids_without_registered_filter(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(URL, json=load("newsletter_email.json"))
    list(client.newsletter.iter_email_subscribers(shop_ids=[3]))
    body = sent_body(mocked.calls[0])
    assert body["params"]["shops"] == [{"shop_id": 3}]
    check_body(PATH, "post", body)


def test_empty_shop_ids_rejected(client: IdosellClient) -> None:
    with pytest.raises(ValidationError):
        client.newsletter.iter_email_subscribers(shop_ids=[])


def _one(shops: Any) -> dict[str, Any]:
    return {
        "results_number_all": 1,
        "results_number_page": 1,
        "clients": [
            {"client_number": 0, "registered": "n", "email": "ewa@example.pl", "shops": shops}
        ],
    }


def test_shops_keyed_by_shop_id(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    shops = {
        "1": {"approval": "y", "date_modification": "2025-01-02 03:04:05"},
        "3": {"shop_id": 3, "approval": "n", "date_modification": "0000-00-00 00:00:00"},
    }
    mocked.post(URL, json=_one(shops))
    (sub,) = client.newsletter.iter_email_subscribers()
    assert sub.shops == (
        SubscriberShop(
            shop_id=1, approved=True, modified_at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=WARSAW)
        ),
        SubscriberShop(shop_id=3, approved=False, modified_at=None),
    )


def test_shops_as_php_empty_array(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=_one([]))
    (sub,) = client.newsletter.iter_email_subscribers()
    assert sub.shops == ()
    assert not sub.is_approved()


def test_approval_given_as_a_date(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, json=_one([{"shop_id": 1, "approval": "2024-05-01 10:00:00"}]))
    (sub,) = client.newsletter.iter_email_subscribers()
    assert sub.is_approved(1)


def test_unknown_field_strict_vs_lenient(
    client: IdosellClient, lenient: IdosellClient, mocked: responses.RequestsMock
) -> None:
    page = _one([{"shop_id": 1, "approval": "y"}])
    page["clients"][0]["phone_cellular"] = "+48600000000"
    mocked.post(URL, json=page)
    mocked.post(URL, json=page)
    assert [s.email for s in lenient.newsletter.iter_email_subscribers()] == ["ewa@example.pl"]
    with pytest.raises(ResponseValidationError) as info:
        list(client.newsletter.iter_email_subscribers())
    assert info.value.endpoint == PATH


def test_empty_list_fault_code_two(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(URL, status=404, json={"errors": {"faultCode": 2, "faultString": "Pusty wynik"}})
    assert list(client.newsletter.iter_email_subscribers(registered=False)) == []
