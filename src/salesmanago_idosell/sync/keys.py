"""Delivery keys of order events: ``<serial>`` for a PURCHASE, ``<serial>:<kind>`` after it.

A CANCELLATION or RETURN carries the same ``externalId`` as its order's PURCHASE, so its
delivery needs a key of its own, and reconciliation looks for the event type as well as the
``externalId`` (see :func:`stored_in_export`).
"""

from __future__ import annotations

from ..salesmanago.exports import EventsExport
from ..salesmanago.models import EventType

__all__ = ["follow_up_key", "is_delivery_key", "serial_of", "stored_in_export"]

_KINDS = {"cancellation": EventType.CANCELLATION.value, "return": EventType.RETURN.value}


def follow_up_key(serial: int | str, kind: EventType | str) -> str:
    """``"4711:cancellation"`` / ``"4711:return"``."""
    value = kind.value if isinstance(kind, EventType) else str(kind)
    return f"{serial}:{value.lower()}"


def serial_of(key: str) -> tuple[str, str | None]:
    """The serial number and the follow-up event type of a delivery key (``None``: PURCHASE)."""
    serial, sep, kind = key.partition(":")
    return serial, (_KINDS.get(kind, kind.upper()) if sep else None)


def is_delivery_key(key: str) -> bool:
    """``"4711"``, ``"4711:cancellation"`` or ``"4711:return"`` (what an operator may name)."""
    serial, sep, kind = key.partition(":")
    return serial.isdigit() and int(serial) > 0 and (not sep or kind in _KINDS)


def stored_in_export(export: EventsExport, email: str, key: str) -> bool | None:
    """Whether the export shows this delivery's event (its type and ``externalId``);
    ``None`` when it does not show the contact's events with certainty."""
    serial, kind = serial_of(key)
    return export.stored(email, serial, event_type=kind or EventType.PURCHASE.value)
