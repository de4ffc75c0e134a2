"""What the fake SALESmanago stores, and the field rules it enforces (from the reference)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

__all__ = [
    "EVENT_LIMITS",
    "Catalog",
    "Contact",
    "ExtEvent",
    "Job",
    "OptStatus",
    "check_birthday",
    "check_email",
    "check_length",
]

OptStatus = Literal["none", "in", "out"]
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_LOCAL}@{_LABEL}(?:\.{_LABEL})+$")
#: Maximum lengths of ``contactEvent`` fields (reference section 3.2).
EVENT_LIMITS = {
    "description": 2048,
    "products": 512,
    "location": 36,
    "externalId": 255,
    "shopDomain": 255,
    "contactExtEventType": 255,
    **{f"detail{i}": 255 for i in range(1, 21)},
}
#: Maximum length the fake allows for contact text fields (the real limit is undocumented).
CONTACT_FIELD_MAX = 255


@dataclass
class Contact:
    """A stored contact (keyed by e-mail in :attr:`FakeSalesmanago.contacts`).

    ``email_opt`` / ``phone_opt`` are ``"in"``, ``"out"`` or ``"none"`` (never set);
    ``received`` keeps every upsert body (auth fields removed) that touched the contact.
    """

    contact_id: str
    email: str
    owner: str
    created: int
    modified: int
    name: str = ""
    phone: str = ""
    fax: str = ""
    company: str = ""
    external_id: str = ""
    state: str = ""
    address: dict[str, str] = field(default_factory=dict)
    birthday: str = ""
    province: str = ""
    lang: str = ""
    tags: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    consents: list[dict[str, Any]] = field(default_factory=list)
    email_opt: OptStatus = "none"
    phone_opt: OptStatus = "none"
    received: list[dict[str, Any]] = field(default_factory=list)

    @property
    def opted_in(self) -> bool:
        """Whether the contact is opted in to e-mail."""
        return self.email_opt == "in"

    def basic(self) -> dict[str, Any]:
        """The ``/api/contact/basic`` shape."""
        year, month, day = self.birthday[:4], self.birthday[4:6], self.birthday[6:8]
        return {
            "name": self.name, "email": self.email, "phone": self.phone, "fax": self.fax,
            "company": self.company, "externalId": self.external_id, "contactId": self.contact_id,
            "score": 0, "state": self.state or "UNKNOWN", "optedOut": self.email_opt != "in",
            "optedOutPhone": self.phone_opt != "in", "deleted": False, "invalid": False,
            "birthdayYear": year, "birthdayMonth": month, "birthdayDay": day,
            "createdOn": self.created, "modifiedOn": self.modified, "lastVisit": None,
            "address": {k: self.address.get(k, "") for k in
                        ("streetAddress", "zipCode", "city", "country")},
        }  # fmt: skip


@dataclass
class ExtEvent:
    """A stored external event; ``fields`` is the ``contactEvent`` object as last sent."""

    event_id: str
    contact_id: str
    email: str
    owner: str
    fields: dict[str, Any]

    @property
    def type(self) -> str:
        """``contactExtEventType`` (``PURCHASE``, ``CART``, ...)."""
        return str(self.fields.get("contactExtEventType", ""))

    @property
    def date(self) -> datetime | None:
        """The event date (sent as epoch milliseconds) as an aware UTC datetime."""
        value = self.fields.get("date")
        if not isinstance(value, int):
            return None
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)


@dataclass
class Catalog:
    """A v3 product catalog and its products (productId -> product object as stored)."""

    catalog_id: str
    name: str
    currency: str
    location: str
    set_as_default: bool = False
    products: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The ``catalogList`` item shape."""
        return {
            "catalogId": self.catalog_id,
            "name": self.name,
            "currency": self.currency,
            "location": self.location,
            "setAsDefault": self.set_as_default,
        }


@dataclass
class Job:
    """An asynchronous ``batchupsertv2`` job: answers "in progress" ``polls`` times."""

    request_id: int
    polls: int
    result: Any


def check_email(value: Any) -> str | None:
    """An error message for an invalid e-mail (RFC-style; local <= 64, total <= 254)."""
    if not isinstance(value, str) or not value:
        return "Missing required field: email"
    local = value.rsplit("@", 1)[0]
    if len(value) > 254 or len(local) > 64 or not _EMAIL.match(value):
        return f"Invalid email address: {value}"
    return None


def check_length(name: str, value: Any, limit: int) -> str | None:
    """An error message when a text field is longer than ``limit``."""
    if value is not None and len(str(value)) > limit:
        return f"Field {name} is too long (max {limit} characters)"
    return None


def check_birthday(value: Any) -> str | None:
    """An error for a birthday that is not ``yyyyMMdd`` or ``MMdd``."""
    text = str(value)
    ok = (len(text) == 8 and _valid_date(text, "%Y%m%d")) or (
        len(text) == 4 and _valid_date("2000" + text, "%Y%m%d")
    )
    return None if ok else f"Invalid birthday {text!r}: expected yyyyMMdd or MMdd"


def _valid_date(text: str, pattern: str) -> bool:
    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return False
    return text.isdigit()
