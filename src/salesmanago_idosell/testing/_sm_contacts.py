"""The fake SALESmanago's v2 contact methods (upsert, batches, delete, reads, opt-in/out)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._http import Response
from ._sm_records import (
    CONTACT_FIELD_MAX,
    Contact,
    Job,
    check_birthday,
    check_email,
    check_length,
)

if TYPE_CHECKING:
    from .salesmanago import FakeSalesmanago

__all__ = ["ROUTES", "v2_error", "v2_ok"]

MAX_BATCH = 1000
AUTH_FIELDS = ("clientId", "apiKey", "sha", "requestTime")
_STATES = {"CUSTOMER", "PROSPECT", "PARTNER", "OTHER", "UNKNOWN"}
_CONTACT_TEXT = {"name": "name", "phone": "phone", "fax": "fax", "company": "company",
                 "externalId": "external_id", "state": "state"}  # fmt: skip
_TOP_TEXT = {"birthday": "birthday", "province": "province", "lang": "lang"}


def v2_ok(**fields: Any) -> Response:
    """A v2 success envelope: ``{"success": true, "message": [], ...}``."""
    return Response(200, {"success": True, "message": [], **fields})


def v2_error(messages: list[str], *, status: int = 200, **fields: Any) -> Response:
    """A v2 failure envelope: HTTP 200 (by default) with ``success: false`` and ``message[]``."""
    return Response(status, {"success": False, "message": messages, **fields})


def _check_contact(contact: dict[str, Any]) -> list[str]:
    errors: list[str | None] = [check_email(contact.get("email"))]
    errors += [
        check_length(f"contact.{k}", contact.get(k), CONTACT_FIELD_MAX) for k in _CONTACT_TEXT
    ]
    address = contact.get("address") or {}
    if not isinstance(address, dict):
        return ["Field contact.address must be an object"]
    errors += [
        check_length(f"contact.address.{k}", v, CONTACT_FIELD_MAX) for k, v in address.items()
    ]
    if contact.get("state") and contact["state"] not in _STATES:
        errors.append(f"Invalid contact.state: {contact['state']}")
    return [e for e in errors if e]


def check_upsert(details: Any) -> list[str]:
    """Every rule violation in one upsert object (empty list = valid)."""
    if not isinstance(details, dict) or not isinstance(details.get("contact"), dict):
        return ["Missing required field: contact"]
    errors: list[str | None] = list(_check_contact(details["contact"]))
    errors += [check_length(k, details.get(k), CONTACT_FIELD_MAX) for k in _TOP_TEXT]
    if details.get("birthday"):
        errors.append(check_birthday(details["birthday"]))
    if details.get("newEmail"):
        errors.append(check_email(details["newEmail"]))
    for key in ("tags", "removeTags"):
        tags = details.get(key, [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            errors.append(f"Field {key} must be a list of strings")
        else:
            errors += [check_length(f"{key}[]", t, CONTACT_FIELD_MAX) for t in tags]
    if details.get("forceOptIn") and details.get("forceOptOut"):
        errors.append("forceOptIn and forceOptOut cannot both be true")
    return [e for e in errors if e]


def _apply_opt(contact: Contact, details: dict[str, Any]) -> None:
    if details.get("forceOptIn"):
        contact.email_opt = "in"
    if details.get("forceOptOut"):
        contact.email_opt = "out"
    if details.get("forcePhoneOptIn"):
        contact.phone_opt = "in"
    if details.get("forcePhoneOptOut"):
        contact.phone_opt = "out"


def apply_upsert(fake: FakeSalesmanago, details: dict[str, Any], owner: str) -> Contact:
    """Create or update the contact of one (already validated) upsert object."""
    data = details["contact"]
    contact = fake.find_contact(data["email"]) or fake.new_contact(data["email"], owner)
    if details.get("newEmail"):
        fake.rename_contact(contact, details["newEmail"])
    for wire, attr in {**_CONTACT_TEXT, **_TOP_TEXT}.items():
        source = data if wire in _CONTACT_TEXT else details
        if source.get(wire) not in (None, ""):
            setattr(contact, attr, str(source[wire]))
    contact.address.update({k: str(v) for k, v in (data.get("address") or {}).items()})
    contact.tags += [t for t in details.get("tags", []) if t not in contact.tags]
    contact.tags = [t for t in contact.tags if t not in details.get("removeTags", [])]
    contact.properties.update(details.get("properties") or {})
    contact.consents += details.get("consentDetails") or []
    _apply_opt(contact, details)
    contact.received.append({k: v for k, v in details.items() if k not in AUTH_FIELDS})
    contact.modified = fake.now_ms()
    return contact


def upsert(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/upsert``."""
    errors = check_upsert(body)
    if errors:
        return v2_error(errors)
    contact = apply_upsert(fake, body, body["owner"])
    return v2_ok(contactId=contact.contact_id)


