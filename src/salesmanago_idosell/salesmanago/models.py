"""Typed models of SALESmanago API v2 contacts and events.

Python names are snake_case; the wire format (where each field goes in the JSON body,
``yyyyMMdd`` birthdays, epoch-millisecond dates, comma-joined product ids) lives in
:mod:`salesmanago_idosell.salesmanago._wire`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from attrs import field, frozen

__all__ = [
    "Address",
    "BatchEventsResult",
    "BatchUpsertResult",
    "ContactBasic",
    "ContactState",
    "ContactUpsert",
    "EventChunk",
    "EventType",
    "ExternalEvent",
    "JobStatus",
    "UpsertResult",
]


def _tuple(value: Iterable[str] | None) -> tuple[str, ...]:
    """Accept any iterable of strings (a lone string is one item, not its characters)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class ContactState(str, Enum):
    """The contact's relation to the account (``contact.state``)."""

    CUSTOMER = "CUSTOMER"
    PROSPECT = "PROSPECT"
    PARTNER = "PARTNER"
    OTHER = "OTHER"
    UNKNOWN = "UNKNOWN"


class EventType(str, Enum):
    """The 25 documented external event types (unknown strings are accepted too)."""

    PURCHASE = "PURCHASE"
    CART = "CART"
    VISIT = "VISIT"
    PHONE_CALL = "PHONE_CALL"
    OTHER = "OTHER"
    RESERVATION = "RESERVATION"
    CANCELLED = "CANCELLED"
    ACTIVATION = "ACTIVATION"
    MEETING = "MEETING"
    OFFER = "OFFER"
    DOWNLOAD = "DOWNLOAD"
    LOGIN = "LOGIN"
    TRANSACTION = "TRANSACTION"
    CANCELLATION = "CANCELLATION"
    RETURN = "RETURN"
    SURVEY = "SURVEY"
    APP_STATUS = "APP_STATUS"
    APP_TYPE_WEB = "APP_TYPE_WEB"
    APP_TYPE_MANUAL = "APP_TYPE_MANUAL"
    APP_TYPE_RETENTION = "APP_TYPE_RETENTION"
    APP_TYPE_UPSALE = "APP_TYPE_UPSALE"
    LOAN_STATUS = "LOAN_STATUS"
    LOAN_ORDER = "LOAN_ORDER"
    FIRST_LOAN = "FIRST_LOAN"
    REPEATED_LOAN = "REPEATED_LOAN"


@frozen(kw_only=True)
class Address:
    """A postal address (sent inside ``contact.address``)."""

    street: str | None = None
    zip_code: str | None = None
    city: str | None = None
    country: str | None = None


@frozen(kw_only=True)
class ContactUpsert:
    """One contact to create or update (``/api/contact/upsert`` or a batch item).

    Only ``email`` is required. ``None``, empty strings and empty lists are not sent. The four
    opt flags are always sent, ``False`` meaning "leave the status unchanged"; only ``True``
    changes it.

    Example:
        >>> ContactUpsert(email="jan@example.pl", name="Jan Kowalski", tags=["rejestracja"])
        ContactUpsert(email='jan@example.pl', name='Jan Kowalski', ...)
    """

    email: str
    name: str | None = None
    phone: str | None = None
    fax: str | None = None
    company: str | None = None
    external_id: str | None = None
    state: ContactState | None = None
    address: Address | None = None
    contact_id: str | None = None
    new_email: str | None = None
    birthday: date | None = None
    province: str | None = None
    lang: str | None = None
    tags: tuple[str, ...] = field(default=(), converter=_tuple)
    remove_tags: tuple[str, ...] = field(default=(), converter=_tuple)
    properties: Mapping[str, str] = field(factory=dict)
    force_opt_in: bool = False
    force_opt_out: bool = False
    force_phone_opt_in: bool = False
    force_phone_opt_out: bool = False
    use_api_double_opt_in: bool = False


@frozen(kw_only=True)
class ExternalEvent:
    """An external event (PURCHASE, CART, VISIT, ...) attached to a contact.

    Identify the contact by ``email`` or ``contact_id`` (``contact_id`` wins when both are
    given). ``date`` must be timezone-aware; it is sent as epoch milliseconds. ``products``
    are product ids, sent comma-joined. ``details`` maps 1..20 to ``detail1``..``detail20``.
    """

    type: EventType | str
    date: datetime
    email: str | None = None
    contact_id: str | None = None
    products: tuple[str, ...] = field(default=(), converter=_tuple)
    description: str | None = None
    location: str | None = None
    value: Decimal | None = None
    details: Mapping[int, str] = field(factory=dict)
    external_id: str | None = None
    shop_domain: str | None = None
    force_opt_in: bool = False


@frozen
class UpsertResult:
    """The answer to a single contact upsert or opt-in/out."""

    contact_id: str
    external_id: str | None = None


@frozen
class BatchUpsertResult:
    """The merged answer of a synchronous batch upsert.

    Attributes:
        contact_ids: e-mail -> contact id of every contact the API stored.
        requests: how many requests were sent.
        messages: the API's messages (it lists refused items here while answering success).
    """

    contact_ids: Mapping[str, str]
    requests: int
    messages: tuple[str, ...] = ()


@frozen
class JobStatus:
    """The state of an asynchronous job (``/api/job/status``).

    Attributes:
        request_id: the job id returned when it was started.
        done: True once the API reports no pending message and a result file.
        file_url: the job's result file, once done.
        messages: the API's messages while the job runs.
    """

    request_id: str
    done: bool
    file_url: str | None = None
    messages: tuple[str, ...] = ()


@frozen
class BatchEventsResult:
    """The merged answer of a batch event add.

    Attributes:
        created: events the API created.
        failed: events the API refused.
        failed_items: the API's ``failedContacts`` entries, as sent back (an e-mail or
            contact id string, or an object, depending on the account's API version).
        chunks: one outcome per request, in order.
    """

    created: int
    failed: int
    failed_items: tuple[str | Mapping[str, object], ...] = ()
    chunks: tuple[EventChunk, ...] = ()


@frozen(kw_only=True)
class EventChunk:
    """One acknowledged request of a batch event add.

    Attributes:
        start: index of its first event in the batch.
        size: how many events it carried.
        created: ``createdAmount`` of its answer.
        failed: ``failedAmount`` of its answer.
        failed_items: its ``failedContacts`` entries.
    """

    start: int
    size: int
    created: int
    failed: int
    failed_items: tuple[str | Mapping[str, object], ...] = ()


@frozen(kw_only=True)
class ContactBasic:
    """A contact as read back from ``/api/contact/basic``."""

    email: str
    contact_id: str
    name: str | None = None
    phone: str | None = None
    fax: str | None = None
    company: str | None = None
    address: Address | None = None
    birthday_year: str | None = None
    birthday_month: str | None = None
    birthday_day: str | None = None
    external_id: str | None = None
    state: str | None = None
    score: int | None = None
    opted_out: bool = False
    opted_out_phone: bool = False
    deleted: bool = False
    invalid: bool = False
    created_on: datetime | None = None
    modified_on: datetime | None = None
    last_visit: datetime | None = None
