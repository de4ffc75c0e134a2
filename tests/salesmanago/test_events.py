"""External events: golden bodies, no blind retries, batching, field limits."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import requests
import responses
from responses.registries import OrderedRegistry

from salesmanago_idosell.errors import (
    APITimeoutError,
    PartialBatchError,
    ResponseValidationError,
    SalesmanagoAPIError,
    ServerError,
    ValidationError,
)
from salesmanago_idosell.salesmanago import EventType, ExternalEvent, fit_event
from tests.helpers import FakeClock
from tests.salesmanago.support import AUTH, BASE, make_client, ok, sent

WARSAW = timezone(timedelta(hours=1))
PURCHASE = ExternalEvent(
    type=EventType.PURCHASE,
    date=datetime(2026, 11, 27, 13, 30, 15, 250000, tzinfo=WARSAW),
    email="jan@example.pl",
    products=["101", "205", "X-3"],
    description="Przelewy24",
    location="sklep_example_pl",
    value=Decimal("249.90"),
    details={1: "Buty, Czapka", 3: "1/2/1"},
    external_id="ORD-2026-1",
    shop_domain="sklep.example.pl",
)
PURCHASE_WIRE = {
    "date": 1_795_782_615_250,
    "contactExtEventType": "PURCHASE",
    "products": "101,205,X-3",
    "description": "Przelewy24",
    "location": "sklep_example_pl",
    "value": 249.9,
    "detail1": "Buty, Czapka",
    "detail3": "1/2/1",
    "externalId": "ORD-2026-1",
    "shopDomain": "sklep.example.pl",
}
ADD = f"{BASE}/contact/addContactExtEvent"


@responses.activate
def test_add_golden_body() -> None:
    responses.post(ADD, json=ok(eventId="e-1"))
    assert make_client().events.add(PURCHASE) == "e-1"
    assert sent() == {**AUTH, "email": "jan@example.pl", "contactEvent": PURCHASE_WIRE}


@responses.activate
def test_add_by_contact_id_drops_email_and_sends_force_opt_in() -> None:
    responses.post(ADD, json=ok(eventId="e-2"))
    event = ExternalEvent(
        type="ENGAGEMENT",
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        email="x@y.pl",
        contact_id="uuid-7",
        force_opt_in=True,
    )
    make_client().events.add(event)
    assert sent() == {
        **AUTH,
        "contactId": "uuid-7",
        "forceOptIn": True,
        "contactEvent": {"date": 1_767_225_600_000, "contactExtEventType": "ENGAGEMENT"},
    }


@responses.activate
def test_a_blank_contact_id_is_absent_the_email_identifies_the_contact() -> None:
    responses.post(ADD, json=ok(eventId="e-4"))
    event = ExternalEvent(
        type="ENGAGEMENT",
        date=datetime(2026, 1, 1, tzinfo=timezone.utc),
        email="x@y.pl",
        contact_id=" \t ",
    )
    make_client().events.add(event)
    assert sent() == {
        **AUTH,
        "email": "x@y.pl",
        "contactEvent": {"date": 1_767_225_600_000, "contactExtEventType": "ENGAGEMENT"},
    }


@responses.activate
def test_a_blank_contact_id_without_email_is_refused_before_sending() -> None:
    event = ExternalEvent(
        type="ENGAGEMENT", date=datetime(2026, 1, 1, tzinfo=timezone.utc), contact_id="  "
    )
    with pytest.raises(ValidationError, match="email or contact_id"):
        make_client().events.add(event)
    assert len(responses.calls) == 0


@responses.activate
def test_add_not_retried_after_read_timeout() -> None:
    responses.post(ADD, body=requests.ReadTimeout("slow"))
    clock = FakeClock()
    with pytest.raises(APITimeoutError):
        make_client(clock).events.add(PURCHASE)
    assert len(responses.calls) == 1
    assert clock.sleeps == []


@responses.activate
def test_add_not_retried_after_500() -> None:
    responses.post(ADD, status=500)
    with pytest.raises(ServerError):
        make_client().events.add(PURCHASE)
    assert len(responses.calls) == 1


@responses.activate(registry=OrderedRegistry)
def test_add_retried_when_caller_opts_in() -> None:
    responses.post(ADD, body=requests.ReadTimeout("slow"))
    responses.post(ADD, json=ok(eventId="e-3"))
    assert make_client().events.add(PURCHASE, retry=True) == "e-3"
    assert len(responses.calls) == 2


@responses.activate
def test_add_without_event_id_is_a_response_error() -> None:
    responses.post(ADD, json=ok())
    with pytest.raises(ResponseValidationError):
        make_client().events.add(PURCHASE)


@responses.activate(registry=OrderedRegistry)
def test_update_golden_body_and_retried() -> None:
    url = f"{BASE}/contact/updateContactExtEvent"
    responses.post(url, status=503)
    responses.post(url, json=ok(eventId="e-1"))
    cart = ExternalEvent(type=EventType.CART, date=PURCHASE.date, email="jan@example.pl",
                         products=["7"], value=Decimal(10))  # fmt: skip
    assert make_client().events.update("e-1", cart) == "e-1"
    assert sent(1) == {
        **AUTH,
        "contactEvent": {
            "date": 1_795_782_615_250,
            "contactExtEventType": "CART",
            "products": "7",
            "value": 10,
            "eventId": "e-1",
        },
    }


@responses.activate
def test_delete_event() -> None:
    responses.post(f"{BASE}/contact/deleteContactExtEvent", json=ok(result=True))
    make_client().events.delete("e-1")
    assert sent() == {**AUTH, "eventId": "e-1"}
    with pytest.raises(ValidationError):
        make_client().events.delete("")


def _batch_answer(request: object) -> tuple[int, dict[str, str], str]:
    events = json.loads(getattr(request, "body", b"") or b"{}")["events"]
    failed = [e for e in events if e["email"].startswith("bad")]
    answer = ok(
        createdAmount=len(events) - len(failed),
        failedAmount=len(failed),
        failedContacts=[{"email": e["email"]} for e in failed] + [e["email"] for e in failed],
    )
    return 200, {}, json.dumps(answer)


@responses.activate
def test_batch_add_chunks_1000_and_sums_results() -> None:
    url = f"{BASE}/v2/contact/addBatchContactExtEvent"
    responses.add_callback(responses.POST, url, _batch_answer)
    emails = [f"c{i}@x.pl" for i in range(2001)] + ["bad1@x.pl"]
    events = [
        ExternalEvent(type=EventType.PURCHASE, date=PURCHASE.date, email=e, products=["1"])
        for e in emails
    ]
    result = make_client().events.batch_add(events)
    assert [len(sent(i)["events"]) for i in range(3)] == [1000, 1000, 2]
    assert sent(0)["events"][0] == {
        "email": "c0@x.pl",
        "contactEvent": {
            "date": 1_795_782_615_250,
            "contactExtEventType": "PURCHASE",
            "products": "1",
        },
    }
    assert (result.created, result.failed) == (2001, 1)
    assert result.failed_items == ({"email": "bad1@x.pl"}, "bad1@x.pl")


@responses.activate
def test_batch_add_not_retried_after_500() -> None:
    responses.post(f"{BASE}/v2/contact/addBatchContactExtEvent", status=500)
    with pytest.raises(ServerError):
        make_client().events.batch_add([PURCHASE])
    assert len(responses.calls) == 1


def _three(emails: int = 5) -> list[ExternalEvent]:
    return [
        ExternalEvent(
            type=EventType.PURCHASE, date=PURCHASE.date, email=f"c{i}@x.pl", products=["1"]
        )
        for i in range(emails)
    ]


@pytest.mark.parametrize(
    ("second", "certain", "cause"),
    [
        ({"json": {"success": False, "message": ["Limit exceeded"]}}, True, SalesmanagoAPIError),
        ({"status": 503}, False, ServerError),
    ],
    ids=["refused", "server-error"],
)
@responses.activate
def test_batch_add_reports_acknowledged_chunks_when_a_later_one_fails(
    second: dict[str, Any], certain: bool, cause: type[Exception]
) -> None:
    url = f"{BASE}/v2/contact/addBatchContactExtEvent"
    responses.post(url, json={"success": True, "createdAmount": 2, "failedAmount": 0})
    responses.post(url, **second)
    with pytest.raises(PartialBatchError) as info:
        make_client().events.batch_add(_three(), chunk_size=2)
    error = info.value
    assert (error.acknowledged, error.failed_start, error.failed_end) == (2, 2, 4)
    assert error.certain is certain
    assert isinstance(error.cause, cause)
    assert len(responses.calls) == 2  # the third chunk was not sent


@responses.activate
def test_batch_add_result_has_one_outcome_per_request() -> None:
    url = f"{BASE}/v2/contact/addBatchContactExtEvent"
    responses.post(url, json={"success": True, "createdAmount": 2, "failedAmount": 0})
    responses.post(url, json={"success": True, "createdAmount": 1, "failedAmount": 1,
                              "failedContacts": ["c3@x.pl"]})  # fmt: skip
    result = make_client().events.batch_add(_three(4), chunk_size=2)
    assert [(c.start, c.size, c.created, c.failed) for c in result.chunks] == [
        (0, 2, 2, 0),
        (2, 2, 1, 1),
    ]
    assert result.chunks[1].failed_items == ("c3@x.pl",)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "d" * 2049}, "description"),
        ({"external_id": "e" * 256}, "external_id"),
        ({"shop_domain": "s" * 256}, "shop_domain"),
        ({"details": {5: "x" * 256}}, "detail5"),
        ({"products": ["1234567"] * 80}, "products"),
        ({"location": "l" * 37}, "location"),
        ({"location": "sklep pl"}, "location"),
        ({"value": Decimal("1.005")}, "value"),
        ({"value": Decimal("1e19")}, "value"),
        ({"details": {21: "x"}}, "details"),
        ({"email": None}, "email"),
        ({"email": "nope"}, "email"),
        ({"date": datetime(2026, 1, 1)}, "date"),
    ],
)
@responses.activate
def test_limits_raise_validation_error_naming_the_field(change: dict[str, Any], field: str) -> None:
    import attrs

    event = attrs.evolve(PURCHASE, **change)
    with pytest.raises(ValidationError) as info:
        make_client().events.add(event)
    assert info.value.field == field
    assert len(responses.calls) == 0


def test_limits_at_the_edge_are_accepted() -> None:
    import attrs

    event = attrs.evolve(
        PURCHASE,
        description="d" * 2048,
        details={20: "x" * 255},
        location="L" * 36,
        products=["12345"] * 85 + ["1"],  # 85*6 + 1 = 511 characters
    )
    assert fit_event(event) == event


def test_truncate_policy_cuts_text_and_drops_whole_product_ids() -> None:
    import attrs

    products = [f"{i:07d}" for i in range(100)]  # 8 chars each with the comma
    event = attrs.evolve(PURCHASE, description="d" * 3000, details={2: "x" * 300},
                         products=products)  # fmt: skip
    fitted = fit_event(event, overflow="truncate")
    assert fitted.description == "d" * 2048
    assert fitted.details[2] == "x" * 255
    joined = ",".join(fitted.products)
    assert len(joined) <= 512
    assert fitted.products == tuple(products[: len(fitted.products)])
    assert len(fitted.products) == 64


@responses.activate
def test_client_truncate_policy_applies_to_add() -> None:
    import attrs

    responses.post(ADD, json=ok(eventId="e-4"))
    client = make_client(event_overflow="truncate")
    client.events.add(attrs.evolve(PURCHASE, description="d" * 3000))
    assert len(sent()["contactEvent"]["description"]) == 2048
    with pytest.raises(ValidationError):
        make_client(event_overflow="cut")
