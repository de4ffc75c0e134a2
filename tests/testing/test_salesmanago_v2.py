"""The fake SALESmanago's API v2 over plain HTTP: auth, storage, field rules, limits."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
import requests

from salesmanago_idosell.testing import FakeSalesmanago, sha_of

from .support import TIMEOUT, sm_call

UPSERT = "/api/contact/upsert"
EVENT = "/api/v2/contact/addContactExtEvent"


def _opt(sm: FakeSalesmanago, email: str) -> str:
    return sm.contacts[email].email_opt


def _event(**fields: Any) -> dict[str, Any]:
    return {"contactExtEventType": "PURCHASE", "date": 1_790_000_000_000, **fields}


def test_sha_is_sha1_of_key_client_and_secret() -> None:
    expected = hashlib.sha1(b"keyclientsecret").hexdigest()  # noqa: S324 - the API's choice
    assert sha_of("key", "client", "secret") == expected
    assert sha_of("client", "key", "secret") != expected


def test_any_caller_chosen_api_key_with_matching_sha_is_accepted(sm: FakeSalesmanago) -> None:
    auth = sm.auth_fields(api_key="my-own-random-key-123")
    body = {**auth, "contact": {"email": "jan@wp.pl"}}
    answer = requests.post(sm.url + UPSERT, json=body, timeout=TIMEOUT).json()
    assert answer["success"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha": "0" * 40}, "Not authenticated"),
        ({"clientId": "someoneelse"}, "Not authenticated"),
        ({"apiKey": ""}, "Not authenticated"),
        ({"owner": "stranger@example.pl"}, "Owner stranger@example.pl does not exist"),
    ],
)
def test_bad_auth_is_success_false_with_message_list(
    sm: FakeSalesmanago, change: dict[str, Any], message: str
) -> None:
    body = {**sm.auth_fields(), "contact": {"email": "jan@wp.pl"}, **change}
    answer = requests.post(sm.url + UPSERT, json=body, timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.json() == {"success": False, "message": [message]}
    assert sm.contacts == {}


def test_invalid_json_is_400(sm: FakeSalesmanago) -> None:
    answer = requests.post(sm.url + UPSERT, data=b"{", timeout=TIMEOUT)
    assert answer.status_code == 400
    assert answer.json()["success"] is False


def test_upsert_stores_every_field(sm: FakeSalesmanago) -> None:
    body = {
        "contact": {"email": "Zofia.Wojcik@wp.pl", "name": "Zofia Wójcik", "phone": "+48600100200",
                    "company": "Róża s.c.", "address": {"streetAddress": "ul. Długa 1",
                    "zipCode": "00-950", "city": "Łódź", "country": "PL"}},
        "birthday": "19800229", "province": "łódzkie", "lang": "pl",
        "tags": ["REJESTRACJA", "NEWSLETTER"], "properties": {"shop": "1"},
        "forceOptIn": True, "forceOptOut": False,
    }  # fmt: skip
    answer = sm_call(sm, UPSERT, body)
    contact = sm.contacts["zofia.wojcik@wp.pl"]
    assert answer == {"success": True, "message": [], "contactId": contact.contact_id}
    assert (contact.name, contact.address["city"], contact.birthday) == ("Zofia Wójcik", "Łódź",
                                                                          "19800229")  # fmt: skip
    assert contact.tags == ["REJESTRACJA", "NEWSLETTER"]
    assert contact.opted_in
    assert "apiKey" not in contact.received[0]


def test_upsert_updates_tags_opt_status_and_email(sm: FakeSalesmanago) -> None:
    first = sm_call(sm, UPSERT, {"contact": {"email": "a@wp.pl"}, "tags": ["X", "Y"]})
    again = sm_call(sm, UPSERT, {"contact": {"email": "a@wp.pl"}, "tags": ["Z"],
                                 "removeTags": ["X"], "forceOptOut": True,
                                 "newEmail": "b@wp.pl"})  # fmt: skip
    assert first["contactId"] == again["contactId"]
    contact = sm.contacts["b@wp.pl"]
    assert contact.tags == ["Y", "Z"]
    assert contact.email_opt == "out"
    assert "a@wp.pl" not in sm.contacts


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"contact": {"email": "jan.kowalski@"}}, "Invalid email"),
        ({"contact": {"email": ("x" * 65) + "@wp.pl"}}, "Invalid email"),
        ({"contact": {}}, "Missing required field: email"),
        ({}, "Missing required field: contact"),
        ({"contact": {"email": "a@wp.pl", "name": "N" * 256}}, "contact.name is too long"),
        ({"contact": {"email": "a@wp.pl"}, "birthday": "1980-02-29"}, "Invalid birthday"),
        ({"contact": {"email": "a@wp.pl"}, "forceOptIn": True, "forceOptOut": True}, "both"),
        ({"contact": {"email": "a@wp.pl", "state": "VIP"}}, "Invalid contact.state"),
        ({"contact": {"email": "a@wp.pl"}, "tags": "A,B"}, "list of strings"),
    ],
)
def test_upsert_rejects_bad_data(sm: FakeSalesmanago, body: dict[str, Any], fragment: str) -> None:
    answer = sm_call(sm, UPSERT, body)
    assert answer["success"] is False
    assert any(fragment in m for m in answer["message"]), answer
    assert sm.contacts == {}


def test_batchupsert_maps_emails_to_ids_and_reports_failures(sm: FakeSalesmanago) -> None:
    details = [{"contact": {"email": f"k{i}@o2.pl"}} for i in range(3)]
    details.append({"contact": {"email": "zbyszek@gmail"}})
    answer = sm_call(sm, "/api/contact/batchupsert", {"upsertDetails": details})
    assert answer["success"] is True
    assert answer["contactIds"] == {f"k{i}@o2.pl": sm.contacts[f"k{i}@o2.pl"].contact_id
                                    for i in range(3)}  # fmt: skip
    assert answer["message"] == ["upsertDetails[3]: Invalid email address: zbyszek@gmail"]


@pytest.mark.parametrize("path", ["/api/contact/batchupsert", "/api/contact/batchupsertv2"])
def test_batches_over_1000_or_empty_are_refused(sm: FakeSalesmanago, path: str) -> None:
    details = [{"contact": {"email": f"k{i}@o2.pl"}} for i in range(1001)]
    assert sm_call(sm, path, {"upsertDetails": details})["success"] is False
    assert sm_call(sm, path, {"upsertDetails": []})["success"] is False
    assert sm.contacts == {}


def test_batchupsertv2_is_asynchronous_with_job_status(sm: FakeSalesmanago) -> None:
    sm.job_polls = 2
    details = [{"contact": {"email": "a@wp.pl"}}, {"contact": {"email": "b@wp.pl"}}]
    request_id = sm_call(sm, "/api/contact/batchupsertv2", {"upsertDetails": details})["requestId"]
    polls = [sm_call(sm, "/api/job/status", {"requestId": request_id}) for _ in range(3)]
    assert [bool(p["message"]) for p in polls] == [True, True, False]
    result = requests.get(polls[-1]["fileUrl"], timeout=TIMEOUT).json()
    assert set(result["contactIds"]) == {"a@wp.pl", "b@wp.pl"}
    assert sm_call(sm, "/api/job/status", {"requestId": 999})["success"] is False


def test_job_status_accepts_the_request_id_as_text(sm: FakeSalesmanago) -> None:
    sm.job_polls = 0
    details = [{"contact": {"email": "a@wp.pl"}}]
    request_id = sm_call(sm, "/api/contact/batchupsertv2", {"upsertDetails": details})["requestId"]
    answer = sm_call(sm, "/api/job/status", {"requestId": str(request_id)})
    assert answer["message"] == []
    assert answer["fileUrl"].endswith(f"/files/{request_id}.json")


def test_delete_has_contact_and_basic(sm: FakeSalesmanago) -> None:
    sm_call(sm, UPSERT, {"contact": {"email": "a@wp.pl", "name": "Ala"}, "birthday": "19900102"})
    has = sm_call(sm, "/api/contact/hasContact", {"email": "A@wp.pl"})
    assert has["result"] is True
    basic = sm_call(sm, "/api/contact/basic", {"email": ["a@wp.pl", "none@wp.pl"]})["contacts"]
    assert [(c["name"], c["birthdayYear"], c["optedOut"]) for c in basic] == [("Ala", "1990", True)]
    assert sm_call(sm, "/api/contact/delete", {"email": "a@wp.pl"})["success"] is True
    assert sm_call(sm, "/api/contact/hasContact", {"email": "a@wp.pl"})["result"] is False
    assert sm_call(sm, "/api/contact/delete", {"email": "a@wp.pl"})["success"] is False


def test_optin_and_optout(sm: FakeSalesmanago) -> None:
    contact_id = sm_call(sm, UPSERT, {"contact": {"email": "a@wp.pl"}})["contactId"]
    assert sm_call(sm, "/api/contact/optin", {"email": "a@wp.pl"})["contactId"] == contact_id
    assert _opt(sm, "a@wp.pl") == "in"
    sm_call(sm, "/api/contact/optout", {"contactId": contact_id})
    assert _opt(sm, "a@wp.pl") == "out"
    assert sm_call(sm, "/api/contact/optin", {"email": "x@wp.pl"})["success"] is False


def test_add_update_and_delete_event(sm: FakeSalesmanago) -> None:
    event_fields = _event(products="101,102", value=99.5)
    added = sm_call(
        sm, EVENT, {"email": "a@wp.pl", "forceOptIn": True, "contactEvent": event_fields}
    )
    event = sm.events[added["eventId"]]
    assert (event.type, event.fields["products"], event.email) == ("PURCHASE", "101,102", "a@wp.pl")
    assert event.date is not None
    assert event.date.year == 2026
    assert sm.contacts["a@wp.pl"].opted_in
    change = {"eventId": added["eventId"], "value": 120.0}
    assert sm_call(sm, "/api/contact/updateContactExtEvent", {"contactEvent": change})["success"]
    assert sm.events_of("a@wp.pl")[0].fields["value"] == 120.0
    path = "/api/contact/deleteContactExtEvent"
    assert sm_call(sm, path, {"eventId": added["eventId"]})["success"] is True
    assert sm.events == {}
    assert sm_call(sm, path, {"eventId": added["eventId"]})["success"] is False


@pytest.mark.parametrize(
    ("event", "fragment"),
    [
        ({"date": 1}, "contactExtEventType"),
        (_event(date="2026-01-01"), "epoch milliseconds"),
        (_event(description="d" * 2049), "description is too long"),
        (_event(detail20="d" * 256), "detail20 is too long"),
        (_event(products="1," * 300), "products is too long"),
        (_event(location="sklep pl"), "Invalid contactEvent.location"),
        (_event(location="l" * 37), "location is too long"),
        (_event(value="12"), "must be a number"),
    ],
)
def test_event_field_rules(sm: FakeSalesmanago, event: dict[str, Any], fragment: str) -> None:
    answer = sm_call(sm, EVENT, {"email": "a@wp.pl", "contactEvent": event})
    assert answer["success"] is False
    assert any(fragment in m for m in answer["message"]), answer
    assert sm.events == {}


def test_update_unknown_event_fails(sm: FakeSalesmanago) -> None:
    change = {"contactEvent": {"eventId": "nope", "value": 1}}
    assert sm_call(sm, "/api/contact/updateContactExtEvent", change)["success"] is False


def test_batch_events_count_created_and_failed(sm: FakeSalesmanago) -> None:
    events = [{"email": f"e{i}@wp.pl", "contactEvent": _event()} for i in range(4)]
    events.append({"email": "bad@", "contactEvent": _event()})
    answer = sm_call(sm, "/api/v2/contact/addBatchContactExtEvent", {"events": events})
    assert (answer["createdAmount"], answer["failedAmount"]) == (4, 1)
    assert answer["failedContacts"] == ["bad@"]
    assert len(sm.events) == 4


def test_batch_events_limit(sm: FakeSalesmanago) -> None:
    events = [{"email": "a@wp.pl", "contactEvent": _event()}] * 1001
    path = "/api/v2/contact/addBatchContactExtEvent"
    assert sm_call(sm, path, {"events": events})["success"] is False
    assert sm_call(sm, path, {"events": []})["success"] is False
    assert sm.events == {}


def test_ids_are_deterministic_by_seed() -> None:
    def first_id(seed: int) -> str:
        with FakeSalesmanago(seed=seed) as fake:
            return str(sm_call(fake, UPSERT, {"contact": {"email": "a@wp.pl"}})["contactId"])

    assert first_id(1) == first_id(1) != first_id(2)
