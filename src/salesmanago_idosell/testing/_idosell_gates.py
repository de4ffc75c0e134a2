"""The fake IdoSell's gates: filters from the v6 spec, answers built by ``_idosell_wire``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _idosell_wire as wire
from ._http import Request, Response
from ._idosell_query import (
    GateError,
    as_ints,
    camel_page,
    date_range,
    in_range,
    matches,
    paged,
    params_of,
    query_list,
    snake_page,
)
from .shop import Customer, Order, Subscriber

if TYPE_CHECKING:
    from .idosell import FakeIdoSell

__all__ = [
    "categories_get",
    "clients_list",
    "clients_put",
    "crm_search",
    "newsletter_search",
    "order_statuses",
    "orders_search",
    "products_get",
    "products_search",
    "server_load",
]

_YES = {"y", "yes", "true", "1"}


def _id(record: Any) -> int:
    return -1 if record is None else int(record.id)


def _serial(order: Order) -> int:
    return order.serial


def _deep(request: Request, name: str) -> tuple[Any, Any]:
    prefix = name[0].lower() + name[1:]
    return request.arg(f"{name}[{prefix}Begin]"), request.arg(f"{name}[{prefix}End]")


def clients_list(fake: FakeIdoSell, request: Request) -> Response:
    """``GET /clients/clients``: ids, codes, text, active, modification/registration, shop."""
    page, limit = camel_page({k: request.arg(k) for k in ("resultsPage", "resultsLimit")})
    ids = as_ints(query_list(request, "clientsIds"), "clientsIds")
    codes = set(query_list(request, "clientCodesExternal"))
    text = request.arg("clientTextSearch")
    active = request.arg("clientIsActive")
    modified = date_range(*_deep(request, "clientsLastModificationDate"))
    registered = date_range(*_deep(request, "clientRegistrationDate"))
    shop_id = request.arg("shopId")

    def keep(c: Customer) -> bool:
        searchable = f"{c.login} {c.email} {c.first_name} {c.last_name} {c.firm}" if text else ""
        return (
            (not ids or c.id in ids)
            and (not codes or c.code_external in codes)
            and matches(searchable, text, exact=False)
            and (active is None or (active == "yes") == c.active)
            and in_range(c.modified, modified)
            and in_range(c.registered, registered)
            and (shop_id in (None, "") or str(c.shop_id) == shop_id)
        )

    found = fake.listed(
        request, page, lambda: sorted((c for c in fake.shop.customers if keep(c)), key=_id)
    )
    return paged(found, page, limit, key="results",
                 row=lambda c: fake.patched("client", c.id, wire.client_row(c, fake.shop)),
                 empty_status=fake.empty_result_status)  # fmt: skip


def _crm_consent(c: Customer, params: dict[str, Any]) -> bool:
    wanted = params.get("newsletterEmailApproval")
    if wanted not in (None, "") and (str(wanted).lower() in _YES) != bool(c.newsletter_since):
        return False
    for item in params.get("newsletterEmailApprovalsData") or []:
        flag = str(item.get("inNewsletterEmailApproval", "")).lower()
        if int(item.get("shopId", c.shop_id)) == c.shop_id and flag:
            return (flag in _YES) == bool(c.newsletter_since)
    return True


def crm_search(fake: FakeIdoSell, request: Request) -> Response:
    """``POST /clients/crm/search``: login/e-mail/name filters, consent, registration, shops."""
    params = params_of(request)
    page, limit = camel_page(params)
    exact = bool(params.get("settingsExactSearch", False))
    window = params.get("clientRegistrationDate") or {}
    registered = date_range(
        window.get("clientRegistrationDateBegin"), window.get("clientRegistrationDateEnd")
    )
    shops = set((params.get("searchByShops") or {}).get("shopsIds") or [])
    texts = {
        "clientLogin": "login", "clientEmail": "email", "clientFirstName": "first_name",
        "clientLastName": "last_name", "clientFirm": "firm", "clientNip": "nip",
        "clientCodeExternal": "code_external",
    }  # fmt: skip

    def keep(c: Customer) -> bool:
        return (
            all(matches(getattr(c, attr), params.get(k), exact=exact) for k, attr in texts.items())
            and in_range(c.registered, registered)
            and (not shops or c.shop_id in shops)
            and _crm_consent(c, params)
        )

    found = fake.listed(
        request, page, lambda: sorted((c for c in fake.shop.customers if keep(c)), key=_id)
    )
    return paged(found, page, limit, key="clientsResults",
                 row=lambda c: wire.crm_row(c, fake.shop),
                 empty_status=fake.empty_result_status)  # fmt: skip


def _find_client(fake: FakeIdoSell, item: dict[str, Any]) -> Customer:
    fake.changed()  # the PUT that asked changes the account
    for c in fake.shop.customers:
        if item.get("clientLogin") and c.login == item["clientLogin"]:
            return c
        if item.get("clientId") is not None and c.id == item["clientId"]:
            return c
    if not (item.get("clientLogin") or item.get("clientId")):
        raise GateError(200, 1, "No username entered.")
    raise GateError(200, 2, "Invalid login - no such client")


def _apply_client(fake: FakeIdoSell, c: Customer, item: dict[str, Any]) -> None:
    approval: bool | None = None
    if "newsletterEmailApproval" in item:
        approval = bool(item["newsletterEmailApproval"])
    for entry in item.get("newsletterEmailApprovalsData") or []:
        if int(entry.get("shopId", c.shop_id)) == c.shop_id:
            approval = str(entry.get("inNewsletterEmailApproval")).lower() in _YES
    now = fake.clock()
    if approval is not None and approval != bool(c.newsletter_since):
        c.newsletter_since = now if approval else None
        c.newsletter_changed = now
    simple = {"clientFirstName": "first_name", "clientLastName": "last_name",
              "clientCity": "city", "clientStreet": "street", "clientZipCode": "zip_code",
              "clientPhone1": "phone", "clientEmail": "email"}  # fmt: skip
    for key, attr in simple.items():
        if key in item:
            setattr(c, attr, str(item[key]))
    c.modified = now


def clients_put(fake: FakeIdoSell, request: Request) -> Response:
    """``PUT /clients/clients``: edit accounts (newsletter approval, names, address)."""
    params = params_of(request)
    results: list[dict[str, Any]] = []
    for item in params.get("clients") or []:
        try:
            customer = _find_client(fake, item)
        except GateError as error:
            fault = {"faultCode": error.fault_code, "faultString": error.fault_string}
            results.append({"resultStatus": False, "clientsResult": {}, "errors": [fault]})
            continue
        _apply_client(fake, customer, item)
        ref = item.get("requestReference", "")
        done = {"clientId": customer.id, "requestReference": ref}
        results.append({"resultStatus": True, "errors": [], "clientsResult": done})
    if not results:
        raise GateError(207, 3, "No parameters were received")
    status = 200 if all(r["resultStatus"] for r in results) else 207
    return Response(status, {"results": results})


def _newsletter_keep(entry: Customer | Subscriber, params: dict[str, Any], bounds: Any) -> bool:
    row = wire.newsletter_row(entry)
    shop_row = row["shops"][0]
    wanted = params.get("shops") or []
    if wanted and not any(
        int(w.get("shop_id", shop_row["shop_id"])) == shop_row["shop_id"]
        and w.get("approval", shop_row["approval"]) == shop_row["approval"]
        and w.get("registered", row["registered"]) == row["registered"]
        for w in wanted
    ):
        return False
    if params.get("language") not in (None, "", row["language"]):
        return False
    changed = (
        entry.newsletter_changed if isinstance(entry, Customer) else (entry.modified or entry.added)
    )
    return changed is None or in_range(changed, bounds)


def newsletter_search(fake: FakeIdoSell, request: Request) -> Response:
    """``POST /clients/newsletter/email/search`` (snake_case): shops/approval/registered/date."""
    params = params_of(request)
    page, limit = snake_page(params)
    window = params.get("date") or {}
    bounds = date_range(window.get("from"), window.get("to"))

    def compute() -> list[Customer | Subscriber]:
        entries: list[Customer | Subscriber] = [
            c for c in sorted(fake.shop.customers, key=_id) if c.newsletter_changed
        ]
        entries += fake.shop.subscribers
        return [e for e in entries if _newsletter_keep(e, params, bounds)]

    found = fake.listed(request, page, compute)

    def row(entry: Customer | Subscriber) -> dict[str, Any]:
        data = wire.newsletter_row(entry)
        if fake.keyed_newsletter_shops:  # the PHP shape: an object keyed by shop id
            data["shops"] = {str(s["shop_id"]): s for s in data["shops"]}
        return data

    return paged(found, page, limit, key="clients", row=row, snake=True,
                 empty_status=fake.empty_result_status)  # fmt: skip


def _order_filter(params: dict[str, Any]) -> Any:
    ranges = params.get("ordersRange") or {}
    dates = ranges.get("ordersDateRange") or {}
    date_type = dates.get("ordersDateType", "add")
    if date_type not in ("add", "modified"):
        raise GateError(207, 1, f"ordersDateType {date_type!r} is not modelled by the fake")
    bounds = date_range(dates.get("ordersDateBegin"), dates.get("ordersDateEnd"))
    serials = ranges.get("ordersSerialNumberRange") or {}
    low, high = serials.get("ordersSerialNumberBegin"), serials.get("ordersSerialNumberEnd")
    statuses = set(params.get("ordersStatuses") or [])
    ids = set(params.get("ordersIds") or [])
    numbers = set(params.get("ordersSerialNumbers") or [])
    shops = set((params.get("orderSource") or {}).get("shopsIds") or [])
    clients = {int(c["clientId"]) for c in params.get("clients") or [] if "clientId" in c}

    def keep(o: Order) -> bool:
        return (
            in_range(o.added if date_type == "add" else o.modified, bounds)
            and (low in (None, "") or o.serial >= int(low))
            and (high in (None, "") or o.serial <= int(high))
            and (not statuses or o.status in statuses)
            and (not ids or o.id in ids)
            and (not numbers or o.serial in numbers)
            and (not shops or o.shop_id in shops)
            and (not clients or o.client_id in clients)
        )

    return keep


def orders_search(fake: FakeIdoSell, request: Request) -> Response:
    """``POST /orders/orders/search``: date ranges (add/modified), statuses, ids, shops."""
    params = params_of(request)
    page, limit = camel_page(params)
    keep = _order_filter(params)
    found = fake.listed(
        request, page, lambda: sorted((o for o in fake.shop.orders if keep(o)), key=_serial)
    )
    return paged(found, page, limit, key="Results",
                 row=lambda o: fake.patched("order", o.serial, wire.order_row(o, fake.shop)),
                 empty_status=fake.empty_result_status)  # fmt: skip


def order_statuses(fake: FakeIdoSell, request: Request) -> Response:
    """``GET /orders/statuses``: the status list with ids."""
    rows = [{"id": i, "parentId": None, "panelName": name} for name, i in wire.STATUS_IDS.items()]
    return Response(200, {"statuses": rows})


def products_get(fake: FakeIdoSell, request: Request) -> Response:
    """``GET /products/products?productIds=`` (at most 100 ids)."""
    ids = as_ints(query_list(request, "productIds"), "productIds")
    if not ids:
        raise GateError(207, 3, "Product search: didn't give any parameters")
    if len(ids) > 100:
        raise GateError(422, 1, "productIds: at most 100 ids")
    known = (fake.shop.product_by_id(i) for i in ids)
    found = sorted((p for p in known if p is not None), key=_id)
    return paged(found, 0, 100, key="results", row=lambda p: wire.product_row(p, fake.shop),
                 empty_status=fake.empty_result_status)  # fmt: skip


def products_search(fake: FakeIdoSell, request: Request) -> Response:
    """``POST /products/products/search``: productParams, productIndexes, categories, dates."""
    params = params_of(request)
    page, limit = camel_page(params)
    ids = {int(p["productId"]) for p in params.get("productParams") or [] if "productId" in p}
    ids |= {int(p["productIndex"]) for p in params.get("productIndexes") or []
            if str(p.get("productIndex", "")).isdigit()}  # fmt: skip
    categories = {int(c["categoryId"]) for c in params.get("categories") or [] if "categoryId" in c}
    when = params.get("productDate") or {}
    bounds = date_range(when.get("productDateBegin"), when.get("productDateEnd"))
    use_added = when.get("productDateMode") == "added"
    if ids and not categories and not when:  # look-ups by id: the shop's index
        known = (fake.shop.product_by_id(i) for i in ids)
        found = sorted((p for p in known if p is not None), key=_id)
    else:
        found = fake.listed(request, page, lambda: [
            p for p in sorted(fake.shop.products, key=_id)
            if (not ids or p.id in ids) and (not categories or p.category_id in categories)
            and in_range(p.added if use_added else p.modified, bounds)
        ])  # fmt: skip
    return paged(found, page, limit, key="results", row=lambda p: wire.product_row(p, fake.shop),
                 empty_status=fake.empty_result_status)  # fmt: skip


def categories_get(fake: FakeIdoSell, request: Request) -> Response:
    """``GET /products/categories`` (snake_case paging; ``ids``, ``languages``)."""
    page, limit = snake_page({k: request.arg(k) for k in ("results_page", "results_limit")})
    ids = as_ints(query_list(request, "ids"), "ids")
    languages = {"pol" if x == "Defaults" else x for x in query_list(request, "languages")}
    found = [c for c in fake.shop.categories if not ids or c.id in ids]

    def row(category: Any) -> dict[str, Any]:
        data = wire.category_row(category, fake.shop)
        if languages:
            data["lang_data"] = [d for d in data["lang_data"] if d["lang_id"] in languages]
        return data

    response = paged(found, page, limit, key="categories", row=row, snake=True,
                     empty_status=fake.empty_result_status)  # fmt: skip
    if request.arg("return_last_changed_time") and isinstance(response.body, dict):
        response.body["last_changed_time"] = wire.fmt_datetime(fake.shop.generated)
    return response


def server_load(fake: FakeIdoSell, request: Request) -> Response:
    """``GET /system/serverLoad``: ``normal`` or ``overloaded`` (``fake.server_load``)."""
    return Response(200, {"serverLoadStatus": fake.server_load})
