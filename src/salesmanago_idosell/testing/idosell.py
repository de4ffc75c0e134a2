"""A fake IdoSell Admin API (v6 wire format) serving a generated shop over real HTTP.

Example:
    >>> import json, urllib.request
    >>> from salesmanago_idosell.testing import FakeIdoSell
    >>> with FakeIdoSell() as fake:
    ...     req = urllib.request.Request(
    ...         fake.url + "/api/admin/v6/clients/clients?resultsLimit=2",
    ...         headers={"X-API-KEY": fake.api_key})
    ...     page = json.load(urllib.request.urlopen(req))
    >>> len(page["results"])
    2
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from . import _idosell_gates as gates
from ._http import Request, Response
from ._idosell_query import GateError
from ._idosell_snippets import GATES as SNIPPET_GATES
from ._idosell_snippets import SnippetStore
from ._server import FakeServer
from .faults import FaultSpec
from .generator import generate_shop
from .iof_writer import categories_xml, full_xml
from .shop import Customer, Order, OrderLine, Shop, Subscriber
from .webhooks import send_webhook

T = TypeVar("T")

__all__ = ["FakeIdoSell"]

_API = re.compile(r"^/api/admin/v\d+(?:\.\d+)?(/.*)$")
Gate = Callable[["FakeIdoSell", Request], Response]
_GATES: dict[tuple[str, str], Gate] = {
    ("GET", "/clients/clients"): gates.clients_list,
    ("PUT", "/clients/clients"): gates.clients_put,
    ("POST", "/clients/crm/search"): gates.crm_search,
    ("POST", "/clients/newsletter/email/search"): gates.newsletter_search,
    ("POST", "/orders/orders/search"): gates.orders_search,
    ("GET", "/orders/statuses"): gates.order_statuses,
    ("GET", "/products/products"): gates.products_get,
    ("POST", "/products/products/search"): gates.products_search,
    ("GET", "/products/categories"): gates.categories_get,
    ("GET", "/system/serverLoad"): gates.server_load,
    **SNIPPET_GATES,
}


def _now() -> datetime:
    """The shop's wall-clock time: naive, in the shop's zone (Europe/Warsaw), like the API."""
    return datetime.now(ZoneInfo("Europe/Warsaw")).replace(tzinfo=None, microsecond=0)


class FakeIdoSell(FakeServer):
    """IdoSell Admin API gates the SDK uses, on ``{url}/api/admin/v6/...``.

    Args:
        shop: the data to serve (default: ``generate_shop(seed)``).
        api_key: the key every request must send as ``X-API-KEY`` (401 otherwise).
        seed: seeds the default shop and the fault injection.
        faults: fault injection for all gates or per gate (``"GET /clients/clients"``).
        clock: "now" for changes made from Python (default: the wall clock).

    The IOF feeds of the same shop are served (without a key) at :attr:`full_xml_url` and
    :attr:`categories_xml_url`. ``empty_result_status`` is the HTTP status of a faultCode-2
    "empty result" answer (207 by default; the real API's choice is undocumented). Set
    ``keyed_newsletter_shops`` to send newsletter ``shops`` as an object keyed by shop id
    (a shape seen in the wild) instead of the spec's array.
    """

    def __init__(
        self,
        shop: Shop | None = None,
        *,
        api_key: str = "sandbox-idosell-key",
        seed: int = 0,
        faults: FaultSpec = None,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        super().__init__(seed=seed, faults=faults)
        self.shop = shop if shop is not None else generate_shop(seed)
        self.api_key = api_key
        self.clock = clock
        self.server_load = "normal"
        self.empty_result_status = 207
        self.keyed_newsletter_shops = False
        self.row_patches: dict[tuple[str, int], dict[str, Any]] = {}
        self.lock = threading.RLock()
        #: The shop's code snippets (campaigns, snippets, cookie definitions).
        self.snippets = SnippetStore()
        self.version = 0  # bumped by every change made through the fake
        self._listed: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()

    def changed(self) -> None:
        """Note a change of the shop's data (answers computed before it are not reused)."""
        self.version += 1

    def listed(self, request: Request, page: int, compute: Callable[[], list[T]]) -> list[T]:
        """The filtered, sorted records of a paged query.

        Page 0 always computes them; a later page of the same query (same gate, same
        parameters but the paging ones) reuses that answer while the shop is unchanged
        (no change through the fake, no record added or removed), so reading a whole gate
        costs one filtering pass, not one per page. Records changed in place from Python
        without the fake's methods are seen from the next page 0 on.
        """
        shop = self.shop
        stamp = (self.version, len(shop.customers), len(shop.orders), len(shop.products),
                 len(shop.subscribers))  # fmt: skip
        key = (request.method, request.path, _without_paging(request), stamp)
        if page > 0 and key in self._listed:
            self._listed.move_to_end(key)
            return self._listed[key]
        found = compute()
        self._listed[key] = found
        while len(self._listed) > 8:
            self._listed.popitem(last=False)
        return found

    def patch_row(self, kind: str, key: int, **fields: Any) -> None:
        """Serve one record's wire row with these top-level fields replaced (malformed-data
        tests): ``kind`` is ``"client"`` (key: client id) or ``"order"`` (serial number);
        a dict value is merged into the row's object of that name."""
        self.row_patches[(kind, key)] = fields

    def patched(self, kind: str, key: int, row: dict[str, Any]) -> dict[str, Any]:
        """``row`` with the patch registered for it, if any."""
        for name, value in self.row_patches.get((kind, key), {}).items():
            if isinstance(value, dict) and isinstance(row.get(name), dict):
                row[name] = {**row[name], **value}
            else:
                row[name] = value
        return row

    # -- HTTP ------------------------------------------------------------------------------
    def endpoint_of(self, request: Request) -> str:
        """``"METHOD /module/resource"`` with the ``/api/admin/vN`` prefix removed."""
        found = _API.match(request.path)
        return f"{request.method} {found.group(1) if found else request.path}"

    def _handle(self, request: Request, endpoint: str) -> Response:
        if not _API.match(request.path):
            return self._feed(request)
        if request.headers.get("x-api-key") != self.api_key:
            message = "Authorization error: invalid or missing X-API-KEY"
            return Response(401, {"errors": [{"message": message}]}, {"x-error": message})
        method, path = endpoint.split(" ", 1)
        gate = _GATES.get((method, path))
        if gate is None:
            return GateError(404, 404, f"Unknown gate {method} {path}").response()
        try:
            with self.lock:
                return gate(self, request)
        except GateError as error:
            return error.response()

    def _feed(self, request: Request) -> Response:
        xml_type = "application/xml; charset=utf-8"
        with self.lock:
            if request.path == "/iof/full.xml":
                return Response(200, full_xml(self.shop), content_type=xml_type)
            if request.path == "/iof/categories.xml":
                return Response(200, categories_xml(self.shop), content_type=xml_type)
        return self.not_found(request)

    @property
    def full_xml_url(self) -> str:
        """URL of the shop's IOF ``full.xml``."""
        return f"{self.url}/iof/full.xml"

    @property
    def categories_xml_url(self) -> str:
        """URL of the shop's IOF ``categories.xml``."""
        return f"{self.url}/iof/categories.xml"

    # -- changes from Python (for incremental-sync tests) ----------------------------------
    def update_customer(
        self, client_id: int, *, modified: datetime | None = None, **changes: Any
    ) -> Customer:
        """Change a customer's fields and bump its modification date.

        Example: ``fake.update_customer(3, city="Gdynia", newsletter_since=None)``.
        Changing ``newsletter_since`` also sets ``newsletter_changed``.
        """
        with self.lock:
            customer = self.shop.customer(client_id)
            when = modified or self.clock()
            for name, value in changes.items():
                if not hasattr(customer, name):
                    raise AttributeError(f"Customer has no field {name!r}")
                setattr(customer, name, value)
            if "newsletter_since" in changes:
                customer.newsletter_changed = when
            customer.modified = when
            self.changed()
            return customer

    def add_customer(self, customer: Customer) -> Customer:
        """Add a customer account (its id must be new)."""
        with self.lock:
            if any(c.id == customer.id for c in self.shop.customers):
                raise ValueError(f"customer {customer.id} exists")
            self.shop.customers.append(customer)
            return customer

    def add_subscriber(
        self, email: str, *, approved: bool = True, added: datetime | None = None
    ) -> Subscriber:
        """Add a newsletter subscriber without an account."""
        with self.lock:
            subscriber = Subscriber(email=email, added=added or self.clock(), approved=approved)
            self.shop.subscribers.append(subscriber)
            return subscriber

    def update_subscriber(
        self, email: str, *, approved: bool, modified: datetime | None = None
    ) -> Subscriber:
        """Give or withdraw a subscriber's approval and bump its modification date."""
        with self.lock:
            subscriber = next(s for s in self.shop.subscribers if s.email == email)
            subscriber.approved, subscriber.modified = approved, modified or self.clock()
            return subscriber

    def add_order(
        self,
        client_id: int,
        lines: list[tuple[int, int]],
        *,
        status: str = "new",
        added: datetime | None = None,
        sizes: list[int] | None = None,
    ) -> Order:
        """Add an order of ``(product_id, quantity)`` lines (first size of each product, or
        the size at the same position of ``sizes``; no lines: an empty order)."""
        with self.lock:
            self.shop.customer(client_id)
            when = added or self.clock()
            order_lines = []
            for index, (product_id, quantity) in enumerate(lines):
                p = self.shop.product(product_id)
                size = p.sizes[sizes[index] if sizes else 0]
                order_lines.append(
                    OrderLine(p.id, p.name, size.id, size.name, quantity, p.price, p.vat)
                )
            serial = max((o.serial for o in self.shop.orders), default=0) + 1
            order = Order(f"{self.shop.shop_id}-{serial}", serial, client_id, status, when,
                          when, order_lines, Decimal("0.00"), "prepaid", "DPD")  # fmt: skip
            self.shop.orders.append(order)
            return order

    def update_order(self, serial: int, *, status: str, modified: datetime | None = None) -> Order:
        """Change an order's status and bump its modification date."""
        with self.lock:
            order = next(o for o in self.shop.orders if o.serial == serial)
            order.status, order.modified = status, modified or self.clock()
            self.changed()
            return order

    def send_order_webhook(
        self, url: str, serials: list[int], *, secret: str, token: str, **options: Any
    ) -> tuple[int, Any]:
        """POST a signed order webhook to ``url`` (see ``testing.webhooks``): status, answer."""
        return send_webhook(
            url, secret=secret, token=token, serials=serials, shop_id=self.shop.shop_id, **options
        )


_PAGING = frozenset({"resultsPage", "resultsLimit", "results_page", "results_limit"})


def _without_paging(request: Request) -> str:
    """The request's query and ``params`` without the paging keys, as a stable text."""
    query = {k: v for k, v in request.query.items() if k not in _PAGING}
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("params"), dict):
        body = {**body, "params": {k: v for k, v in body["params"].items() if k not in _PAGING}}
    return json.dumps([query, body], sort_keys=True, default=str)
