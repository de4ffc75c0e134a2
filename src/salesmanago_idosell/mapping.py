"""Pure mapping of shop data to SALESmanago data: contacts, tags, purchase events.

No function here does I/O or raises on bad shop data: a record that cannot be sent comes
back as a :class:`Skip` carrying the reason, so a sync can report it and go on.

=====================================  ==============================================
IdoSell                                SALESmanago
=====================================  ==============================================
customer e-mail (trimmed, validated)   ``contact.email``
first + last name                      ``contact.name``
company (account, else billing)        ``contact.company``
cell phone, else land line             ``contact.phone``
birth date                             ``birthday`` (``yyyyMMdd``)
billing street / zip / city / country  ``contact.address``
billing province                       ``province``
language (``pol``)                     ``lang`` (``pl``)
customer id                            ``contact.externalId``
account                                tag ``rejestracja``; state ``CUSTOMER``
subscriber without an account          tag ``newsletter``
newsletter consent in the shop         ``forceOptIn`` / ``forceOptOut`` (see "consent rule")
order add date (shop time zone)        event ``date`` (epoch ms)
order product ids                      event ``products`` (never cut inside an id), one
                                       entry per product id; ``detail1`` names and
                                       ``detail2`` quantities parallel to it
order total                            event ``value``
order serial number                    event ``externalId``
purchased products' category paths     one tag per level, 3 levels by default
order leaving a purchase status        ``CANCELLATION`` / ``RETURN``, same externalId
=====================================  ==============================================

The consent rule (:func:`consent_decision`): a contact's e-mail opt status is set from the
shop the first time the SDK sends it, and afterwards changes only when the shop's consent
*changes* (given: ``forceOptIn``; withdrawn: ``forceOptOut``), so a consent given later in a
SALESmanago form survives the next export. ``ConsentSync.SHOP_WINS`` sends the shop's consent
with every upsert instead. In ``CONSENTED_ONLY`` mode a withdrawal opts the known contact out
without creating unknown ones. Subscribers without an account follow the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import NamedTuple
from zoneinfo import ZoneInfo

import attrs
from attrs import field, frozen

from ._builders import builder
from ._validation import email_problem, normalize_email
from .categories import CategoryTree
from .idosell.models import Customer, Order, Subscriber
from .salesmanago.events import EVENT_VALUE_MAX, LIMITS
from .salesmanago.models import Address, ContactState, ContactUpsert, EventType, ExternalEvent

__all__ = [
    "DEFAULT_LANGUAGES",
    "NON_PURCHASE_STATUSES",
    "RETURN_STATUSES",
    "ConsentMode",
    "ConsentSync",
    "Decision",
    "MappingSettings",
    "Purchase",
    "Skip",
    "TagStyle",
    "category_tags",
    "consent_decision",
    "contact_from_customer",
    "contact_from_subscriber",
    "follow_up_event_from_order",
    "format_tag",
    "purchase_event_from_order",
]

#: IdoSell (ISO 639-2) language ids -> SALESmanago (ISO 639-1) codes.
DEFAULT_LANGUAGES: Mapping[str, str] = {
    "pol": "pl", "eng": "en", "ger": "de", "deu": "de", "cze": "cs", "ces": "cs",
    "slo": "sk", "slk": "sk", "ukr": "uk", "rus": "ru", "fre": "fr", "fra": "fr",
    "spa": "es", "ita": "it", "lit": "lt", "lav": "lv", "est": "et", "hun": "hu",
    "rum": "ro", "ron": "ro", "dut": "nl", "nld": "nl", "swe": "sv", "nor": "no",
}  # fmt: skip
#: Order statuses that are not purchases (cancelled, lost, returned...).
NON_PURCHASE_STATUSES = frozenset({"canceled", "false", "lost", "missing", "returned"})
#: Non-purchase statuses whose follow-up event is ``RETURN`` (the others: ``CANCELLATION``).
RETURN_STATUSES = frozenset({"returned"})
_SPACES = re.compile(r"\s+")
_CENT = Decimal("0.01")


class ConsentMode(str, Enum):
    """Which contacts are passed to SALESmanago.

    ``CONSENTED_ONLY``: customers and subscribers with e-mail consent in the configured shop.
    ``ALL``: every customer, and every newsletter subscriber without an account.
    """

    CONSENTED_ONLY = "consented_only"
    ALL = "all"


class ConsentSync(str, Enum):
    """When the shop's consent is sent to a contact SALESmanago already has.

    ``CHANGES`` (the default): the opt status is set when the SDK first sends the contact,
    then only when the shop's consent changes (given -> opt-in, withdrawn -> opt-out); a
    consent given later in a SALESmanago form is kept.
    ``SHOP_WINS``: every upsert carries the shop's consent (``forceOptIn`` or
    ``forceOptOut``); in ``CONSENTED_ONLY`` mode every known contact without consent in the
    shop is opted out.
    """

    CHANGES = "changes"
    SHOP_WINS = "shop_wins"


class TagStyle(str, Enum):
    """How category names become tags.

    ``AS_NAMED``: trimmed, runs of spaces collapsed (``"Buty damskie"``).
    ``SALESMANAGO``: upper case, spaces replaced by ``_`` (``"BUTY_DAMSKIE"``).
    """

    AS_NAMED = "as_named"
    SALESMANAGO = "salesmanago"


def _status_set(values: Iterable[str]) -> frozenset[str]:
    return frozenset(str(v).lower() for v in values)


@frozen(kw_only=True)
class MappingSettings:
    """Every setting of the mapping, with its default.

    Attributes:
        shop_id: the IdoSell shop whose newsletter consent counts (1).
        consent_mode: which contacts are passed (``CONSENTED_ONLY``).
        consent_sync: :class:`ConsentSync` (``CHANGES``).
        mirror_consent: send ``forceOptOut`` for a contact without consent (True) or never
            opt anyone out from the shop (False). IdoSell is the source of consent and the
            opt-in/opt-out callbacks bring SALESmanago changes back, so mirroring is the
            default.
        timezone: the shop's time zone, for naive order dates (``Europe/Warsaw``).
        location: the SALESmanago ``location`` of events (must equal the catalog's).
        shop_domain: sent as the events' ``shopDomain``.
        registration_tag: the tag of customers with an account (``rejestracja``).
        newsletter_tag: the tag of subscribers without an account (``newsletter``).
        category_tag_depth: category levels that become tags (3).
        tag_style: :class:`TagStyle` (``AS_NAMED``).
        tag_max_length: longer tags are cut to this length (255).
        category_language: the language id of category names (``None``: default names).
        non_purchase_statuses: order statuses never sent as PURCHASE.
        return_statuses: non-purchase statuses whose follow-up event is ``RETURN``
            (``returned``); the others give ``CANCELLATION``.
        follow_ups: send ``CANCELLATION`` / ``RETURN`` when an order whose PURCHASE was
            sent leaves the purchase statuses (True).
        languages: IdoSell language id -> SALESmanago ``lang``.
    """

    shop_id: int = 1
    consent_mode: ConsentMode = ConsentMode.CONSENTED_ONLY
    consent_sync: ConsentSync = ConsentSync.CHANGES
    mirror_consent: bool = True
    timezone: str = "Europe/Warsaw"
    location: str | None = None
    shop_domain: str | None = None
    registration_tag: str = "rejestracja"
    newsletter_tag: str = "newsletter"
    category_tag_depth: int = 3
    tag_style: TagStyle = TagStyle.AS_NAMED
    tag_max_length: int = 255
    category_language: str | None = None
    non_purchase_statuses: frozenset[str] = field(
        default=NON_PURCHASE_STATUSES, converter=_status_set
    )
    return_statuses: frozenset[str] = field(default=RETURN_STATUSES, converter=_status_set)
    follow_ups: bool = True
    languages: Mapping[str, str] = field(factory=lambda: dict(DEFAULT_LANGUAGES))


@frozen
class Skip:
    """A record that is not sent, and why (it goes into the sync report).

    Attributes:
        record: what was skipped (an e-mail, ``customer 17``, ``order 4711``).
        reason: a short human-readable reason.
    """

    record: str
    reason: str


@frozen
class Decision:
    """Whether a contact is sent, with which opt flags, and why not.

    Attributes:
        send: the contact is upserted with its data.
        reason: why not, when it is not.
        opt_in: send ``forceOptIn``.
        opt_out: send ``forceOptOut``.
        opt_out_known: not sent, but opted out if SALESmanago knows it (never created).
    """

    send: bool
    reason: str | None = None
    opt_in: bool = False
    opt_out: bool = False
    opt_out_known: bool = False


_Decision = builder(Decision)


def consent_decision(
    *,
    consented: bool,
    has_account: bool,
    settings: MappingSettings,
    previous: bool | None = None,
) -> Decision:
    """The one consent rule (see the module docstring), for customers and subscribers.

    Args:
        consented: the shop's e-mail consent now.
        has_account: a customer account (else a subscriber without one).
        settings: ``consent_mode``, ``consent_sync`` and ``mirror_consent`` count.
        previous: the consent the SDK last sent for this contact (``None``: never sent).

    Example:
        >>> s = MappingSettings()
        >>> consent_decision(consented=False, has_account=True, settings=s, previous=True)
        Decision(send=False, reason='customer without e-mail consent in shop 1', \
opt_in=False, opt_out=False, opt_out_known=True)
    """
    shop_wins = settings.consent_sync is ConsentSync.SHOP_WINS
    if consented:
        opt_in = shop_wins or previous is not True
        return _Decision(send=True, reason=None, opt_in=opt_in, opt_out=False, opt_out_known=False)
    mirror = settings.mirror_consent
    if settings.consent_mode is ConsentMode.ALL:
        opt_out = mirror and (shop_wins or previous is not False)
        return _Decision(send=True, reason=None, opt_in=False, opt_out=opt_out, opt_out_known=False)
    kind = "customer" if has_account else "subscriber"
    reason = f"{kind} without e-mail consent in shop {settings.shop_id}"
    known = mirror and (shop_wins or bool(previous))
    return _Decision(send=False, reason=reason, opt_in=False, opt_out=False, opt_out_known=known)


def _language(language: str | None, settings: MappingSettings) -> str | None:
    if not language:
        return None
    code = language.strip().lower()
    if code in settings.languages:
        return settings.languages[code]
    return code if len(code) == 2 and code.isalpha() else None


def _text(*values: str | None) -> str | None:
    """The first non-blank value, with whitespace collapsed."""
    for value in values:
        if value:
            text = " ".join(value.split())  # = _SPACES.sub(" ", value).strip(), faster
            if text:
                return text
    return None


# fast constructors (every field named; see _builders)
_Address = builder(Address)
_ContactUpsert = builder(ContactUpsert)
_ExternalEvent = builder(ExternalEvent)


def _checked_email(email: str | None, record: str) -> str | Skip:
    address = normalize_email(email or "")
    problem = email_problem(address)
    return Skip(record=address or record, reason=problem) if problem else address


def contact_from_customer(
    customer: Customer, *, settings: MappingSettings, previous: bool | None = None
) -> ContactUpsert | Skip:
    """A customer account as a SALESmanago contact tagged ``rejestracja``, or a skip.

    ``previous``: the consent the SDK last sent for this contact (see
    :func:`consent_decision`).
    """
    email = _checked_email(customer.email, f"customer {customer.id}")
    if isinstance(email, Skip):
        return email
    consented = customer.consents_to_newsletter(settings.shop_id)
    decision = consent_decision(
        consented=consented, has_account=True, settings=settings, previous=previous
    )
    if not decision.send:
        return Skip(record=email, reason=decision.reason or "not passed")
    billing = customer.billing_address
    first = _text(customer.first_name, billing.first_name)
    last = _text(customer.last_name, billing.last_name)
    country = _text(billing.country_code)
    return _ContactUpsert(
        email=email,
        name=_text(f"{first} {last}" if first and last else first or last),
        phone=_text(customer.phone, customer.landline_phone, billing.phone),
        fax=None,
        company=_text(customer.company, billing.company),
        external_id=str(customer.id),
        state=ContactState.CUSTOMER,
        address=_Address(
            street=_text(billing.street),
            zip_code=_text(billing.zip_code),
            city=_text(billing.city),
            country=country.upper() if country else None,
        ),
        contact_id=None,
        new_email=None,
        birthday=customer.birth_date,
        province=_text(billing.province),
        lang=_language(customer.language, settings),
        tags=(settings.registration_tag,),
        remove_tags=(),
        properties={},
        force_opt_in=decision.opt_in,
        force_opt_out=decision.opt_out,
        force_phone_opt_in=False,
        force_phone_opt_out=False,
        use_api_double_opt_in=False,
    )


def contact_from_subscriber(
    subscriber: Subscriber, *, settings: MappingSettings, previous: bool | None = None
) -> ContactUpsert | Skip:
    """A newsletter subscriber as a SALESmanago contact tagged ``newsletter``, or a skip.

    Subscribers with an account are skipped: they are passed as customers. ``previous`` as
    for :func:`contact_from_customer`.
    """
    email = _checked_email(subscriber.email, "subscriber")
    if isinstance(email, Skip):
        return email
    if subscriber.registered:
        return Skip(record=email, reason="subscriber has an account (passed as a customer)")
    consented = subscriber.is_approved(settings.shop_id)
    decision = consent_decision(
        consented=consented, has_account=False, settings=settings, previous=previous
    )
    if not decision.send:
        return Skip(record=email, reason=decision.reason or "not passed")
    return ContactUpsert(
        email=email,
        lang=_language(subscriber.language, settings),
        tags=[settings.newsletter_tag],
        force_opt_in=decision.opt_in,
        force_opt_out=decision.opt_out,
    )


def format_tag(name: str, *, settings: MappingSettings) -> str | None:
    """A category name as a tag in the configured style; ``None`` when nothing is left."""
    tag = _SPACES.sub(" ", name).strip()
    if settings.tag_style is TagStyle.SALESMANAGO:
        tag = tag.upper().replace(" ", "_")
    tag = tag[: settings.tag_max_length].strip()
    return tag or None


def category_tags(
    category_ids: Iterable[int], tree: CategoryTree, *, settings: MappingSettings
) -> tuple[str, ...]:
    """One tag per level of each category's path, top level first, deduplicated.

    Paths are resolved by id through the tree (names may contain ``/``, so a name path is
    never split). Only the first ``category_tag_depth`` levels count. Unknown ids give no
    tags.

    Example:
        A product in ``Odzież / Buty / Trampki`` gives ``("Odzież", "Buty", "Trampki")``.
    """
    tags: dict[str, None] = {}
    for category_id in category_ids:
        if category_id not in tree:
            continue
        path = tree.path(category_id, settings.category_language)
        for name in path[: settings.category_tag_depth]:
            tag = format_tag(name, settings=settings)
            if tag is not None:
                tags.setdefault(tag, None)
    return tuple(tags)


@frozen
class Purchase:
    """A PURCHASE event for an order, and the product ids that did not fit the 512 limit."""

    event: ExternalEvent
    dropped_products: tuple[str, ...] = ()


_Purchase = builder(Purchase)


def _detail(value: str | None) -> str | None:
    if not value:
        return None
    return value[: LIMITS["details"]]


def _place(order: Order) -> str | None:
    point = order.pickup_point
    if point is not None:
        return _text(", ".join(p for p in (point.name, point.street, point.city) if p))
    if order.stock_id is not None and order.source.type in ("pos", "shop_pos", "store"):
        return f"store {order.stock_id}"
    return None


def _order_date(order: Order, settings: MappingSettings) -> datetime | None:
    added = order.added_at
    if added is None:
        return None
    if added.tzinfo is None:
        return added.replace(tzinfo=ZoneInfo(settings.timezone))
    return added


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


class _Line(NamedTuple):
    """One product of an order: its lines combined (sizes of one product are one entry)."""

    product_id: str
    name: str
    quantity: Decimal


_new_line = tuple.__new__  # a _Line without its generated __new__'s extra call


def _lines(order: Order) -> list[_Line]:
    """The bought products in order of first appearance; quantities of one id summed.

    Lines with a quantity of zero or less are left out (they bought nothing).
    """
    combined: dict[str, _Line] = {}
    for line in order.products:
        quantity = line.quantity
        if quantity <= 0:
            continue
        key = str(line.product_id)
        found = combined.get(key)
        if found is None:
            name = line.name  # _text(line.name, line.code), the name inline (the usual case)
            text = " ".join(name.split()) if name else None
            combined[key] = _new_line(_Line, (key, text or _text(line.code) or f"#{key}", quantity))
        else:
            combined[key] = found._replace(quantity=found.quantity + line.quantity)
    return list(combined.values())


def _fit(lines: list[_Line]) -> tuple[list[_Line], list[str], tuple[str, ...]]:
    """The lines whose ids (512) and quantities (255) fit, their quantities as text, and the
    ids left out."""
    kept: list[_Line] = []
    quantities: list[str] = []
    ids_length = quantities_length = -1
    for index, line in enumerate(lines):
        quantity = _quantity(line.quantity)
        ids_length += 1 + len(line.product_id)
        quantities_length += 1 + len(quantity)
        if ids_length > LIMITS["products"] or quantities_length > LIMITS["details"]:
            return kept, quantities, tuple(x.product_id for x in lines[index:])
        kept.append(line)
        quantities.append(quantity)
    return kept, quantities, ()


def _names(lines: list[_Line]) -> str | None:
    """``detail1``: every name, each shortened alike so that all fit; None if they cannot."""
    names = [line.name.replace(",", " ") for line in lines]
    limit = LIMITS["details"]
    room = (limit - 2 * (len(names) - 1)) // max(len(names), 1)
    if room < 1:
        return None
    return ", ".join([n[:room].strip() or n[:room] for n in names])


def _order_event(order: Order, settings: MappingSettings) -> Purchase | Skip:
    """The order as a PURCHASE event whatever its status, or a skip."""
    record = f"order {order.serial_number}"
    email = _checked_email(order.client.email, record)
    if isinstance(email, Skip):
        # the address goes in the record (the user's own data), never in the reason: reasons
        # are grouped and counted, and logged in the run's summary
        shown = record if email.record == record else f"{record} ({email.record})"
        return Skip(record=shown, reason=email.reason)
    date = _order_date(order, settings)
    if date is None:
        return Skip(record=record, reason="order has no add date")
    lines = _lines(order)
    if not lines:
        reason = (
            "order bought nothing (every quantity is zero or less)"
            if order.products
            else "order has no product lines"
        )
        return Skip(record=record, reason=reason)
    if order.total < 0:
        return Skip(record=record, reason="order value is negative")
    if order.total >= EVENT_VALUE_MAX - _CENT / 2:  # in cents, an event value has 19 digits at most
        return Skip(record=record, reason="order value is too large for an event")
    kept, quantities, dropped = _fit(lines)
    names = ", ".join([line.name for line in kept])
    details = {
        1: _names(kept),
        2: "/".join(quantities),
        3: order.currency,
        4: _detail(order.payment_method),
        5: _detail(order.delivery_method),
        6: _detail(_place(order)),
        7: _detail(order.id),
    }
    event = _ExternalEvent(
        type=EventType.PURCHASE,
        date=date,
        email=email,
        contact_id=None,
        products=tuple([line.product_id for line in kept]),
        description=names[: LIMITS["description"]] or None,
        location=settings.location,
        value=order.total.quantize(_CENT),
        details={n: text for n, text in details.items() if text},
        external_id=str(order.serial_number),
        shop_domain=settings.shop_domain,
        force_opt_in=False,
    )
    return _Purchase(event=event, dropped_products=dropped)


def _status(order: Order) -> str | None:
    return order.status._value_.lower() if order.status is not None else None


def purchase_event_from_order(order: Order, *, settings: MappingSettings) -> Purchase | Skip:
    """An order as a PURCHASE event, or a skip (cancelled, no e-mail, no date, nothing bought).

    ``products`` holds each product id once, in the order of the lines; ``detail1`` (names,
    ``", "``-joined, commas in names replaced by spaces, shortened alike when all would not
    fit 255 characters) and ``detail2`` (quantities, ``/``-joined; the lines of one product,
    e.g. two sizes, are summed) have one entry per id, in the same order. Lines with a
    quantity of zero or less are left out; an order with nothing left, or with a negative
    value, is a skip. Ids that do
    not fit (512 characters of ids, 255 of quantities) are left out of all three lists and
    returned in ``dropped_products``. ``detail3`` currency, ``detail4`` payment method,
    ``detail5`` delivery method, ``detail6`` place of the order (pickup point or store),
    ``detail7`` IdoSell order id.
    """
    status = _status(order)
    if status is not None and status in settings.non_purchase_statuses:
        shown = order.status.value if order.status is not None else status
        return Skip(
            record=f"order {order.serial_number}", reason=f"status {shown} is not a purchase"
        )
    return _order_event(order, settings)


def follow_up_event_from_order(order: Order, *, settings: MappingSettings) -> Purchase | Skip:
    """The ``CANCELLATION`` (or ``RETURN``) event of an order that left the purchase statuses.

    Same ``externalId``, products, details and value as its PURCHASE; dated when the order
    last changed (its add date when unknown). ``RETURN`` for the statuses in
    ``settings.return_statuses``. An order in a purchase status is a skip.
    """
    status = _status(order)
    if status is None or status not in settings.non_purchase_statuses:
        return Skip(record=f"order {order.serial_number}", reason=f"status {status} is a purchase")
    mapped = _order_event(order, settings)
    if isinstance(mapped, Skip):
        return mapped
    kind = EventType.RETURN if status in settings.return_statuses else EventType.CANCELLATION
    changed = order.changed_at
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=ZoneInfo(settings.timezone))
    event = attrs.evolve(mapped.event, type=kind, date=changed or mapped.event.date)
    return Purchase(event=event, dropped_products=mapped.dropped_products)
