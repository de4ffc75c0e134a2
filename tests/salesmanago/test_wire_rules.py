"""The field-by-field body builders follow the one documented rule, ``_clean``: strings
trimmed; None, blank strings and empty collections left out; booleans (False too) kept.

Each builder is compared with a reference that lays every field out and cleans the whole
object once (the straightforward form of the rule), on generated contacts and events.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmanago_idosell._converter import decimal_to_wire
from salesmanago_idosell.salesmanago._wire import (
    _clean,
    contact_to_wire,
    datetime_to_ms,
    event_to_wire,
)
from salesmanago_idosell.salesmanago.models import (
    Address,
    ContactState,
    ContactUpsert,
    EventType,
    ExternalEvent,
)

TEXT = st.one_of(
    st.none(), st.sampled_from(["", " ", "a", " b ", "\t", "ą,ę"]), st.text(max_size=12)
)
FLAG = st.one_of(st.booleans(), st.sampled_from([None, 0, 1]))


def _reference_contact(c: ContactUpsert) -> dict[str, Any]:
    address = (
        {}
        if c.address is None
        else _clean(
            {"streetAddress": c.address.street, "zipCode": c.address.zip_code,
             "city": c.address.city, "country": c.address.country}
        )
    )  # fmt: skip
    birthday = (
        None
        if c.birthday is None
        else f"{c.birthday.year:04d}{c.birthday.month:02d}{c.birthday.day:02d}"
    )
    inner = _clean(
        {"name": c.name, "phone": c.phone, "fax": c.fax, "company": c.company,
         "externalId": c.external_id, "email": c.email,
         "state": c.state.value if c.state else None, "address": address}
    )  # fmt: skip
    return _clean(
        {"contactId": c.contact_id, "newEmail": c.new_email, "province": c.province,
         "lang": c.lang, "contact": inner, "birthday": birthday, "tags": list(c.tags),
         "removeTags": list(c.remove_tags), "properties": dict(c.properties),
         "forceOptIn": c.force_opt_in, "forceOptOut": c.force_opt_out,
         "forcePhoneOptIn": c.force_phone_opt_in, "forcePhoneOptOut": c.force_phone_opt_out,
         "useApiDoubleOptIn": c.use_api_double_opt_in}
    )  # fmt: skip


def _reference_event(e: ExternalEvent) -> dict[str, Any]:
    kind = e.type.value if isinstance(e.type, EventType) else e.type
    body = _clean(
        {"description": e.description, "location": e.location, "externalId": e.external_id,
         "shopDomain": e.shop_domain, "date": datetime_to_ms(e.date),
         "contactExtEventType": kind, "products": ",".join(p.strip() for p in e.products),
         "value": None if e.value is None else decimal_to_wire(e.value),
         **{f"detail{n}": text for n, text in sorted(e.details.items())}}
    )  # fmt: skip
    has_id = bool(e.contact_id and e.contact_id.strip())  # a blank id is absent
    item: dict[str, Any] = {"contactId": e.contact_id} if has_id else {"email": e.email}
    if e.force_opt_in:
        item["forceOptIn"] = True
    return _clean({**item, "contactEvent": body})


CONTACTS = st.builds(
    ContactUpsert,
    email=st.sampled_from(["a@b.pl", " a@b.pl ", "x"]),
    name=TEXT, phone=TEXT, fax=TEXT, company=TEXT, external_id=TEXT, contact_id=TEXT,
    new_email=TEXT, province=TEXT, lang=TEXT,
    state=st.one_of(st.none(), st.sampled_from(list(ContactState))),
    address=st.one_of(st.none(), st.builds(Address, street=TEXT, zip_code=TEXT, city=TEXT,
                                           country=TEXT)),
    birthday=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1))),
    tags=st.lists(st.sampled_from(["t", " u ", ""]), max_size=3),
    remove_tags=st.lists(st.sampled_from(["t", ""]), max_size=2),
    properties=st.dictionaries(st.sampled_from(["k", "l"]), st.sampled_from(["v", ""]),
                               max_size=2),
    force_opt_in=FLAG, force_opt_out=FLAG, force_phone_opt_in=FLAG, force_phone_opt_out=FLAG,
    use_api_double_opt_in=FLAG,
)  # fmt: skip

EVENTS = st.builds(
    ExternalEvent,
    type=st.one_of(st.sampled_from(list(EventType)), st.sampled_from(["CUSTOM", " X ", ""])),
    date=st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2100, 1, 1),
                      timezones=st.just(timezone.utc)),
    email=st.one_of(st.none(), st.sampled_from(["a@b.pl", " a@b.pl", ""])),
    contact_id=st.one_of(st.none(), st.sampled_from(["", "  ", "c1", " c2 "])),
    products=st.lists(st.sampled_from(["1", " 2 ", ""]), max_size=4),
    description=TEXT, location=st.sampled_from([None, "", "loc"]),
    value=st.one_of(st.none(), st.decimals(min_value=-(10**6), max_value=10**6, places=2)),
    details=st.dictionaries(st.integers(0, 25), TEXT, max_size=8),  # 1..20 and beyond
    external_id=TEXT, shop_domain=TEXT, force_opt_in=st.booleans(),
)  # fmt: skip


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONTACTS)
def test_contact_bodies_follow_the_clean_rule_in_the_same_key_order(
    contact: ContactUpsert,
) -> None:
    body = contact_to_wire(contact)
    expected = _reference_contact(contact)
    assert body == expected
    assert list(body) == list(expected)
    assert list(body.get("contact", {})) == list(expected.get("contact", {}))
    assert json.dumps(body) == json.dumps(expected)  # == alone: True == 1 == 1.0


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EVENTS)
def test_event_items_follow_the_clean_rule_in_the_same_key_order(event: ExternalEvent) -> None:
    item = event_to_wire(event)
    expected = _reference_event(event)
    assert item == expected
    assert list(item) == list(expected)
    assert list(item["contactEvent"]) == list(expected["contactEvent"])
    assert json.dumps(item) == json.dumps(expected)  # == alone: True == 1 == 1.0


def test_a_false_flag_is_sent_and_a_blank_detail_is_not() -> None:
    contact = ContactUpsert(email="a@b.pl", force_opt_out=False, name="  ")
    assert contact_to_wire(contact)["forceOptOut"] is False
    assert "name" not in contact_to_wire(contact)["contact"]
    event = ExternalEvent(
        type=EventType.PURCHASE,
        date=datetime(2024, 1, 1, tzinfo=timezone.utc),
        email="a@b.pl",
        value=Decimal("0.00"),
        details={2: " ", 1: " x "},
    )
    body = event_to_wire(event)["contactEvent"]
    assert body["detail1"] == "x"
    assert "detail2" not in body
    assert body["value"] == 0
