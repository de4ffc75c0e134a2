"""Typed models of the shop's code snippets: campaigns, snippets and their cookie definitions.

The panel's *HTML and JavaScript add-ons* are stored as **campaigns** (a named group, active
in some shops) holding **snippets** (one piece of code, where and for whom it shows), each
with **cookie definitions** the shop's cookie-consent banner lists. The wire format (``y``/
``n`` flags, camelCase, per-language bodies) lives in :mod:`.snippets`, not here.

Source of the fields: the v6 operations ``/snippets/campaign``, ``/snippets/snippets`` and
``/snippets/cookies`` (their ``components`` schemas are missing from the published v6
definition; the fields were settled from IdoSell's newer definition as used by public clients
— see ``docs/monitoring.md``, "What is not settled").
"""

from __future__ import annotations

from enum import Enum

from attrs import field, frozen

__all__ = [
    "CookieCategory",
    "CookieLifetime",
    "CookieType",
    "ItemError",
    "ItemResult",
    "Snippet",
    "SnippetCampaign",
    "SnippetCookie",
    "SnippetDisplay",
    "SnippetPages",
    "SnippetType",
    "SnippetZone",
]


class SnippetType(str, Enum):
    """What a snippet's body is: HTML, JavaScript, or a URL fetched by the shop (``cgi``)."""

    HTML = "html"
    JAVASCRIPT = "javascript"
    CGI = "cgi"


class SnippetZone(str, Enum):
    """Where on the page a snippet is put: in ``<head>``, after ``<body>``, before ``</body>``."""

    HEAD = "head"
    BODY_BEGIN = "bodyBegin"
    BODY_END = "bodyEnd"


class CookieCategory(str, Enum):
    """The cookie-consent category a cookie belongs to."""

    ANALYTICS = "analytics"
    MARKETING = "marketing"
    FUNCTIONAL = "functional"


class CookieType(str, Enum):
    """How the data is stored in the browser."""

    COOKIE = "cookie"
    PIXEL = "pixel"
    LOCAL_STORAGE = "localStorage"


class CookieLifetime(str, Enum):
    """The unit of a cookie's lifetime (``temporary``: the browser session)."""

    TEMPORARY = "temporary"
    DAYS = "days"
    MINUTES = "minutes"


#: Every page type a snippet can be limited to (``SnippetPages.pages``).
PAGE_TYPES = (
    "home",
    "basket",
    "checkout_payment_delivery",
    "checkout_confirmation",
    "new_order_placement",
    "order_details",
    "navigation",
    "product_details",
    "search_results",
    "after_order_place",
    "mailing_subscribe",
    "payment_success",
    "payment_error",
    "payment_pending",
    "other_pages",
)


@frozen(kw_only=True)
class SnippetDisplay:
    """For whom and on which devices a snippet shows.

    Attributes:
        client_type: ``all``, ``unregistered``, ``registered``, ``retailer`` or ``wholesaler``.
        newsletter: ``"y"``/``"n"`` (only / never newsletter visitors) or ``"all"``.
        has_orders: ``"y"``/``"n"`` (customers with / without orders) or ``"all"``.
        use_rebate_code: ``"y"``/``"n"`` (after / without a rebate code) or ``"all"``.
        screen: show on desktop screens.
        tablet: show on tablets.
        phone: show on phones.

    A snippet sent without these settings may be stored as shown on no device at all, so the
    SDK always sends them (the defaults: everyone, every device).
    """

    client_type: str = "all"
    newsletter: str = "all"
    has_orders: str = "all"
    use_rebate_code: str = "all"
    screen: bool = True
    tablet: bool = True
    phone: bool = True


@frozen(kw_only=True)
class SnippetPages:
    """On which pages a snippet shows: all of them, some page types, or some URLs."""

    all: bool = True
    pages: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


@frozen(kw_only=True)
class SnippetCampaign:
    """A snippet campaign (a group of add-ons in the panel).

    Attributes:
        id: the campaign id (``None`` before it is created).
        name: the campaign name shown in the panel.
        shop_ids: the shops where its snippets are active (required by newer API versions).
        active: whether the campaign is on.
        description: an internal description.
        order: the campaign's position.
        deleted: the campaign was deleted (read-only; deleted campaigns cannot be changed).
        snippet_count: how many snippets it holds (read-only).
    """

    id: int | None = None
    name: str
    shop_ids: tuple[int, ...] = (1,)
    active: bool = True
    description: str = ""
    order: int | None = None
    deleted: bool = False
    snippet_count: int | None = None


@frozen(kw_only=True)
class Snippet:
    """One code snippet of a campaign.

    Attributes:
        id: the snippet id (``None`` before it is created).
        name: the name shown in the panel.
        campaign_id: the campaign holding it.
        active: whether it is on.
        type: what the body is (:class:`SnippetType`).
        zone: where on the page it goes (:class:`SnippetZone`).
        order: its position within the zone.
        body: the code by IdoSell language id (``{"pol": "<script>..."}``).
        display: for whom and on which devices (:class:`SnippetDisplay`).
        pages: on which pages (:class:`SnippetPages`).
        deleted: the snippet was deleted (read-only).
    """

    id: int | None = None
    name: str
    campaign_id: int
    active: bool = True
    type: SnippetType = SnippetType.HTML
    zone: SnippetZone = SnippetZone.BODY_END
    order: int | None = None
    body: dict[str, str] = field(factory=dict)
    display: SnippetDisplay = field(factory=SnippetDisplay)
    pages: SnippetPages = field(factory=SnippetPages)
    deleted: bool = False


@frozen(kw_only=True)
class SnippetCookie:
    """A cookie a snippet sets, declared for the shop's cookie-consent banner.

    Attributes:
        id: the definition id (``None`` before it is created).
        snippet_id: the snippet that sets the cookie.
        deliverer: the vendor's name (``SALESmanago``).
        name: the cookie name.
        category: its consent category.
        type: how it is stored.
        lifetime_type: the unit of ``lifetime``.
        lifetime: how long it lives, in ``lifetime_type`` units (``None`` for temporary).
        description: the purpose shown to visitors, by IdoSell language id.
    """

    id: int | None = None
    snippet_id: int
    deliverer: str
    name: str | None = None
    category: CookieCategory = CookieCategory.MARKETING
    type: CookieType = CookieType.COOKIE
    lifetime_type: CookieLifetime | None = None
    lifetime: int | None = None
    description: dict[str, str] = field(factory=dict)


@frozen
class ItemError:
    """One error of one item of a write (``faultCode`` and ``faultString``)."""

    fault_code: int
    fault_string: str


@frozen(kw_only=True)
class ItemResult:
    """IdoSell's answer for one item of a create, update or delete (HTTP 200 or 207).

    Attributes:
        id: the item's id (the new id after a create), when IdoSell gives it.
        errors: the item's own errors (empty when it succeeded).
    """

    id: int | None
    errors: tuple[ItemError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the item succeeded."""
        return not any(e.fault_code for e in self.errors)
