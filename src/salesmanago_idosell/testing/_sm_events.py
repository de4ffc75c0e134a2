"""The fake SALESmanago's v2 external-event methods (add, update, delete, batch add)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ._http import Response
from ._sm_contacts import MAX_BATCH, v2_error, v2_ok
from ._sm_records import EVENT_LIMITS, Contact, ExtEvent, check_email, check_length

if TYPE_CHECKING:
    from .salesmanago import FakeSalesmanago

__all__ = ["ROUTES", "check_event"]

_LOCATION = re.compile(r"^[A-Za-z0-9/_.\-]+$")
_MAX_VALUE = 10**19


def check_event(event: Any, *, update: bool = False) -> list[str]:
    """Every rule violation in a ``contactEvent`` object (reference section 3.2)."""
    if not isinstance(event, dict):
        return ["Missing required field: contactEvent"]
    errors: list[str | None] = [check_length(k, event.get(k), n) for k, n in EVENT_LIMITS.items()]
    if not update and not event.get("contactExtEventType"):
        errors.append("Missing required field: contactEvent.contactExtEventType")
    date = event.get("date")
    if (date is not None or not update) and (not isinstance(date, int) or isinstance(date, bool)):
        errors.append("Field contactEvent.date must be an integer (epoch milliseconds)")
    location = event.get("location")
    if location and not _LOCATION.match(str(location)):
        errors.append(f"Invalid contactEvent.location: {location}")
    value = event.get("value")
    if value is not None and (not isinstance(value, (int, float)) or abs(value) >= _MAX_VALUE):
        errors.append("Field contactEvent.value must be a number below 10^19")
    if update and not event.get("eventId"):
        errors.append("Missing required field: contactEvent.eventId")
    return [e for e in errors if e]


def _target(fake: FakeSalesmanago, item: dict[str, Any], owner: str) -> Contact | str:
    """The event's contact (created from the e-mail if new), or an error message."""
    if item.get("contactId"):
        found = fake.contact_by_id(item["contactId"])
        return found or f"Contact not found: {item['contactId']}"
    problem = check_email(item.get("email"))
    if problem:
        return problem
    contact = fake.find_contact(item["email"]) or fake.new_contact(item["email"], owner)
    if item.get("forceOptIn"):
        contact.email_opt = "in"
    return contact


def _add_one(fake: FakeSalesmanago, item: dict[str, Any], owner: str) -> ExtEvent | list[str]:
    errors = check_event(item.get("contactEvent"))
    if errors:
        return errors
    contact = _target(fake, item, owner)
    if isinstance(contact, str):
        return [contact]
    event = ExtEvent(fake.new_id(), contact.contact_id, contact.email, owner,
                     dict(item["contactEvent"]))  # fmt: skip
    fake.events[event.event_id] = event
    return event


def add_event(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/addContactExtEvent`` (also under ``/api/v2/``): answers ``eventId``."""
    result = _add_one(fake, body, body["owner"])
    if isinstance(result, list):
        return v2_error(result)
    return v2_ok(eventId=result.event_id)


def update_event(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/updateContactExtEvent``: merges the changed fields into the event."""
    changes = body.get("contactEvent")
    errors = check_event(changes, update=True)
    if errors or not isinstance(changes, dict):
        return v2_error(errors)
    event = fake.events.get(changes["eventId"])
    if event is None:
        return v2_error([f"Event not found: {changes['eventId']}"])
    event.fields.update({k: v for k, v in changes.items() if k != "eventId"})
    return v2_ok(eventId=event.event_id)


def delete_event(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/deleteContactExtEvent``."""
    event = fake.events.pop(str(body.get("eventId")), None)
    if event is None:
        return v2_error([f"Event not found: {body.get('eventId')}"])
    return v2_ok(result=True)


def batch_add(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/v2/contact/addBatchContactExtEvent``: at most 1000 events.

    Answers ``createdAmount``, ``failedAmount`` and ``failedContacts`` (the e-mail or
    contactId of each failed event), like the real API: no event ids.
    """
    items = body.get("events")
    if not isinstance(items, list) or not items:
        return v2_error(["Missing required field: events"])
    if len(items) > MAX_BATCH:
        return v2_error([f"Too many events: {len(items)} (maximum {MAX_BATCH})"])
    failed: list[str] = []
    for item in items:
        entry = item if isinstance(item, dict) else {}
        if isinstance(_add_one(fake, entry, body["owner"]), list):
            failed.append(str(entry.get("email") or entry.get("contactId")))
    created = len(items) - len(failed)
    return v2_ok(createdAmount=created, failedAmount=len(failed), failedContacts=failed)


ROUTES = {
    "/api/contact/addContactExtEvent": add_event,
    "/api/v2/contact/addContactExtEvent": add_event,
    "/api/contact/updateContactExtEvent": update_event,
    "/api/v2/contact/updateContactExtEvent": update_event,
    "/api/contact/deleteContactExtEvent": delete_event,
    "/api/v2/contact/addBatchContactExtEvent": batch_add,
    "/api/contact/batchAddContactExtEvent": batch_add,
}
