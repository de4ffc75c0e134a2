"""SALESmanago wire format: the cattrs converter and its hooks.

Where each contact field goes (``contact.*`` versus top level), ``yyyyMMdd`` birthdays,
epoch-millisecond event dates, comma-joined product ids, v3 camelCase product fields and the
catalog name's older alias all live here, never on the models.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from cattrs import Converter

from .._converter import (
    decimal_from_wire,
    decimal_to_wire,
    make_converter,
    register_renames,
)
from ..errors import ValidationError
from .catalog_models import Catalog
from .models import Address, ContactBasic, ContactState, ContactUpsert, EventType, ExternalEvent

__all__ = [
    "datetime_from_ms",
    "datetime_to_ms",
    "make_salesmanago_converter",
]

_CONTACT_KEYS = {"name": "name", "phone": "phone", "fax": "fax", "company": "company",
                 "external_id": "externalId"}  # fmt: skip
_TOP_KEYS = {"contact_id": "contactId", "new_email": "newEmail", "province": "province",
             "lang": "lang"}  # fmt: skip
_FLAG_KEYS = {"force_opt_in": "forceOptIn", "force_opt_out": "forceOptOut",
              "force_phone_opt_in": "forcePhoneOptIn", "force_phone_opt_out": "forcePhoneOptOut",
              "use_api_double_opt_in": "useApiDoubleOptIn"}  # fmt: skip
_ADDRESS_KEYS = {"street": "streetAddress", "zip_code": "zipCode", "city": "city",
                 "country": "country"}  # fmt: skip
_EVENT_KEYS = {"description": "description", "location": "location",
               "external_id": "externalId", "shop_domain": "shopDomain"}  # fmt: skip


def _clean(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Trim strings and drop None, empty strings, lists and objects (False is kept).

    One pass, no call per field (this runs for every contact and event sent)."""
    clean: dict[str, Any] = {}
    for key, value in mapping.items():
        if value.__class__ is str:
            text = value.strip()
            if text:
                clean[key] = text
        elif value is None or value is False or value is True:
            if value is not None:
                clean[key] = value
        elif isinstance(value, str):  # a str subclass
            if value.strip():
                clean[key] = value.strip()
        elif value or not isinstance(value, list | tuple | dict):
            clean[key] = value
    return clean


def datetime_to_ms(value: datetime) -> int:
    """A timezone-aware datetime as integer epoch milliseconds."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError("event date must be timezone-aware", field="date")
    return round(value.timestamp() * 1000)


def datetime_from_ms(value: Any, _: Any = None) -> datetime:
    """Epoch milliseconds (int or numeric string) as a UTC datetime."""
    return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)


def _optional_ms(value: Any, _: Any = None) -> datetime | None:
    return None if value is None else datetime_from_ms(value)


def _put(body: dict[str, Any], key: str, value: Any) -> None:
    """``body[key] = value`` by :func:`_clean`'s rules (strings trimmed; None, blanks and
    empty collections left out), for one value."""
    if value.__class__ is str:
        value = value.strip()
        if value:
            body[key] = value
    elif value is True or value is False:
        body[key] = value
    elif value is not None:
        body.update(_clean({key: value}))


def _address_to_wire(address: Address | None) -> dict[str, Any]:
    if address is None:
        return {}
    wire: dict[str, Any] = {}
    _put(wire, "streetAddress", address.street)
    _put(wire, "zipCode", address.zip_code)
    _put(wire, "city", address.city)
    _put(wire, "country", address.country)
    return wire


def contact_to_wire(contact: ContactUpsert) -> dict[str, Any]:
    """One upsert object as the API expects it (``/contact/upsert`` or a batch item).

    Built field by field with :func:`_clean`'s rules (this runs for every contact sent)."""
    inner: dict[str, Any] = {}
    _put(inner, "name", contact.name)
    _put(inner, "phone", contact.phone)
    _put(inner, "fax", contact.fax)
    _put(inner, "company", contact.company)
    _put(inner, "externalId", contact.external_id)
    _put(inner, "email", contact.email)
    state = contact.state
    if state.__class__ is ContactState:  # ``_value_``: without the ``value`` property
        _put(inner, "state", state._value_)
    else:
        _put(inner, "state", state.value if state else None)
    address = _address_to_wire(contact.address)
    if address:
        inner["address"] = address
    body: dict[str, Any] = {}
    _put(body, "contactId", contact.contact_id)
    _put(body, "newEmail", contact.new_email)
    _put(body, "province", contact.province)
    _put(body, "lang", contact.lang)
    if inner:
        body["contact"] = inner
    _put(body, "birthday", _birthday_to_wire(contact.birthday))
    if contact.tags:
        body["tags"] = list(contact.tags)
    if contact.remove_tags:
        body["removeTags"] = list(contact.remove_tags)
    if contact.properties:
        body["properties"] = dict(contact.properties)
    _put(body, "forceOptIn", contact.force_opt_in)
    _put(body, "forceOptOut", contact.force_opt_out)
    _put(body, "forcePhoneOptIn", contact.force_phone_opt_in)
    _put(body, "forcePhoneOptOut", contact.force_phone_opt_out)
    _put(body, "useApiDoubleOptIn", contact.use_api_double_opt_in)
    return body


