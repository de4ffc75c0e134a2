"""SALESmanago API v2 external events: add, update, delete, batch add; field limits.

Field limits (products 512 characters once comma-joined, description 2048, location 36 of
letters, digits and ``/ _ - .``, details / externalId / shopDomain 255, value at most 19
integer digits and 2 decimals) are checked before sending. The client's ``event_overflow``
policy decides what happens to a value that is too long:

* ``"raise"`` (default): a :class:`ValidationError` naming the field; nothing is sent.
* ``"truncate"``: text is cut to the limit and product ids that do not fit are dropped
  whole (an id is never cut in the middle). Location, value and the contact are still
  validated strictly, because a wrong value there would attach the event to the wrong place.

Adding an event is not idempotent (the API does not de-duplicate by ``externalId``), so
``add`` and ``batch_add`` are never retried once the request may have reached the server,
unless the caller passes ``retry=True``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

import attrs

from ..errors import (
    APIError,
    PartialBatchError,
    ResponseValidationError,
    SalesmanagoIdosellError,
    ValidationError,
)
from ._calls import TimeoutArg, V2Caller
from .contacts import checked_email
from .models import BatchEventsResult, EventChunk, ExternalEvent

__all__ = [
    "EVENTS_BATCH_MAX",
    "EVENT_VALUE_MAX",
    "LIMITS",
    "EventOverflow",
    "EventsAPI",
    "fit_event",
]

EventOverflow = Literal["raise", "truncate"]
EVENTS_BATCH_MAX = 1000
LIMITS: Mapping[str, int] = {
    "products": 512,
    "description": 2048,
    "location": 36,
    "details": 255,
    "external_id": 255,
    "shop_domain": 255,
}
_LOCATION = re.compile(r"[A-Za-z0-9/_.\-]+")
#: An event value is below this (19 integer digits; 2 decimals on top).
EVENT_VALUE_MAX = Decimal("1e19")


def _fit_text(name: str, value: str | None, truncate: bool) -> str | None:
    limit = LIMITS["details" if name.startswith("detail") else name]
    if value is None or len(value) <= limit:
        return value
    if not truncate:
        raise ValidationError(
            f"event {name} is {len(value)} characters long; the limit is {limit}", field=name
        )
    return value[:limit]


def _fit_products(products: tuple[str, ...], truncate: bool) -> tuple[str, ...]:
    limit = LIMITS["products"]
    if len(",".join(products)) <= limit:
        return products
    if not truncate:
        raise ValidationError(
            f"event products are {len(','.join(products))} characters once joined; "
            f"the limit is {limit}",
            field="products",
        )
    kept: list[str] = []
    for product in products:
        if len(",".join([*kept, product])) > limit:
            break
        kept.append(product)
    return tuple(kept)


@lru_cache(maxsize=64)  # a run sends one location, checked once instead of per event
def _location_problem(location: str) -> str | None:
    if len(location) > LIMITS["location"]:
        return "event location is longer than 36 characters"
    if not _LOCATION.fullmatch(location):
        return "event location may only hold letters, digits and / _ - ."
    return None


def _check_strict_fields(event: ExternalEvent) -> None:
    contact_id = (event.contact_id or "").strip()  # blank means absent, as on the wire
    if not event.email and not contact_id:
        raise ValidationError("an event needs email or contact_id", field="email")
    if event.email and not contact_id:
        checked_email(event.email)
    if event.date.tzinfo is None or event.date.utcoffset() is None:
        raise ValidationError("event date must be timezone-aware", field="date")
    if event.location is not None:
        problem = _location_problem(event.location)
        if problem is not None:
            raise ValidationError(problem, field="location")
    if event.value is not None and (
        abs(event.value) >= EVENT_VALUE_MAX or event.value != round(event.value, 2)
    ):
        raise ValidationError("event value allows 19 integer digits and 2 decimals", field="value")
    bad_details = [n for n in event.details if not 1 <= n <= 20]
    if bad_details:
        raise ValidationError(f"detail numbers must be 1..20, got {bad_details}", field="details")


def _fits(event: ExternalEvent) -> bool:
    """Every text within its limit (details, description, ids, products once joined)."""
    limit = LIMITS["details"]
    for text in event.details.values():
        if text.__class__ is not str or len(text) > limit:
            return False
    return (
        (event.description is None or len(event.description) <= LIMITS["description"])
        and (event.external_id is None or len(event.external_id) <= LIMITS["external_id"])
        and (event.shop_domain is None or len(event.shop_domain) <= LIMITS["shop_domain"])
        and len(",".join(event.products)) <= LIMITS["products"]
    )


def fit_event(event: ExternalEvent, *, overflow: EventOverflow = "raise") -> ExternalEvent:
    """Check an event against the API's limits; truncate it when ``overflow="truncate"``.

    Raises:
        ValidationError: a field breaks a limit (naming the field) under ``"raise"``, or a
            strictly checked field (contact, date, location, value, detail numbers) is wrong.
    """
    _check_strict_fields(event)
    if _fits(event):
        return event  # the usual case: within every limit, no copy and no per-field work
    truncate = overflow == "truncate"
    details = {
        n: _fit_text(f"detail{n}", text, truncate) or "" for n, text in event.details.items()
    }
    products = _fit_products(event.products, truncate)
    description = _fit_text("description", event.description, truncate)
    external_id = _fit_text("external_id", event.external_id, truncate)
    shop_domain = _fit_text("shop_domain", event.shop_domain, truncate)
    if (
        details == event.details
        and products is event.products
        and description is event.description
        and external_id is event.external_id
        and shop_domain is event.shop_domain
    ):
        return event  # already within every limit: no copy
    return attrs.evolve(
        event,
        products=products,
        description=description,
        external_id=external_id,
        shop_domain=shop_domain,
        details=details,
    )


class EventsAPI:
    """External events of one SALESmanago account (``client.events``)."""

    def __init__(self, call: V2Caller, *, overflow: EventOverflow) -> None:
        self._call = call
        self._overflow = overflow

    def _item(self, event: ExternalEvent) -> dict[str, Any]:
        """The event as sent: contact (id or e-mail), ``forceOptIn`` and ``contactEvent``."""
        item: dict[str, Any] = self._call.converter.unstructure(
            fit_event(event, overflow=self._overflow)
        )
        return item

    def add(self, event: ExternalEvent, *, retry: bool = False, timeout: TimeoutArg = None) -> str:
        """Add one event (``/api/contact/addContactExtEvent``); returns its event id.

        Not retried after the request may have reached the server, because a repeat would
        create a duplicate; pass ``retry=True`` to accept that risk.
        """
        answer = self._call(
            "/contact/addContactExtEvent", self._item(event), idempotent=retry, timeout=timeout
        )
        return self._event_id(answer, "/contact/addContactExtEvent")

    def update(self, event_id: str, event: ExternalEvent, *, timeout: TimeoutArg = None) -> str:
        """Update an event by id (``/api/contact/updateContactExtEvent``); retried safely."""
        if not event_id:
            raise ValidationError("event_id must not be empty", field="event_id")
        body = {"contactEvent": {**self._item(event)["contactEvent"], "eventId": event_id}}
        answer = self._call(
            "/contact/updateContactExtEvent", body, idempotent=True, timeout=timeout
        )
        return self._event_id(answer, "/contact/updateContactExtEvent", default=event_id)

    def delete(self, event_id: str) -> None:
        """Delete an event by id (``/api/contact/deleteContactExtEvent``)."""
        if not event_id:
            raise ValidationError("event_id must not be empty", field="event_id")
        self._call("/contact/deleteContactExtEvent", {"eventId": event_id}, idempotent=True)

    def batch_add(
        self,
        events: Iterable[ExternalEvent],
        *,
        chunk_size: int = EVENTS_BATCH_MAX,
        retry: bool = False,
    ) -> BatchEventsResult:
        """Add many events (``/api/v2/contact/addBatchContactExtEvent``, 1000 per request).

        Every event is checked before the first request. Returns created and failed counts
        summed over the chunks, with the API's failed items and one :class:`EventChunk` per
        request.

        Raises:
            ValidationError: an event breaks a limit (nothing was sent).
            PartialBatchError: a chunk failed after earlier chunks were acknowledged; it says
                how many leading events were stored, which chunk failed and whether that
                chunk was certainly not stored (``success: false``) or may have been (timeout,
                dropped connection, 5xx). Later chunks were not sent.
            SalesmanagoIdosellError: the first chunk failed (nothing was acknowledged).
        """
        if not 1 <= chunk_size <= EVENTS_BATCH_MAX:
            raise ValidationError(f"chunk_size must be 1..{EVENTS_BATCH_MAX}", field="chunk_size")
        items = [self._item(event) for event in events]
        chunks: list[EventChunk] = []
        for start in range(0, len(items), chunk_size):
            chunk = items[start : start + chunk_size]
            try:
                answer = self._call(
                    "/v2/contact/addBatchContactExtEvent", {"events": chunk}, idempotent=retry
                )
            except SalesmanagoIdosellError as exc:
                if not chunks:
                    raise
                raise _partial(start, len(chunk), exc) from exc
            chunks.append(_chunk_outcome(start, len(chunk), answer))
        return BatchEventsResult(
            created=sum(c.created for c in chunks),
            failed=sum(c.failed for c in chunks),
            failed_items=tuple(item for c in chunks for item in c.failed_items),
            chunks=tuple(chunks),
        )

    @staticmethod
    def _event_id(answer: dict[str, Any], endpoint: str, default: str | None = None) -> str:
        event_id = answer.get("eventId") or default
        if not event_id:
            raise ResponseValidationError(f"{endpoint} answered without eventId", endpoint=endpoint)
        return str(event_id)


def _chunk_outcome(start: int, size: int, answer: Mapping[str, Any]) -> EventChunk:
    failed_items = tuple(
        item if isinstance(item, Mapping) else str(item)
        for item in answer.get("failedContacts") or ()
    )
    return EventChunk(
        start=start,
        size=size,
        created=int(answer.get("createdAmount") or 0),
        failed=int(answer.get("failedAmount") or 0),
        failed_items=failed_items,
    )


def _partial(start: int, size: int, exc: SalesmanagoIdosellError) -> PartialBatchError:
    certain = isinstance(exc, APIError | ValidationError)
    what = "refused (not stored)" if certain else "of unknown outcome (may have been stored)"
    return PartialBatchError(
        f"events {start}..{start + size - 1} {what} after {start} were acknowledged: "
        f"{type(exc).__name__}: {exc}",
        acknowledged=start,
        failed_start=start,
        failed_end=start + size,
        certain=certain,
        cause=exc,
    )
