"""The fake IdoSell's snippets gates: campaigns, snippets and cookie definitions.

Items are validated one by one as IdoSell does: a write answers one result per item with the
item's own ``errors`` (HTTP 207 when any failed, 200 otherwise). Modelled rules (from the v6
operations and the traps public clients point at):

* a new campaign needs ``name`` and ``shop`` (a non-empty list of this shop's id);
* a new snippet needs ``name`` and an existing ``campaign``; sent without ``display`` it is
  stored as shown on no device (``screen``/``tablet``/``phone`` = ``n``);
* a new cookie definition needs an existing ``snippetId`` and a ``deliverer``;
* read-only (``deleted``, ``snippetCount`` ...) and unknown fields are refused;
* ``DELETE`` takes the ids in the query string (``?id=1,2``); a body is ignored, so a DELETE
  without query ids is refused as a call without parameters. Deleted items are kept, marked
  ``deleted`` (listed with ``omitDeleted=n``), and cannot be changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._http import Request, Response
from ._idosell_query import GateError, as_ints, camel_page, params_of, query_list

if TYPE_CHECKING:
    from .idosell import FakeIdoSell

__all__ = ["GATES", "SnippetStore"]

Row = dict[str, Any]
_YN = ("y", "n")
_CAMPAIGN_FIELDS = {"id", "name", "description", "shop", "active", "order", "configVariables"}
_SNIPPET_FIELDS = {
    "id", "name", "active", "campaign", "dateBegin", "dateEnd", "type", "useAjax", "link",
    "timeout", "zone", "order", "body", "display", "pages", "sources",
}  # fmt: skip
_COOKIE_FIELDS = {
    "id", "snippetId", "deliverer", "category", "description", "name", "type",
    "lifeTimeType", "lifeTime",
}  # fmt: skip
_Enums = dict[str, tuple[object, ...]]
_CAMPAIGN_ENUMS: _Enums = {"active": _YN}
_SNIPPET_ENUMS: _Enums = {
    "active": _YN,
    "type": ("html", "javascript", "cgi"),
    "zone": ("head", "bodyBegin", "bodyEnd"),
}
_COOKIE_ENUMS: _Enums = {
    "category": ("analytics", "marketing", "functional"),
    "type": ("cookie", "pixel", "localStorage", None),
    "lifeTimeType": ("temporary", "days", "minutes", None),
}
_DEVICES = ("screen", "tablet", "phone")
_SEGMENTS = {"newsletter", "hasOrders", "useRebateCode"}
_CLIENT_TYPES = ("all", "unregistered", "registered", "retailer", "wholesaler")


class _ItemError(Exception):
    def __init__(self, code: int, text: str) -> None:
        super().__init__(text)
        self.code, self.text = code, text


@dataclass
class SnippetStore:
    """What the fake shop holds: rows in the wire shape, by id (deleted ones kept)."""

    campaigns: dict[int, Row] = field(default_factory=dict)
    snippets: dict[int, Row] = field(default_factory=dict)
    cookies: dict[int, Row] = field(default_factory=dict)
    next_id: int = 1

    def new_id(self) -> int:
        """A fresh id (shared by the three kinds, as good as any)."""
        self.next_id += 1
        return self.next_id - 1

    def shown_on(self, page: str, *, device: str = "screen", shop_id: int = 1) -> list[Row]:
        """The snippets a visitor sees on a page type (``home``, ``basket`` ...), in order."""
        found = []
        for snippet in self.snippets.values():
            campaign = self.campaigns.get(snippet["campaign"])
            if campaign is None or _off(campaign) or _off(snippet):
                continue
            pages = snippet["pages"]
            on_page = pages.get("all") == "y" or page in (pages.get("pages") or ())
            if shop_id in campaign["shop"] and on_page and snippet["display"][device] == "y":
                found.append(snippet)
        return sorted(found, key=lambda s: (s.get("order") or 0, s["id"]))


def _off(row: Row) -> bool:
    return row.get("deleted") == "y" or row.get("active") == "n"


def _store(fake: FakeIdoSell) -> SnippetStore:
    store: SnippetStore = fake.snippets
    return store


# -- item validation ---------------------------------------------------------------------------


def _check_fields(item: Any, allowed: set[str], enums: _Enums) -> Row:
    if not isinstance(item, dict):
        raise _ItemError(1, "Item is not an object")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise _ItemError(1, f"Unknown or read-only field: {unknown[0]}")
    for name, values in enums.items():
        if name in item and item[name] not in values:
            raise _ItemError(1, f"Invalid value of {name}")
    return item


def _text(item: Row, name: str, *, required: bool) -> None:
    value = item.get(name)
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip():
        raise _ItemError(1, f"Field {name} is required")


def _lang_list(value: Any, name: str) -> list[Row]:
    if not isinstance(value, list) or not all(
        isinstance(e, dict) and isinstance(e.get("lang"), str) and isinstance(e.get("body"), str)
        for e in value
    ):
        raise _ItemError(1, f"{name} must be a list of {{lang, body}}")
    return [{"lang": e["lang"], "body": e["body"]} for e in value]


def _campaign(fake: FakeIdoSell, item: Any, old: Row | None) -> Row:
    item = _check_fields(item, _CAMPAIGN_FIELDS, _CAMPAIGN_ENUMS)
    _text(item, "name", required=old is None)
    if old is None and "shop" not in item:
        raise _ItemError(1, "Field shop is required")
    if "shop" in item:
        shops = item["shop"]
        if not isinstance(shops, list) or not shops or any(not isinstance(s, int) for s in shops):
            raise _ItemError(1, "Field shop must be a non-empty list of shop ids")
        if any(s != fake.shop.shop_id for s in shops):
            raise _ItemError(1, "Unknown shop id")
    base = old or {"description": "", "active": "y", "order": 0, "deleted": "n"}
    return {**base, **{k: v for k, v in item.items() if k != "id"}}


#: What a snippet sent without ``display`` gets: every visitor, but no device.
_NO_DISPLAY: Row = {"clientType": "all", "newsletter": "all", "hasOrders": "all",
                    "useRebateCode": "all", "screen": "n", "tablet": "n", "phone": "n"}  # fmt: skip


def _display(value: Any, old: Row | None) -> Row:
    display = dict(old or _NO_DISPLAY)
    if value is None:
        return display
    if not isinstance(value, dict):
        raise _ItemError(1, "display must be an object")
    for key, flag in value.items():
        allowed: tuple[str, ...] = ()
        if key in _DEVICES:
            allowed = _YN
        elif key in _SEGMENTS:
            allowed = ("y", "n", "all")
        elif key == "clientType":
            allowed = _CLIENT_TYPES
        if flag not in allowed:
            raise _ItemError(1, f"Invalid display.{key}")
        display[key] = flag
    return display


def _pages(value: Any) -> Row:
    if not isinstance(value, dict) or value.get("all") not in _YN:
        raise _ItemError(1, "pages.all must be y or n")
    if value.get("pages") and value.get("url"):
        raise _ItemError(1, "Give pages or url, not both")
    return {k: v for k, v in value.items() if k in ("all", "pages", "url")}


def _snippet(fake: FakeIdoSell, item: Any, old: Row | None) -> Row:
    item = _check_fields(item, _SNIPPET_FIELDS, _SNIPPET_ENUMS)
    _text(item, "name", required=old is None)
    store = _store(fake)
    if old is None or "campaign" in item:
        campaign = store.campaigns.get(item.get("campaign", -1))
        if campaign is None or campaign["deleted"] == "y":
            raise _ItemError(1, "Campaign not found")
    row = {**(old or {"active": "y", "type": "html", "zone": "bodyEnd", "order": 0,
                      "body": [], "pages": {"all": "y"}, "deleted": "n"})}  # fmt: skip
    row.update({k: v for k, v in item.items() if k not in ("id", "display", "pages", "body")})
    row["display"] = _display(item.get("display"), old["display"] if old else None)
    if "pages" in item:
        row["pages"] = _pages(item["pages"])
    if "body" in item:
        row["body"] = _lang_list(item["body"], "body")
    return row


def _cookie(fake: FakeIdoSell, item: Any, old: Row | None) -> Row:
    item = _check_fields(item, _COOKIE_FIELDS, _COOKIE_ENUMS)
    if old is None or "snippetId" in item:
        snippet = _store(fake).snippets.get(item.get("snippetId", -1))
        if snippet is None or snippet["deleted"] == "y":
            raise _ItemError(1, "Snippet not found")
    _text(item, "deliverer", required=old is None)
    lifetime = item.get("lifeTime")
    if lifetime is not None and (not isinstance(lifetime, int) or lifetime < 0):
        raise _ItemError(1, "lifeTime must be a non-negative integer")
    row = {**(old or {"category": "marketing", "description": [], "name": None,
                      "type": "cookie", "lifeTimeType": None, "lifeTime": None})}  # fmt: skip
    row.update({k: v for k, v in item.items() if k not in ("id", "description")})
    if "description" in item:
        row["description"] = _lang_list(item["description"], "description")
    return row


# -- the gates ---------------------------------------------------------------------------------

Validate = Callable[["FakeIdoSell", Any, "Row | None"], Row]


def _answer(results: list[Row]) -> Response:
    failed = any(r.get("errors") for r in results)
    return Response(207 if failed else 200, {"results": results})


def _items(request: Request, key: str) -> list[Any]:
    items = params_of(request).get(key)
    if not isinstance(items, list) or not items:
        raise GateError(207, 3, f"No {key} were received")
    if len(items) > 100:
        raise GateError(422, 1, f"At most 100 {key} per call")
    return items


def _create(fake: FakeIdoSell, request: Request, key: str, validate: Validate) -> Response:
    table: dict[int, Row] = getattr(_store(fake), key)
    results = []
    for item in _items(request, key):
        try:
            if isinstance(item, dict) and item.get("id") is not None:
                raise _ItemError(1, "id must be empty when creating")
            row = validate(fake, item, None)
        except _ItemError as error:
            results.append({"id": None, "errors": [_fault(error)]})
            continue
        row["id"] = _store(fake).new_id()
        table[row["id"]] = row
        results.append({"id": row["id"], "errors": []})
    return _answer(results)


def _update(fake: FakeIdoSell, request: Request, key: str, validate: Validate) -> Response:
    table: dict[int, Row] = getattr(_store(fake), key)
    results = []
    for item in _items(request, key):
        item_id = item.get("id") if isinstance(item, dict) else None
        try:
            old = table.get(item_id) if isinstance(item_id, int) else None
            if old is None or old.get("deleted") == "y":
                raise _ItemError(2, "Item not found")
            row = validate(fake, item, old)
        except _ItemError as error:
            results.append({"id": item_id, "errors": [_fault(error)]})
            continue
        table[old["id"]] = {**row, "id": old["id"]}
        results.append({"id": old["id"], "errors": []})
    return _answer(results)


def _delete(fake: FakeIdoSell, request: Request, key: str) -> Response:
    table: dict[int, Row] = getattr(_store(fake), key)
    ids = query_list(request, "id")
    if not ids:
        raise GateError(207, 3, "No parameters were received: give the ids as ?id=1,2")
    results = []
    for item_id in sorted(as_ints(ids, "id")):
        row = table.get(item_id)
        if row is None or row.get("deleted") == "y":
            results.append({"id": item_id, "errors": [_fault(_ItemError(2, "Item not found"))]})
            continue
        if "deleted" in row:
            row["deleted"] = "y"
        else:  # cookie definitions have no deleted flag: they go
            del table[item_id]
        results.append({"id": item_id, "errors": []})
    return _answer(results)


def _fault(error: _ItemError) -> Row:
    return {"faultCode": error.code, "faultString": error.text}


def _listing(fake: FakeIdoSell, request: Request, key: str, filters: Mapping[str, str]) -> Response:
    page, limit = camel_page({k: request.arg(k) for k in ("resultsPage", "resultsLimit")})
    omit = request.arg("omitDeleted") or "y"
    if omit not in _YN:
        raise GateError(422, 1, "omitDeleted must be y or n")
    wanted = {name: as_ints(query_list(request, name), name) for name in filters}
    table: dict[int, Row] = getattr(_store(fake), key)

    def keep(row: Row) -> bool:
        if omit == "y" and row.get("deleted") == "y":
            return False
        for name, field_name in filters.items():
            values = row[field_name] if isinstance(row[field_name], list) else [row[field_name]]
            if wanted[name] and not wanted[name] & set(values):
                return False
        return True

    rows = [dict(r) for _, r in sorted(table.items()) if keep(r)]
    chunk = rows[page * limit : (page + 1) * limit]
    if key == "campaigns":
        for row in chunk:
            row["snippetCount"] = sum(
                1 for s in fake.snippets.snippets.values()
                if s["campaign"] == row["id"] and s["deleted"] == "n"
            )  # fmt: skip
    pages = -(-len(rows) // limit)
    pagination = {"page": page, "pageElements": len(chunk), "totalPages": pages,
                  "totalElements": len(rows)}  # fmt: skip
    return Response(200, {"results": chunk, "pagination": pagination})


def _gates(key: str, filters: Mapping[str, str], validate: Validate) -> dict[str, Any]:
    return {
        "GET": lambda fake, request: _listing(fake, request, key, filters),
        "POST": lambda fake, request: _create(fake, request, key, validate),
        "PUT": lambda fake, request: _update(fake, request, key, validate),
        "DELETE": lambda fake, request: _delete(fake, request, key),
    }


#: ``(method, path) -> gate`` for the fake's routing table.
GATES: dict[tuple[str, str], Callable[[FakeIdoSell, Request], Response]] = {
    (method, path): gate
    for path, gates in (
        ("/snippets/campaign", _gates("campaigns", {"shopId": "shop", "id": "id"}, _campaign)),
        ("/snippets/snippets", _gates("snippets", {"campaign": "campaign", "id": "id"}, _snippet)),
        ("/snippets/cookies", _gates("cookies", {"id": "id"}, _cookie)),
    )
    for method, gate in gates.items()
}
