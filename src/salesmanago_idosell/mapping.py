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
newsletter consent in the shop         ``forceOptIn`` (``forceOptOut`` without consent)
order add date (shop time zone)        event ``date`` (epoch ms)
order product ids                      event ``products`` (never cut inside an id)
order total                            event ``value``
order serial number                    event ``externalId``
purchased products' category paths     one tag per level, 3 levels by default
=====================================  ==============================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import Enum
from zoneinfo import ZoneInfo

from attrs import field, frozen

from ._validation import email_problem, normalize_email
from .categories import CategoryTree
from .idosell.models import Customer, Order, Subscriber
from .salesmanago.events import LIMITS
from .salesmanago.models import Address, ContactState, ContactUpsert, EventType, ExternalEvent

__all__ = [
    "DEFAULT_LANGUAGES",
    "NON_PURCHASE_STATUSES",
    "ConsentMode",
    "Decision",
    "MappingSettings",
    "Purchase",
    "Skip",
    "TagStyle",
    "category_tags",
    "consent_decision",
    "contact_from_customer",
    "contact_from_subscriber",
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
_SPACES = re.compile(r"\s+")
_CENT = Decimal("0.01")


class ConsentMode(str, Enum):
    """Which contacts are passed to SALESmanago.

    ``CONSENTED_ONLY``: customers and subscribers with e-mail consent in the configured shop.
    ``ALL``: every customer, and every newsletter subscriber without an account.
    """

    CONSENTED_ONLY = "consented_only"
    ALL = "all"


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
        mirror_consent: without consent, send ``forceOptOut`` (True) or leave the
            SALESmanago status unchanged (False). IdoSell is the source of consent and the
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
        languages: IdoSell language id -> SALESmanago ``lang``.
    """

    shop_id: int = 1
    consent_mode: ConsentMode = ConsentMode.CONSENTED_ONLY
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
    """Whether a contact is sent, and why not."""

    send: bool
    reason: str | None = None


def consent_decision(*, consented: bool, has_account: bool, settings: MappingSettings) -> Decision:
    """The one rule deciding which contacts are passed (see :class:`ConsentMode`)."""
    if consented or settings.consent_mode is ConsentMode.ALL:
        return Decision(send=True)
    kind = "customer" if has_account else "subscriber"
    return Decision(send=False, reason=f"{kind} without e-mail consent in shop {settings.shop_id}")


def _opt_out(consented: bool, settings: MappingSettings) -> bool:
    """Send ``forceOptOut`` for a contact without consent when consent is mirrored."""
    return not consented and settings.mirror_consent


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


def _checked_email(email: str | None, record: str) -> str | Skip:
    address = normalize_email(email or "")
    problem = email_problem(address)
    return Skip(record=address or record, reason=problem) if problem else address


def contact_from_customer(customer: Customer, *, settings: MappingSettings) -> ContactUpsert | Skip:
    """A customer account as a SALESmanago contact tagged ``rejestracja``, or a skip."""
    email = _checked_email(customer.email, f"customer {customer.id}")
    if isinstance(email, Skip):
        return email
    consented = customer.consents_to_newsletter(settings.shop_id)
    decision = consent_decision(consented=consented, has_account=True, settings=settings)
    if not decision.send:
        return Skip(record=email, reason=decision.reason or "not passed")
    billing = customer.billing_address
    first = _text(customer.first_name, billing.first_name)
    last = _text(customer.last_name, billing.last_name)
    country = _text(billing.country_code)
    return ContactUpsert(
        email=email,
        name=_text(" ".join(p for p in (first, last) if p)),
        company=_text(customer.company, billing.company),
        phone=_text(customer.phone, customer.landline_phone, billing.phone),
        birthday=customer.birth_date,
        address=Address(
            street=_text(billing.street),
            zip_code=_text(billing.zip_code),
            city=_text(billing.city),
            country=country.upper() if country else None,
        ),
        province=_text(billing.province),
        lang=_language(customer.language, settings),
        external_id=str(customer.id),
        state=ContactState.CUSTOMER,
        tags=[settings.registration_tag],
        force_opt_in=consented,
        force_opt_out=_opt_out(consented, settings),
    )


def contact_from_subscriber(
    subscriber: Subscriber, *, settings: MappingSettings
) -> ContactUpsert | Skip:
    """A newsletter subscriber as a SALESmanago contact tagged ``newsletter``, or a skip.

    Subscribers with an account are skipped: they are passed as customers.
    """
    email = _checked_email(subscriber.email, "subscriber")
    if isinstance(email, Skip):
        return email
    if subscriber.registered:
        return Skip(record=email, reason="subscriber has an account (passed as a customer)")
    consented = subscriber.is_approved(settings.shop_id)
    decision = consent_decision(consented=consented, has_account=False, settings=settings)
    if not decision.send:
        return Skip(record=email, reason=decision.reason or "not passed")
    return ContactUpsert(
        email=email,
        lang=_language(subscriber.language, settings),
        tags=[settings.newsletter_tag],
        force_opt_in=consented,
        force_opt_out=_opt_out(consented, settings),
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


def _fit_ids(ids: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    kept: list[str] = []
    dropped: list[str] = []
    length = -1
    for product_id in dict.fromkeys(ids):
        if dropped or length + 1 + len(product_id) > LIMITS["products"]:
            dropped.append(product_id)
            continue
        kept.append(product_id)
        length += 1 + len(product_id)
    return tuple(kept), tuple(dropped)


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


def purchase_event_from_order(order: Order, *, settings: MappingSettings) -> Purchase | Skip:
    """An order as a PURCHASE event, or a skip (cancelled, no e-mail, no date...).

    Details: ``detail1`` product names, ``detail2`` quantities (``/``-joined),
    ``detail3`` currency, ``detail4`` payment method, ``detail5`` delivery method,
    ``detail6`` place of the order (pickup point or store), ``detail7`` IdoSell order id.
    """
    record = f"order {order.serial_number}"
    status = order.status.value if order.status is not None else None
    if status is not None and status.lower() in settings.non_purchase_statuses:
        return Skip(record=record, reason=f"status {status} is not a purchase")
    email = _checked_email(order.client.email, record)
    if isinstance(email, Skip):
        # the address goes in the record (the user's own data), never in the reason: reasons
        # are grouped and counted, and logged in the run's summary
        shown = record if email.record == record else f"{record} ({email.record})"
        return Skip(record=shown, reason=email.reason)
    date = _order_date(order, settings)
    if date is None:
        return Skip(record=record, reason="order has no add date")
    products, dropped = _fit_ids(str(line.product_id) for line in order.products)
    names = ", ".join(line.name for line in order.products if line.name)
    details = {
        1: _detail(names),
        2: _detail("/".join(_quantity(line.quantity) for line in order.products)),
        3: order.currency,
        4: _detail(order.payment_method),
        5: _detail(order.delivery_method),
        6: _detail(_place(order)),
        7: _detail(order.id),
    }
    event = ExternalEvent(
        type=EventType.PURCHASE,
        date=date,
        email=email,
        products=products,
        value=order.total.quantize(_CENT),
        location=settings.location,
        shop_domain=settings.shop_domain,
        external_id=str(order.serial_number),
        description=names[: LIMITS["description"]] or None,
        details={n: text for n, text in details.items() if text},
    )
    return Purchase(event=event, dropped_products=dropped)