def _birthday_to_wire(value: date | None) -> str | None:
    """``yyyyMMdd`` (zero-padded; ``strftime("%Y")`` does not pad years before 1000)."""
    if value is None:
        return None
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def _birthday_from_wire(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.strptime(value, "%Y%m%d").date()


def contact_from_wire(body: Mapping[str, Any], _: Any = None) -> ContactUpsert:
    """Read an upsert object back (for tests, fixtures and logs)."""
    inner = body.get("contact", {})
    address = inner.get("address")
    plain: dict[str, Any] = {name: inner.get(wire) for name, wire in _CONTACT_KEYS.items()}
    plain.update({name: body.get(wire) for name, wire in _TOP_KEYS.items()})
    plain.update({name: bool(body.get(wire, False)) for name, wire in _FLAG_KEYS.items()})
    return ContactUpsert(
        email=inner["email"],
        state=ContactState(inner["state"]) if inner.get("state") else None,
        address=(
            Address(**{name: address.get(wire) for name, wire in _ADDRESS_KEYS.items()})
            if address
            else None
        ),
        birthday=_birthday_from_wire(body.get("birthday")),
        tags=body.get("tags", ()),
        remove_tags=body.get("removeTags", ()),
        properties=body.get("properties", {}),
        **plain,
    )


#: ``detail1`` .. ``detail20`` (the documented numbers), not formatted for every event.
_DETAIL_KEYS = {number: f"detail{number}" for number in range(1, 21)}


def _contact_event_to_wire(event: ExternalEvent) -> dict[str, Any]:
    kind = event.type
    if kind.__class__ is EventType:  # ``_value_``: without the ``value`` property's lookup
        kind = kind._value_
    elif isinstance(kind, EventType):
        kind = kind.value
    body: dict[str, Any] = {}
    _put(body, "description", event.description)
    _put(body, "location", event.location)
    _put(body, "externalId", event.external_id)
    _put(body, "shopDomain", event.shop_domain)
    body["date"] = datetime_to_ms(event.date)
    _put(body, "contactExtEventType", kind)
    _put(body, "products", ",".join([p.strip() for p in event.products]))
    if event.value is not None:
        body["value"] = decimal_to_wire(event.value)
    details = event.details
    for number in sorted(details) if len(details) > 1 else details:
        text = details[number]
        if text.__class__ is str:  # inlined _put: seven details on every order
            text = text.strip()
            if text:
                key = _DETAIL_KEYS.get(number) if number.__class__ is int else None
                body[key or f"detail{number}"] = text
        else:
            _put(body, f"detail{number}", text)
    return body


def event_to_wire(event: ExternalEvent) -> dict[str, Any]:
    """An event item: the contact (``contactId`` wins over ``email``) and ``contactEvent``."""
    item: dict[str, Any] = {}
    contact_id = event.contact_id.strip() if event.contact_id else ""
    if contact_id:  # a blank one is absent: the e-mail identifies the contact
        item["contactId"] = contact_id
    else:
        _put(item, "email", event.email)
    if event.force_opt_in:
        item["forceOptIn"] = True
    item["contactEvent"] = _contact_event_to_wire(event)
    return item


def event_from_wire(item: Mapping[str, Any], _: Any = None) -> ExternalEvent:
    """Read an event item back (for tests, fixtures and logs)."""
    body = item["contactEvent"]
    kind = body["contactExtEventType"]
    details = {int(k[6:]): v for k, v in body.items() if k.startswith("detail")}
    plain: dict[str, Any] = {name: body.get(wire) for name, wire in _EVENT_KEYS.items()}
    return ExternalEvent(
        type=EventType(kind) if kind in EventType.__members__ else kind,
        date=datetime_from_ms(body["date"]),
        email=item.get("email"),
        contact_id=item.get("contactId"),
        force_opt_in=bool(item.get("forceOptIn", False)),
        products=tuple(p for p in body.get("products", "").split(",") if p),
        value=decimal_from_wire(body["value"]) if "value" in body else None,
        details=details,
        **plain,
    )


def _catalog_from_wire(body: Mapping[str, Any], _: Any = None) -> Catalog:
    return Catalog(
        catalog_id=str(body["catalogId"]),
        name=body.get("name") or body.get("catalogName") or "",
        currency=body.get("currency"),
        location=body.get("location"),
        set_as_default=bool(body.get("setAsDefault", False)),
    )


def make_salesmanago_converter(*, strict: bool = False) -> Converter:
    """The converter for SALESmanago v2 and v3 bodies (strict forbids unknown keys)."""
    converter = make_converter(strict=strict)
    converter.register_unstructure_hook(ContactUpsert, contact_to_wire)
    converter.register_structure_hook(ContactUpsert, contact_from_wire)
    converter.register_unstructure_hook(ExternalEvent, event_to_wire)
    converter.register_structure_hook(ExternalEvent, event_from_wire)
    converter.register_structure_hook(Catalog, _catalog_from_wire)
    register_renames(converter, Address, street="streetAddress")
    ms_hooks = dict.fromkeys(("created_on", "modified_on", "last_visit"), _optional_ms)
    register_renames(converter, ContactBasic, hooks=ms_hooks)
    return converter
