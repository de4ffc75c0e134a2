"""Delivery keys of order events: ``<serial>`` for a PURCHASE, ``<serial>:<kind>`` after it.

A CANCELLATION or RETURN carries the same ``externalId`` as its order's PURCHASE, so its
delivery needs a key of its own, and reconciliation compares the event type as well as the
``externalId`` for it (see :func:`stored_in_export`).
"""

from __future__ import annotations

from collections.abc import Collection

from ..salesmanago.models import EventType

__all__ = ["follow_up_key", "serial_of", "stored_in_export"]

_KINDS = {"cancellation": EventType.CANCELLATION.value, "return": EventType.RETURN.value}


def follow_up_key(serial: int | str, kind: EventType | str) -> str:
    """``"4711:cancellation"`` / ``"4711:return"``."""
    value = kind.value if isinstance(kind, EventType) else str(kind)
    return f"{serial}:{value.lower()}"


def serial_of(key: str) -> tuple[str, str | None]:
    """The serial number and the follow-up event type of a delivery key (``None``: PURCHASE)."""
    serial, sep, kind = key.partition(":")
    return serial, (_KINDS.get(kind, kind.upper()) if sep else None)


def stored_in_export(
    key: str, external_ids: Collection[str], typed: Collection[tuple[str, str]] | None
) -> bool | None:
    """Whether the export shows this delivery's event; ``None`` when it cannot tell.

    A PURCHASE is found by its ``externalId``. A follow-up needs its type too: ``typed``
    holds ``(type, externalId)`` pairs, ``None`` when some event's type was not readable.
    """
    serial, kind = serial_of(key)
    if kind is None:
        return serial in external_ids
    if typed is None:
        return None
    return (kind, serial) in typed
