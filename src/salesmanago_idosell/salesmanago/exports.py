"""Reading contacts' external events back: the contact data export (API v2).

``POST /api/contact/export/data`` starts an asynchronous export of the given contacts' data
(``{owner, contacts: [{addresseeType, value}], data: [{dataType}]}`` -> ``requestId``);
``/api/job/status`` answers ``fileUrl`` once it is done; the file is plain JSON fetched
without authentication.

What is settled from public clients (the ``salesmanago-toolkit`` package and two public
integrations that parse the real file): the request and job shapes; the file is a JSON
**array** whose items are objects with **one key, the contact id**, holding sections such as
``contactData`` (``email``, ``name``, ``phone``) and ``tagData``.

What is **not** settled: the section that holds the ``EXT_EVENT`` data and the names of an
event's fields in it. The reader therefore accepts only the section names in
:data:`EVENT_SECTIONS` holding a list of objects that each carry ``externalId`` and
``contactExtEventType``; anything else makes that contact *unreadable* — never "has no
events" — so a caller reconciling deliveries leaves such a contact's records uncertain
instead of sending them again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from ..errors import ResponseValidationError, ValidationError
from ._calls import V2Caller
from .contacts import ContactsAPI, checked_email

__all__ = ["EVENT_SECTIONS", "EXPORT_MAX", "EventsExport", "ExportsAPI", "read_events_export"]

#: Section names accepted as a contact's external events in the export file (see the
#: module docstring: the real name is not documented publicly).
EVENT_SECTIONS = ("contactExtEventData", "extEventData", "contactExtEvents")
#: Contacts asked for in one export request (a conservative bound; none is documented).
EXPORT_MAX = 100
EXPORT_PATH = "/contact/export/data"


@frozen(kw_only=True)
class EventsExport:
    """External events read back from SALESmanago, per contact e-mail (lower case).

    Attributes:
        events: e-mail -> ``(contactExtEventType, externalId)`` of every external event the
            export positively showed (an empty set: the contact has none).
        unreadable: e-mail -> why its events could not be read with certainty (absent from
            the file, unknown section layout, ...).
    """

    events: Mapping[str, frozenset[tuple[str, str]]] = field(factory=dict)
    unreadable: Mapping[str, str] = field(factory=dict)

    def stored(self, email: str, external_id: str, *, event_type: str = "PURCHASE") -> bool | None:
        """Whether the contact has an event of this type and ``externalId``: ``None`` when
        the export does not show the contact's events with certainty."""
        found = self.events.get(email.strip().lower())
        if found is None:
            return None
        return (event_type, external_id) in found


def _events_of(sections: Mapping[str, Any]) -> frozenset[tuple[str, str]] | str:
    found = [name for name in EVENT_SECTIONS if name in sections]
    if len(found) != 1:
        return "no known external-event section" if not found else "several event sections"
    events = sections[found[0]]
    if not isinstance(events, list):
        return f"{found[0]} is not a list"
    ids: set[tuple[str, str]] = set()
    for event in events:
        if not isinstance(event, Mapping) or "externalId" not in event:
            return f"an item of {found[0]} has no externalId"
        kind = event.get("contactExtEventType")
        if not isinstance(kind, str) or not kind:
            return f"an item of {found[0]} has no contactExtEventType"
        if event["externalId"] is not None:
            ids.add((kind.upper(), str(event["externalId"])))
    return frozenset(ids)


def read_events_export(payload: Any, emails: Iterable[str]) -> EventsExport:
    """Read an export file (parsed JSON) for ``emails``; pure, never guesses.

    Raises:
        ResponseValidationError: the file is not a JSON array of objects.
    """
    if not isinstance(payload, list):
        raise ResponseValidationError("the export file is not a JSON array", endpoint=EXPORT_PATH)
    by_email: dict[str, frozenset[tuple[str, str]] | str] = {}
    for item in payload:
        if not isinstance(item, Mapping) or len(item) != 1:
            raise ResponseValidationError(
                "an export item is not an object keyed by contact id", endpoint=EXPORT_PATH
            )
        sections = next(iter(item.values()))
        if not isinstance(sections, Mapping):
            continue
        contact = sections.get("contactData")
        email = contact.get("email") if isinstance(contact, Mapping) else None
        if isinstance(email, str) and email:
            by_email[email.strip().lower()] = _events_of(sections)
    known: dict[str, frozenset[tuple[str, str]]] = {}
    unreadable: dict[str, str] = {}
    for email in {e.strip().lower() for e in emails}:
        result = by_email.get(email, "not in the export file")
        if isinstance(result, str):
            unreadable[email] = result
        else:
            known[email] = result
    return EventsExport(events=known, unreadable=unreadable)


class ExportsAPI:
    """The contact data export (``client.exports``), used to reconcile deliveries."""

    def __init__(self, call: V2Caller, contacts: ContactsAPI) -> None:
        self._call = call
        self._contacts = contacts

    def start(
        self, emails: Sequence[str], *, data_types: Sequence[str] = ("CONTACT", "EXT_EVENT")
    ) -> str:
        """Start an export of these contacts' data; returns the job's ``requestId``."""
        if not emails or len(emails) > EXPORT_MAX:
            raise ValidationError(f"give 1..{EXPORT_MAX} e-mails", field="emails")
        body = {
            "contacts": [{"addresseeType": "email", "value": checked_email(e)} for e in emails],
            "data": [{"dataType": t} for t in data_types],
        }
        answer = self._call(EXPORT_PATH, body, idempotent=True)
        request_id = answer.get("requestId")
        if request_id is None:
            raise ResponseValidationError(
                f"{EXPORT_PATH} answered without requestId", endpoint=EXPORT_PATH
            )
        return str(request_id)

    def download(self, file_url: str) -> Any:
        """Fetch a finished job's file (plain JSON, no authentication)."""
        if not file_url.startswith(("http://", "https://")):
            raise ResponseValidationError(
                "the job's fileUrl is not an http(s) URL", endpoint=EXPORT_PATH
            )
        response = self._call.transport.request("GET", file_url, idempotent=True)
        try:
            return response.json()
        except ValueError:
            raise ResponseValidationError(
                "the export file is not JSON", endpoint=EXPORT_PATH
            ) from None

    def external_events(
        self, emails: Sequence[str], *, poll_interval: float = 2.0, wait_timeout: float = 120.0
    ) -> EventsExport:
        """Export these contacts' external events and read them (see :class:`EventsExport`).

        Raises:
            JobTimeoutError: the export job was not done within ``wait_timeout`` seconds.
            ResponseValidationError: the file could not be read at all.
        """
        request_id = self.start(emails)
        status = self._contacts.wait_for_job(
            request_id, poll_interval=poll_interval, timeout=wait_timeout
        )
        assert status.file_url is not None  # noqa: S101 - done implies a file
        return read_events_export(self.download(status.file_url), emails)
