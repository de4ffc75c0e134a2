"""Contacts: golden request bodies, batching, async jobs, reads, errors, retries."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
import responses
from responses.registries import OrderedRegistry

from salesmanago_idosell.errors import (
    JobTimeoutError,
    ResponseValidationError,
    SalesmanagoAPIError,
    ServerError,
    ValidationError,
)
from salesmanago_idosell.salesmanago import Address, ContactState, ContactUpsert
from tests.helpers import FakeClock
from tests.salesmanago.support import AUTH, BASE, OWNER, make_client, ok, sent

FULL = ContactUpsert(
    email=" jan.kowalski@example.pl ",
    name="Jan Kowalski",
    phone="+48 600 100 200",
    company="Kowalski Sp. z o.o.",
    external_id="1042",
    state=ContactState.CUSTOMER,
    address=Address(street="Długa 1/2", zip_code="00-001", city="Warszawa", country="PL"),
    birthday=date(1985, 3, 7),
    province="mazowieckie",
    lang="pl",
    tags=["rejestracja", "ODZIEŻ"],
    properties={"shopId": "1"},
)

FULL_WIRE = {
    "contact": {
        "email": "jan.kowalski@example.pl",
        "name": "Jan Kowalski",
        "phone": "+48 600 100 200",
        "company": "Kowalski Sp. z o.o.",
        "externalId": "1042",
        "state": "CUSTOMER",
        "address": {
            "streetAddress": "Długa 1/2",
            "zipCode": "00-001",
            "city": "Warszawa",
            "country": "PL",
        },
    },
    "birthday": "19850307",
    "province": "mazowieckie",
    "lang": "pl",
    "tags": ["rejestracja", "ODZIEŻ"],
    "properties": {"shopId": "1"},
    "forceOptIn": False,
    "forceOptOut": False,
    "forcePhoneOptIn": False,
    "forcePhoneOptOut": False,
    "useApiDoubleOptIn": False,
}


@responses.activate
def test_upsert_golden_body() -> None:
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c-1", externalId="1042"))
    result = make_client().contacts.upsert(FULL)
    assert sent() == {**AUTH, **FULL_WIRE}
    assert (result.contact_id, result.external_id) == ("c-1", "1042")


@responses.activate
def test_upsert_minimal_sends_no_empties_and_explicit_false_flags() -> None:
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c-2"))
    make_client().contacts.upsert(ContactUpsert(email="a@b.pl", name="", tags=[]))
    assert sent() == {
        **AUTH,
        "contact": {"email": "a@b.pl"},
        "forceOptIn": False,
        "forceOptOut": False,
        "forcePhoneOptIn": False,
        "forcePhoneOptOut": False,
        "useApiDoubleOptIn": False,
    }


@responses.activate
def test_upsert_opt_in_and_remove_tags() -> None:
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c-3"))
    contact = ContactUpsert(email="a@b.pl", force_opt_in=True, remove_tags=["old"])
    make_client().contacts.upsert(contact)
    body = sent()
    assert body["forceOptIn"] is True
    assert body["removeTags"] == ["old"]


@responses.activate
def test_invalid_email_is_refused_before_sending() -> None:
    with pytest.raises(ValidationError) as info:
        make_client().contacts.upsert(ContactUpsert(email="not-an-email"))
    assert info.value.field == "email"
    assert len(responses.calls) == 0


@responses.activate
def test_success_false_raises_api_error_with_messages() -> None:
    responses.post(
        f"{BASE}/contact/upsert",
        json={"success": False, "message": ["Owner o@x.pl does not exist", "check owner"]},
    )
    with pytest.raises(SalesmanagoAPIError) as info:
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))
    assert info.value.messages == ("Owner o@x.pl does not exist", "check owner")
    assert info.value.status_code == 200
    assert info.value.endpoint == "/contact/upsert"


@responses.activate
def test_400_with_success_false_body_is_an_api_error() -> None:
    responses.post(
        f"{BASE}/contact/upsert", status=400, json={"success": False, "message": "bad email"}
    )
    with pytest.raises(SalesmanagoAPIError) as info:
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))
    assert info.value.messages == ("bad email",)
    assert info.value.status_code == 400


@responses.activate
def test_json_that_is_not_an_object_is_a_response_error() -> None:
    responses.post(f"{BASE}/contact/hasContact", json=[True])
    with pytest.raises(ResponseValidationError):
        make_client().contacts.exists("a@b.pl")


@responses.activate
def test_upsert_without_contact_id_is_a_response_error() -> None:
    responses.post(f"{BASE}/contact/upsert", json=ok())
    with pytest.raises(ResponseValidationError):
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))


@responses.activate
def test_non_json_2xx_is_a_response_error() -> None:
    responses.post(f"{BASE}/contact/upsert", body="<html>maintenance</html>")
    with pytest.raises(ResponseValidationError):
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))


@responses.activate
def test_json_nested_too_deep_is_a_response_error() -> None:
    """Python's JSON parser raises RecursionError there: it escaped the SDK's errors."""
    responses.post(f"{BASE}/contact/upsert", body="[" * 100_000 + "]" * 100_000)
    with pytest.raises(ResponseValidationError):
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))


@responses.activate(registry=OrderedRegistry)
def test_upsert_retried_on_500_500_200() -> None:
    responses.post(f"{BASE}/contact/upsert", status=500)
    responses.post(f"{BASE}/contact/upsert", status=502)
    responses.post(f"{BASE}/contact/upsert", json=ok(contactId="c-9"))
    clock = FakeClock()
    assert make_client(clock).contacts.upsert(ContactUpsert(email="a@b.pl")).contact_id == "c-9"
    assert len(responses.calls) == 3
    assert len(clock.sleeps) == 2


@responses.activate
def test_upsert_gives_up_after_max_attempts() -> None:
    responses.post(f"{BASE}/contact/upsert", status=503)
    with pytest.raises(ServerError) as info:
        make_client().contacts.upsert(ContactUpsert(email="a@b.pl"))
    assert info.value.attempts == 3


def _batch_answer(request: object) -> tuple[int, dict[str, str], str]:
    body = json.loads(getattr(request, "body", b"") or b"{}")
    details = body["upsertDetails"]
    ids = {d["contact"]["email"]: f"id-{d['contact']['email']}" for d in details}
    refused = [f"{e}: invalid" for e in ids if e.startswith("refused")]
    ids = {e: i for e, i in ids.items() if not e.startswith("refused")}
    return 200, {}, json.dumps(ok(contactIds=ids, message=refused))


@responses.activate
def test_batch_upsert_chunks_to_1000_and_merges_ids() -> None:
    responses.add_callback(responses.POST, f"{BASE}/contact/batchupsert", _batch_answer)
    contacts = [ContactUpsert(email=f"c{i}@example.pl") for i in range(2500)]
    client = make_client()
    result = client.contacts.batch_upsert(contacts)
    sizes = [len(sent(i)["upsertDetails"]) for i in range(len(responses.calls))]
    assert sizes == [1000, 1000, 500]
    assert result.requests == 3
    assert len(result.contact_ids) == 2500
    assert result.contact_ids["c2499@example.pl"] == "id-c2499@example.pl"
    assert client.request_count == 3


@responses.activate
def test_batch_upsert_keeps_the_apis_messages_about_refused_items() -> None:
    responses.add_callback(responses.POST, f"{BASE}/contact/batchupsert", _batch_answer)
    contacts = [ContactUpsert(email="ok@x.pl"), ContactUpsert(email="refused@x.pl")]
    result = make_client().contacts.batch_upsert(contacts)
    assert result.contact_ids == {"ok@x.pl": "id-ok@x.pl"}
    assert result.messages == ("refused@x.pl: invalid",)


@responses.activate
def test_batch_upsert_golden_body_with_owner_top_level_and_per_item() -> None:
    responses.add_callback(responses.POST, f"{BASE}/contact/batchupsert", _batch_answer)
    make_client().contacts.batch_upsert([FULL], chunk_size=10)
    assert sent() == {**AUTH, "upsertDetails": [{**FULL_WIRE, "owner": OWNER}]}


@responses.activate
def test_batch_upsert_configurable_chunk_size() -> None:
    responses.add_callback(responses.POST, f"{BASE}/contact/batchupsert", _batch_answer)
    client = make_client(batch_size=400)
    client.contacts.batch_upsert([ContactUpsert(email=f"c{i}@x.pl") for i in range(1000)])
    assert [len(sent(i)["upsertDetails"]) for i in range(3)] == [400, 400, 200]
    with pytest.raises(ValidationError):
        client.contacts.batch_upsert([], chunk_size=1001)
    with pytest.raises(ValidationError):
        make_client(batch_size=0)


@responses.activate
def test_batch_upsert_validates_every_email_before_sending() -> None:
    contacts = [ContactUpsert(email="ok@x.pl"), ContactUpsert(email="bad@")]
    with pytest.raises(ValidationError) as info:
        make_client().contacts.batch_upsert(contacts)
    assert info.value.field == "contacts[1].email"
    assert len(responses.calls) == 0


@responses.activate(registry=OrderedRegistry)
def test_batch_upsert_async_polls_job_status() -> None:
    responses.post(f"{BASE}/contact/batchupsertv2", json=ok(requestId=77))
    responses.post(f"{BASE}/job/status", json=ok(message=["in progress"]))
    responses.post(f"{BASE}/job/status", json=ok(message=[], fileUrl="https://f/77.json"))
    clock = FakeClock()
    statuses = make_client(clock).contacts.batch_upsert_async(
        [ContactUpsert(email="a@b.pl")], poll_interval=5
    )
    assert sent(0) == {
        **AUTH,
        "upsertDetails": [{**sent(0)["upsertDetails"][0], "owner": OWNER}],
        "useApiDoubleOptIn": False,
    }
    assert sent(1) == {**AUTH, "requestId": "77"}
    assert statuses[0].done
    assert statuses[0].file_url == "https://f/77.json"
    assert clock.sleeps == [5]


@responses.activate
def test_job_wait_times_out() -> None:
    responses.post(f"{BASE}/contact/batchupsertv2", json=ok(requestId="r1"))
    responses.post(f"{BASE}/job/status", json=ok(message=["in progress"]))
    clock = FakeClock()
    with pytest.raises(JobTimeoutError) as info:
        make_client(clock).contacts.batch_upsert_async(
            [ContactUpsert(email="a@b.pl")], poll_interval=10, wait_timeout=35
        )
    assert info.value.request_id == "r1"
    assert sum(clock.sleeps) <= 35


@responses.activate
def test_batch_upsert_async_without_waiting() -> None:
    responses.post(f"{BASE}/contact/batchupsertv2", json=ok(requestId="r2"))
    statuses = make_client().contacts.batch_upsert_async(
        [ContactUpsert(email="a@b.pl")], wait=False
    )
    assert [(s.request_id, s.done) for s in statuses] == [("r2", False)]
    assert len(responses.calls) == 1


@responses.activate
def test_delete_tolerates_answer_without_success() -> None:
    responses.post(f"{BASE}/contact/delete", body="")
    make_client().contacts.delete("a@b.pl")
    assert sent() == {**AUTH, "email": "a@b.pl"}


@responses.activate
def test_delete_tolerates_json_without_success() -> None:
    responses.post(f"{BASE}/contact/delete", json={"result": "ok"})
    make_client().contacts.delete("a@b.pl")
    assert len(responses.calls) == 1


@responses.activate
def test_exists() -> None:
    responses.post(f"{BASE}/contact/hasContact", json=ok(result=False))
    assert make_client().contacts.exists("a@b.pl") is False
    assert sent() == {**AUTH, "email": "a@b.pl"}


@responses.activate
def test_get_basic_chunks_50_and_structures() -> None:
    contact = {
        "email": "a@b.pl",
        "contactId": "uuid-1",
        "name": "A",
        "optedOut": True,
        "createdOn": 1_700_000_000_000,
        "address": {"streetAddress": "X 1", "zipCode": "00-001", "city": "W", "country": "PL"},
        "somethingNew": 1,
    }
    responses.post(f"{BASE}/contact/basic", json=ok(contacts=[contact]))
    emails = [f"c{i}@x.pl" for i in range(60)]
    found = make_client().contacts.get_basic(emails)
    assert sent(0) == {**AUTH, "email": emails[:50]}
    assert sent(1) == {**AUTH, "email": emails[50:]}
    assert found[0].contact_id == "uuid-1"
    assert found[0].opted_out is True
    assert found[0].created_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    assert found[0].address is not None
    assert found[0].address.street == "X 1"


@pytest.mark.parametrize(
    ("method", "path"),
    [("opt_in", "optin"), ("opt_out", "optout"), ("phone_opt_in", "phoneoptin"),
     ("phone_opt_out", "phoneoptout")],
)  # fmt: skip
@responses.activate
def test_opt_endpoints(method: str, path: str) -> None:
    responses.post(f"{BASE}/contact/{path}", json=ok(contactId="c-5"))
    assert getattr(make_client().contacts, method)("a@b.pl") == "c-5"
    assert sent() == {**AUTH, "email": "a@b.pl"}


@responses.activate
def test_tags_add_and_remove() -> None:
    responses.post(f"{BASE}/contact/managetags", json=ok())
    client = make_client()
    client.contacts.add_tags("a@b.pl", ["VIP", " "])
    client.contacts.remove_tags("a@b.pl", "old")
    assert sent(0) == {**AUTH, "email": "a@b.pl", "tags": ["VIP"]}
    assert sent(1) == {**AUTH, "email": "a@b.pl", "removeTags": ["old"]}
    with pytest.raises(ValidationError):
        client.contacts.add_tags("a@b.pl", [])
