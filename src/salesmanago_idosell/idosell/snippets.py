"""Code snippets: ``/snippets/campaign``, ``/snippets/snippets``, ``/snippets/cookies``.

Each resource lists (``GET``, paged, filters in the query), creates (``POST``), updates
(``PUT``) and deletes (``DELETE`` with the ids in the query string, not a body). Writes take
up to 100 items and IdoSell answers one result per item, each with its own errors (HTTP 207
when some failed): the SDK raises :class:`~salesmanago_idosell.errors.IdosellItemsError`
carrying every item's result when any item failed.

Wire rules (v6 operations; fields settled from the newer definition, see
``docs/monitoring.md``): flags are ``"y"``/``"n"``; a campaign's ``shop`` (list of shop ids)
is always sent, as newer API versions require it on creation; a snippet's ``display`` device
settings are always sent, as a snippet without them may be stored as shown nowhere.

Example:
    >>> campaigns = shop.snippets.campaigns.list()  # doctest: +SKIP
    >>> [new] = shop.snippets.campaigns.create([SnippetCampaign(name="Tracking")])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..errors import IdosellItemsError, ResponseValidationError, ValidationError
from ._wire import parse_bool
from .pagination import Gate, PageIterator
from .snippet_models import (
    CookieCategory,
    CookieLifetime,
    CookieType,
    ItemError,
    ItemResult,
    Snippet,
    SnippetCampaign,
    SnippetCookie,
    SnippetDisplay,
    SnippetPages,
    SnippetType,
    SnippetZone,
)

if TYPE_CHECKING:
    from .client import IdosellClient

__all__ = [
    "CAMPAIGN_PATH",
    "COOKIES_PATH",
    "SNIPPETS_PATH",
    "SnippetsAPI",
    "campaign_to_wire",
    "cookie_to_wire",
    "snippet_to_wire",
]

CAMPAIGN_PATH = "/snippets/campaign"
SNIPPETS_PATH = "/snippets/snippets"
COOKIES_PATH = "/snippets/cookies"
#: Most items one write accepts (the spec's ``maxItems``).
MAX_ITEMS = 100
M = TypeVar("M")


def _yn(value: bool) -> str:
    return "y" if value else "n"


def _langs(values: Mapping[str, str], key: str) -> list[dict[str, str]]:
    return [{"lang": lang, key: text} for lang, text in values.items()]


def campaign_to_wire(campaign: SnippetCampaign, *, create: bool) -> dict[str, Any]:
    """A campaign as one item of ``params.campaigns`` (read-only fields left out)."""
    item: dict[str, Any] = {} if create else {"id": _id_of(campaign.id, "campaign")}
    item.update(
        name=campaign.name,
        description=campaign.description,
        shop=list(campaign.shop_ids),
        active=_yn(campaign.active),
    )
    if campaign.order is not None:
        item["order"] = campaign.order
    return item


def _display_to_wire(display: SnippetDisplay) -> dict[str, Any]:
    return {
        "clientType": display.client_type,
        "newsletter": display.newsletter,
        "hasOrders": display.has_orders,
        "useRebateCode": display.use_rebate_code,
        "screen": _yn(display.screen),
        "tablet": _yn(display.tablet),
        "phone": _yn(display.phone),
    }


def _pages_to_wire(pages: SnippetPages) -> dict[str, Any]:
    if pages.all:
        return {"all": "y"}
    if pages.pages and pages.urls:
        raise ValidationError("give page types or URLs, not both", field="pages")
    if pages.urls:
        return {"all": "n", "url": list(pages.urls)}
    return {"all": "n", "pages": list(pages.pages)}


def snippet_to_wire(snippet: Snippet, *, create: bool) -> dict[str, Any]:
    """A snippet as one item of ``params.snippets``; ``display`` and ``pages`` always sent."""
    item: dict[str, Any] = {} if create else {"id": _id_of(snippet.id, "snippet")}
    item.update(
        name=snippet.name,
        campaign=snippet.campaign_id,
        active=_yn(snippet.active),
        type=snippet.type.value,
        zone=snippet.zone.value,
        body=_langs(snippet.body, "body"),
        display=_display_to_wire(snippet.display),
        pages=_pages_to_wire(snippet.pages),
    )
    if snippet.order is not None:
        item["order"] = snippet.order
    return item


def cookie_to_wire(cookie: SnippetCookie, *, create: bool) -> dict[str, Any]:
    """A cookie definition as one item of ``params.cookies``."""
    item: dict[str, Any] = {} if create else {"id": _id_of(cookie.id, "cookie")}
    item.update(
        snippetId=cookie.snippet_id,
        deliverer=cookie.deliverer,
        category=cookie.category.value,
        description=_langs(cookie.description, "body"),
        name=cookie.name,
        type=cookie.type.value,
        lifeTimeType=cookie.lifetime_type.value if cookie.lifetime_type else None,
        lifeTime=cookie.lifetime,
    )
    return item


def _id_of(value: int | None, what: str) -> int:
    if value is None:
        raise ValidationError(f"updating a {what} needs its id", field="id")
    return value


# -- reading ---------------------------------------------------------------------------------


def _flag(row: Mapping[str, Any], key: str, default: bool) -> bool:
    value = row.get(key)
    return default if value is None else parse_bool(value)


def _lang_map(value: Any, key: str) -> dict[str, str]:
    if isinstance(value, Mapping):  # PHP: a list sent as an object
        value = list(value.values())
    if not isinstance(value, list):
        return {}
    return {str(e.get("lang") or ""): str(e.get(key) or "") for e in value if isinstance(e, dict)}


def _opt_int(value: Any) -> int | None:
    return None if value in (None, "") else int(value)


def campaign_from_wire(row: Mapping[str, Any]) -> SnippetCampaign:
    """A ``GET /snippets/campaign`` row as a :class:`SnippetCampaign`."""
    shops = row.get("shop") or []
    return SnippetCampaign(
        id=int(row["id"]),
        name=str(row["name"]),
        shop_ids=tuple(int(s) for s in shops),
        active=_flag(row, "active", True),
        description=str(row.get("description") or ""),
        order=_opt_int(row.get("order")),
        deleted=_flag(row, "deleted", False),
        snippet_count=_opt_int(row.get("snippetCount")),
    )


def _display_from_wire(value: Any) -> SnippetDisplay:
    row: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    return SnippetDisplay(
        client_type=str(row.get("clientType") or "all"),
        newsletter=str(row.get("newsletter") or "all"),
        has_orders=str(row.get("hasOrders") or "all"),
        use_rebate_code=str(row.get("useRebateCode") or "all"),
        screen=_flag(row, "screen", False),
        tablet=_flag(row, "tablet", False),
        phone=_flag(row, "phone", False),
    )


def _pages_from_wire(value: Any) -> SnippetPages:
    row: Mapping[str, Any] = value if isinstance(value, Mapping) else {}
    return SnippetPages(
        all=_flag(row, "all", False),
        pages=tuple(str(p) for p in row.get("pages") or ()),
        urls=tuple(str(u) for u in row.get("url") or ()),
    )


def snippet_from_wire(row: Mapping[str, Any]) -> Snippet:
    """A ``GET /snippets/snippets`` row as a :class:`Snippet`."""
    return Snippet(
        id=int(row["id"]),
        name=str(row["name"]),
        campaign_id=int(row["campaign"]),
        active=_flag(row, "active", True),
        type=SnippetType(row.get("type") or "html"),
        zone=SnippetZone(row.get("zone") or "bodyEnd"),
        order=_opt_int(row.get("order")),
        body=_lang_map(row.get("body"), "body"),
        display=_display_from_wire(row.get("display")),
        pages=_pages_from_wire(row.get("pages")),
        deleted=_flag(row, "deleted", False),
    )


def cookie_from_wire(row: Mapping[str, Any]) -> SnippetCookie:
    """A ``GET /snippets/cookies`` row as a :class:`SnippetCookie`."""
    lifetime_type = row.get("lifeTimeType")
    return SnippetCookie(
        id=int(row["id"]),
        snippet_id=int(row["snippetId"]),
        deliverer=str(row.get("deliverer") or ""),
        name=row.get("name"),
        category=CookieCategory(row.get("category") or "marketing"),
        type=CookieType(row.get("type") or "cookie"),
        lifetime_type=CookieLifetime(lifetime_type) if lifetime_type else None,
        lifetime=_opt_int(row.get("lifeTime")),
        description=_lang_map(row.get("description"), "body"),
    )


def _item_error(value: Any) -> ItemError:
    if not isinstance(value, Mapping):
        return ItemError(-1, str(value))
    code = value.get("faultCode", value.get("code", -1))
    text = value.get("faultString", value.get("message", ""))
    try:
        return ItemError(int(code), str(text or ""))
    except (TypeError, ValueError):
        return ItemError(-1, str(text or code))


def _item_results(payload: Mapping[str, Any] | None, path: str) -> list[ItemResult]:
    rows = (payload or {}).get("results")
    if isinstance(rows, Mapping):
        rows = list(rows.values())
    if not isinstance(rows, list):
        raise ResponseValidationError(f"{path}: no results list in the answer", endpoint=path)
    results = []
    for entry in rows:
        row: Mapping[str, Any] = entry if isinstance(entry, Mapping) else {}
        errors = row.get("errors") or []
        errors = [errors] if isinstance(errors, Mapping) else list(errors)
        results.append(
            ItemResult(id=_opt_int(row.get("id")), errors=tuple(_item_error(e) for e in errors))
        )
    return results


class _Resource(Generic[M]):
    """One snippets gate: list, create, update and delete its items."""

    def __init__(
        self,
        client: IdosellClient,
        *,
        path: str,
        key: str,
        parse: Callable[[Mapping[str, Any]], M],
        to_wire: Callable[[M, bool], dict[str, Any]],
    ) -> None:
        self._client = client
        self._path = path
        self._key = key
        self._parse = parse
        self._to_wire = to_wire
        self.gate = Gate(method="GET", path=path, items_key="results")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._client!r})"

    def _iter(self, query: dict[str, str], limit: int | None) -> PageIterator[M]:
        return PageIterator(self._client, self.gate, query, self._row, limit)

    def _row(self, row: Any) -> M:
        if not isinstance(row, Mapping):
            raise ResponseValidationError(
                f"{self._path}: a row is not an object", endpoint=self._path
            )
        try:
            return self._parse(row)
        except (KeyError, TypeError, ValueError) as exc:
            raise ResponseValidationError(
                f"{self._path}: unexpected row shape: {exc!r}"[:300], endpoint=self._path
            ) from exc

    def _write(self, method: str, items: Sequence[M], *, create: bool) -> list[ItemResult]:
        if not items:
            raise ValidationError(f"nothing to {method}", field=self._key)
        if len(items) > MAX_ITEMS:
            raise ValidationError(f"at most {MAX_ITEMS} items per call", field=self._key)
        body = {"params": {self._key: [self._to_wire(i, create) for i in items]}}
        answer = self._client.call(method, self._path, body=body, idempotent=not create)
        return self._checked(_item_results(answer, self._path), len(items))

    def _checked(self, results: list[ItemResult], sent: int) -> list[ItemResult]:
        failed = [n for n, r in enumerate(results) if not r.ok]
        if len(results) != sent and not failed:
            raise ResponseValidationError(
                f"{self._path}: {len(results)} results for {sent} items", endpoint=self._path
            )
        if failed:
            first = next(e for e in results[failed[0]].errors if e.fault_code)
            raise IdosellItemsError(
                fault_code=first.fault_code,
                fault_string=first.fault_string,
                status_code=207,
                endpoint=self._path,
                results=results,
                failed=failed,
            )
        return results

    def create(self, items: Sequence[M]) -> list[ItemResult]:
        """Create up to 100 items; their new ids are in the results (never retried).

        Raises:
            IdosellItemsError: some items failed (``results`` holds every item's answer).
            ValidationError: no items, more than 100, or an item that cannot be sent.
        """
        return self._write("POST", items, create=True)

    def update(self, items: Sequence[M]) -> list[ItemResult]:
        """Update up to 100 items, identified by their ``id``.

        Raises:
            IdosellItemsError: some items failed.
            ValidationError: no items, more than 100, or an item without an id.
        """
        return self._write("PUT", items, create=False)

    def delete(self, ids: Iterable[int]) -> list[ItemResult]:
        """Delete up to 100 items by id (the ids go in the query string: ``?id=1,2``).

        Raises:
            IdosellItemsError: some items failed (e.g. an unknown id).
        """
        wanted = [int(i) for i in ids]
        if not wanted or len(wanted) > MAX_ITEMS:
            raise ValidationError(f"delete takes 1..{MAX_ITEMS} ids", field="ids")
        query = {"id": ",".join(str(i) for i in wanted)}
        answer = self._client.call("DELETE", self._path, query=query)
        return self._checked(_item_results(answer, self._path), len(wanted))


def _ids(values: Iterable[int] | None) -> str | None:
    return ",".join(str(int(v)) for v in values) if values is not None else None


def _query(**values: str | None) -> dict[str, str]:
    return {k: v for k, v in values.items() if v is not None}


class CampaignsAPI(_Resource[SnippetCampaign]):
    """Snippet campaigns (``client.snippets.campaigns``)."""

    def list(
        self,
        *,
        shop_ids: Iterable[int] | None = None,
        ids: Iterable[int] | None = None,
        include_deleted: bool = False,
        limit: int | None = None,
    ) -> PageIterator[SnippetCampaign]:
        """Campaigns, lazily; deleted ones only with ``include_deleted``."""
        query = _query(
            shopId=_ids(shop_ids), id=_ids(ids), omitDeleted="n" if include_deleted else "y"
        )
        return self._iter(query, limit)


class SnippetItemsAPI(_Resource[Snippet]):
    """Code snippets (``client.snippets.snippets``)."""

    def list(
        self,
        *,
        campaign_ids: Iterable[int] | None = None,
        ids: Iterable[int] | None = None,
        include_deleted: bool = False,
        limit: int | None = None,
    ) -> PageIterator[Snippet]:
        """Snippets, lazily, optionally of some campaigns only."""
        query = _query(
            campaign=_ids(campaign_ids), id=_ids(ids), omitDeleted="n" if include_deleted else "y"
        )
        return self._iter(query, limit)


class CookiesAPI(_Resource[SnippetCookie]):
    """Cookie definitions of snippets (``client.snippets.cookies``)."""

    def list(
        self, *, ids: Iterable[int] | None = None, limit: int | None = None
    ) -> PageIterator[SnippetCookie]:
        """Cookie definitions, lazily (the gate has no snippet filter: filter the results)."""
        return self._iter(_query(id=_ids(ids)), limit)


class SnippetsAPI:
    """The three snippets gates (``client.snippets``): campaigns, snippets and cookies."""

    def __init__(self, client: IdosellClient) -> None:
        self.campaigns = CampaignsAPI(
            client,
            path=CAMPAIGN_PATH,
            key="campaigns",
            parse=campaign_from_wire,
            to_wire=lambda c, create: campaign_to_wire(c, create=create),
        )
        self.snippets = SnippetItemsAPI(
            client,
            path=SNIPPETS_PATH,
            key="snippets",
            parse=snippet_from_wire,
            to_wire=lambda s, create: snippet_to_wire(s, create=create),
        )
        self.cookies = CookiesAPI(
            client,
            path=COOKIES_PATH,
            key="cookies",
            parse=cookie_from_wire,
            to_wire=lambda c, create: cookie_to_wire(c, create=create),
        )
        self._client = client

    def __repr__(self) -> str:
        return f"SnippetsAPI({self._client!r})"