def _batch(fake: FakeSalesmanago, body: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    items = body.get("upsertDetails")
    if not isinstance(items, list) or not items:
        return {}, ["Missing required field: upsertDetails"]
    if len(items) > MAX_BATCH:
        return {}, [f"Too many elements in upsertDetails: {len(items)} (maximum {MAX_BATCH})"]
    ids: dict[str, str] = {}
    failures: list[str] = []
    for index, details in enumerate(items):
        errors = check_upsert(details)
        if errors:
            failures += [f"upsertDetails[{index}]: {e}" for e in errors]
            continue
        contact = apply_upsert(fake, details, body["owner"])
        ids[contact.email] = contact.contact_id
    return ids, failures


def batch_upsert(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/batchupsert`` (synchronous): ``contactIds`` maps e-mail -> id.

    Valid items are stored even when others fail; the failures are listed in ``message``.
    """
    ids, failures = _batch(fake, body)
    if not ids:
        return v2_error(failures)
    return Response(200, {"success": True, "message": failures, "contactIds": ids})


def batch_upsert_v2(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/batchupsertv2`` (asynchronous): answers a ``requestId`` to poll."""
    items = body.get("upsertDetails")
    if not isinstance(items, list) or not items or len(items) > MAX_BATCH:
        return v2_error(_batch(fake, body)[1])  # the envelope error; nothing is stored
    ids, failures = _batch(fake, body)
    job = Job(fake.next_request_id(), fake.job_polls, {"contactIds": ids, "failures": failures})
    fake.jobs[job.request_id] = job
    return v2_ok(requestId=job.request_id)


def job_status(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/job/status``: "in progress" ``job_polls`` times, then ``fileUrl``."""
    raw = body.get("requestId")
    job = fake.jobs.get(int(str(raw))) if str(raw).isdigit() else None  # 12 or "12"
    if job is None:
        return v2_error([f"Request {body.get('requestId')} not found"])
    if job.polls > 0:
        job.polls -= 1
        return v2_ok(message=["Request is being processed"])
    return v2_ok(fileUrl=f"{fake.url}/files/{job.request_id}.json")


def delete(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/delete``."""
    contact = fake.find_contact(body.get("email"))
    if contact is None:
        return v2_error([f"Contact not found: {body.get('email')}"])
    fake.remove_contact(contact)
    return v2_ok(result=True)


def has_contact(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/hasContact``: ``result`` and ``contactId``."""
    contact = fake.find_contact(body.get("email"))
    return v2_ok(result=contact is not None, contactId=contact.contact_id if contact else None)


def basic(fake: FakeSalesmanago, body: dict[str, Any]) -> Response:
    """``/api/contact/basic``: the basic data of the e-mails given (unknown ones omitted)."""
    emails = body.get("email")
    if not isinstance(emails, list):
        return v2_error(["Field email must be a list of e-mail addresses"])
    found = [fake.find_contact(e) for e in emails]
    return v2_ok(contacts=[c.basic() for c in found if c is not None])


def _opt(fake: FakeSalesmanago, body: dict[str, Any], status: str) -> Response:
    contact = fake.find_contact(body.get("email")) or fake.contact_by_id(body.get("contactId"))
    if contact is None:
        return v2_error([f"Contact not found: {body.get('email') or body.get('contactId')}"])
    contact.email_opt = "in" if status == "in" else "out"
    contact.modified = fake.now_ms()
    return v2_ok(contactId=contact.contact_id)


ROUTES = {
    "/api/contact/upsert": upsert,
    "/api/contact/batchupsert": batch_upsert,
    "/api/contact/batchupsertv2": batch_upsert_v2,
    "/api/job/status": job_status,
    "/api/contact/delete": delete,
    "/api/contact/hasContact": has_contact,
    "/api/contact/basic": basic,
    "/api/contact/optin": lambda fake, body: _opt(fake, body, "in"),
    "/api/contact/optout": lambda fake, body: _opt(fake, body, "out"),
}
