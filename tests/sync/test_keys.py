"""Delivery keys of follow-up events, and reconciliation by event type and externalId."""

from __future__ import annotations

import pytest

from salesmanago_idosell.salesmanago.exports import read_events_export
from salesmanago_idosell.salesmanago.models import EventType
from salesmanago_idosell.sync.keys import (
    follow_up_key,
    is_delivery_key,
    serial_of,
    stored_in_export,
)


def test_keys_round_trip() -> None:
    assert follow_up_key(4711, EventType.CANCELLATION) == "4711:cancellation"
    assert follow_up_key("4711", "RETURN") == "4711:return"
    assert serial_of("4711") == ("4711", None)
    assert serial_of("4711:cancellation") == ("4711", "CANCELLATION")
    assert serial_of("4711:return") == ("4711", "RETURN")


def test_delivery_keys_an_operator_may_name() -> None:
    for good in ("4711", "4711:cancellation", "4711:return"):
        assert is_delivery_key(good)
    for bad in ("", "0", "-3", "47a", "4711:", "4711:purchase", ":return", "4711:return:x"):
        assert not is_delivery_key(bad), bad


def export(*events: dict[str, object]) -> list[dict[str, object]]:
    data = {"contactData": {"email": "Ala@example.pl"}, "contactExtEventData": list(events)}
    return [{"c-1": data}]


PURCHASE = {"externalId": "12", "contactExtEventType": "PURCHASE"}
CANCELLATION = {"externalId": "12", "contactExtEventType": "CANCELLATION"}


@pytest.mark.parametrize(
    ("key", "events", "stored"),
    [
        ("12", [PURCHASE], True),
        ("12:cancellation", [PURCHASE], False),
        (
            "12:cancellation",
            [PURCHASE, {"externalId": "12", "contactExtEventType": "CANCELLATION"}],
            True,
        ),
        ("12", [{"externalId": "12", "contactExtEventType": "CANCELLATION"}], False),
        ("12:return", [{"externalId": "12", "contactExtEventType": "return"}], True),
        ("12:return", [{"externalId": "13", "contactExtEventType": "RETURN"}], False),
        # without event types a follow-up cannot be told from its PURCHASE: unknown
        ("12:cancellation", [{"externalId": "12"}], None),
        ("12", [{"externalId": "12"}], None),
    ],
)
def test_follow_ups_are_reconciled_by_type_and_external_id(
    key: str, events: list[dict[str, object]], stored: bool | None
) -> None:
    found = read_events_export(export(*events), ["ala@example.pl"])
    assert stored_in_export(found, "ala@example.pl", key) is stored
