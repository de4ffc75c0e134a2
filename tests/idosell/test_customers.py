"""Customers: GET /clients/clients, POST /clients/crm/search, PUT /clients/clients."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import responses

from salesmanago_idosell.errors import IdosellAPIError, ValidationError
from salesmanago_idosell.idosell import Address, Customer, IdosellClient, NewsletterConsent, ShopRef

from .conftest import BASE, check_body, check_query, check_response, load, sent_body, sent_query

WARSAW = ZoneInfo("Europe/Warsaw")


def test_fixtures_follow_the_spec() -> None:
    check_response("/clients/clients", "get", load("clients_page.json"))
    check_response("/clients/crm/search", "post", load("crm_search.json"))
    check_response("/clients/clients", "put", load("clients_put.json"))


def test_iter_maps_every_field(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/clients/clients", json=load("clients_page.json"))

    jan, anna = list(client.customers.iter())

    assert jan == Customer(
        id=1024,
        login="jkowalski",
        email="jan.kowalski@example.pl",
        first_name="Jan",
        last_name="Kowalski",
        company="Kowalski Sp. z o.o.",
        birth_date=date(1985, 6, 15),
        phone="+48601234567",
        landline_phone="+48221234567",
        billing_address=Address(
            first_name="Jan",
            last_name="Kowalski",
            company="Kowalski Sp. z o.o.",
            street="ul. Marszałkowska 10/4",
            zip_code="00-590",
            city="Warszawa",
            country_code="pl",
            province="PL-14",
            phone="+48601234567",
        ),
        language="pol",
        registered_on=date(2023, 1, 20),
        modified_at=datetime(2025, 3, 18, 18, 49, 21, tzinfo=WARSAW),
        newsletter_consents=(
            NewsletterConsent(shop_id=1, approved=True, since=date(2024, 11, 2)),
            NewsletterConsent(shop_id=2, approved=False, since=None),
        ),
        active_in_shops=(ShopRef(shop_id=1, name="Sklep Główny"),),
        is_unregistered=False,
    )
    assert jan.consents_to_newsletter(1)
    assert not jan.consents_to_newsletter(2)
    assert anna.birth_date is None
    assert anna.is_unregistered
    assert anna.newsletter_consents == ()
    assert not anna.consents_to_newsletter()


def test_iter_golden_query(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(BASE + "/clients/clients", json=load("clients_page.json"))
    since = datetime(2025, 3, 1, 11, 30, tzinfo=timezone.utc)  # 12:30 in Warsaw (CET)

    list(
        client.customers.iter(
            modified_since=since, registered_since=date(2024, 1, 2), ids=[1024, 1025], shop_id=1
        )
    )

    query = sent_query(mocked.calls[0])
    assert query == {
        "clientsLastModificationDate[clientsLastModificationDateBegin]": ["2025-03-01 12:30:00"],
        "clientRegistrationDate[clientRegistrationDateBegin]": ["2024-01-02"],
        "clientsIds": ["1024,1025"],
        "shopId": ["1"],
        "resultsPage": ["0"],
        "resultsLimit": ["100"],
    }
    check_query("/clients/clients", "get", query)
    assert mocked.calls[0].request.headers["X-API-KEY"] == "idosell-test-key-7f3a9c"


def test_naive_datetimes_are_shop_local(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(BASE + "/clients/clients", json=load("clients_page.json"))
    list(client.customers.iter(modified_since=datetime(2025, 7, 1, 8, 0)))
    key = "clientsLastModificationDate[clientsLastModificationDateBegin]"
    assert sent_query(mocked.calls[0])[key] == ["2025-07-01 08:00:00"]


def test_custom_timezone(mocked: responses.RequestsMock) -> None:
    shop = IdosellClient(shop_url="sklep.example.pl", api_key="k", timezone="Europe/London")
    mocked.get(BASE + "/clients/clients", json=load("clients_page.json"))
    first = next(
        iter(shop.customers.iter(modified_since=datetime(2025, 7, 1, 12, 0, tzinfo=WARSAW)))
    )
    key = "clientsLastModificationDate[clientsLastModificationDateBegin]"
    assert sent_query(mocked.calls[0])[key] == ["2025-07-01 11:00:00"]
    assert first.modified_at == datetime(2025, 3, 18, 18, 49, 21, tzinfo=ZoneInfo("Europe/London"))


def test_empty_ids_rejected(client: IdosellClient) -> None:
    with pytest.raises(ValidationError) as info:
        client.customers.iter(ids=[])
    assert info.value.field == "ids"


def test_search_by_email(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(BASE + "/clients/crm/search", json=load("crm_search.json"))

    found = client.customers.search(email="jan.kowalski@example.pl").first()

    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "settingsExactSearch": True,
            "clientEmail": "jan.kowalski@example.pl",
            "resultsPage": 0,
            "resultsLimit": 1,
        }
    }
    check_body("/clients/crm/search", "post", body)
    assert found is not None
    assert found.id == 1024
    assert found.login == "jkowalski"
    assert found.landline_phone is None
    assert found.billing_address == Address(country_code="pl")
    assert found.newsletter_consents == (
        NewsletterConsent(shop_id=1, approved=True),
        NewsletterConsent(shop_id=2, approved=False),
    )


def test_search_by_login_substring(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(BASE + "/clients/crm/search", json=load("crm_search.json"))
    assert [c.id for c in client.customers.search(login="jkow", exact=False)] == [1024]
    body = sent_body(mocked.calls[0])
    assert body["params"]["clientLogin"] == "jkow"
    assert body["params"]["settingsExactSearch"] is False
    check_body("/clients/crm/search", "post", body)


def test_search_needs_a_criterion(client: IdosellClient) -> None:
    with pytest.raises(ValidationError):
        client.customers.search()


def test_search_not_found_is_none(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(
        BASE + "/clients/crm/search",
        json={"errors": {"faultCode": 2, "faultString": "Pusty wynik"}},
        status=207,
    )
    assert client.customers.search(email="nikt@example.pl").first() is None


def test_set_newsletter_approval(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.put(BASE + "/clients/clients", json=load("clients_put.json"))

    client_id = client.customers.set_newsletter_approval(
        login="jkowalski", approved=False, shop_ids=[2, 1]
    )

    body = sent_body(mocked.calls[0])
    assert body == {
        "params": {
            "clients": [
                {
                    "clientLogin": "jkowalski",
                    "newsletterEmailApprovalsData": [
                        {"inNewsletterEmailApproval": "n", "shopId": 1},
                        {"inNewsletterEmailApproval": "n", "shopId": 2},
                    ],
                }
            ]
        }
    }
    check_body("/clients/clients", "put", body)
    assert client_id == 1024


def test_set_newsletter_approval_item_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    answer = {
        "results": [
            {
                "resultStatus": False,
                "clientsResult": {"clientId": 0},
                "errors": [{"faultCode": 14, "faultString": "Niepoprawny identyfikator sklepu"}],
            }
        ]
    }
    mocked.put(BASE + "/clients/clients", json=answer, status=207)
    with pytest.raises(IdosellAPIError) as info:
        client.customers.set_newsletter_approval(login="jkowalski", approved=True, shop_ids=[9])
    assert info.value.fault_code == 14
    assert info.value.fault_string == "Niepoprawny identyfikator sklepu"
    assert info.value.endpoint == "/clients/clients"


def test_set_newsletter_approval_default_shop(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.put(BASE + "/clients/clients", json=load("clients_put.json"))
    client.customers.set_newsletter_approval(login="jkowalski", approved=True)
    approvals = sent_body(mocked.calls[0])["params"]["clients"][0]["newsletterEmailApprovalsData"]
    assert approvals == [{"inNewsletterEmailApproval": "y", "shopId": 1}]


def test_set_newsletter_approval_validates(client: IdosellClient) -> None:
    with pytest.raises(ValidationError):
        client.customers.set_newsletter_approval(login="", approved=True)
    with pytest.raises(ValidationError):
        client.customers.set_newsletter_approval(login="jkowalski", approved=True, shop_ids=[])
