"""The fake SALESmanago's contact data export (``/api/contact/export/data``).

The export is a job like ``batchupsertv2``: ``requestId`` at once, "in progress" for
``job_polls`` polls of ``/api/job/status``, then a ``fileUrl``. The file is what public
clients parse from the real service: a JSON array of ``{contactId: {sections}}`` with
``contactData`` (``email``, ``name``, ``phone``); the external events go under
``contactExtEventData`` — the SDK's best inference, not a documented name (see
``salesmanago_idosell.salesmanago.exports``). Unknown e-mails are left out of the file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._http import Response
from ._sm_contacts import v2_error, v2_ok
from ._sm_records import Contact, Job

if TYPE_CHECKING:
    from .salesmanago import FakeSalesmanago

__all__ = ["ROUTES"]

_DATA_TYPES = {"CONTACT", "TAG", "EXT_EVENT"}


def _sections(fake: FakeSalesmanago, contact: Contact, wanted: set[str]) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    if "CONTACT" in wanted:
        sections["contactData"] = {
            "email": contact.email,
            "name": contact.name,
            "phone": contact.phone,
        }
    if "TAG" in wanted:
        sections["tagData"] = [{"tagName": t, "createdOn": contact.created} for t in contact.tags]
    if "EXT_EVENT" in wanted:
        sections["contactExtEventData"] = [
            {"eventId": e.event_id, **e.fields} for e in fake.events_of(contact.email)
        ]
    return sections


def export_data(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/export/data``: starts a job whose file holds the contacts' data."""
    contacts, data = body.get("contacts"), body.get("data")
    if not isinstance(contacts, list) or not contacts or not isinstance(data, list) or not data:
        return v2_error(["Fields contacts and data must be non-empty lists"])
    wanted = {str(d.get("dataType")) for d in data if isinstance(d, dict)}
    if not wanted or not wanted <= _DATA_TYPES:
        return v2_error([f"Unsupported dataType: {sorted(wanted - _DATA_TYPES)}"])
    rows: list[dict[str, Any]] = []
    for item in contacts:
        if not isinstance(item, dict) or item.get("addresseeType") != "email":
            return v2_error(["addresseeType must be email"])
        contact = fake.find_contact(item.get("value"))
        if contact is not None:
            rows.append({contact.contact_id: _sections(fake, contact, wanted)})
    job = Job(fake.next_request_id(), fake.job_polls, rows)
    fake.jobs[job.request_id] = job
    return v2_ok(requestId=job.request_id)


ROUTES = {"/api/contact/export/data": export_data}
