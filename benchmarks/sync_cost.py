"""What a full sync costs the client: requests against the theoretical minimum, CPU, memory.

Run: ``.venv/bin/python benchmarks/sync_cost.py [--sizes 10000 50000] [--memory 10000 100000]
[--consent-modes consented_only]``

For each size N the sandbox (N customers, N orders, N/5 subscribers, N/10 products) is served
by another process, so only the client is measured. In this process:

* the SDK runs every stream (``export_customers``, ``export_subscribers``, ``sync_orders``,
  ``sync_offer``; consent mode ``all`` as in the demo) and every request is counted per stream
  and endpoint, against the theoretical minimum: SALESmanago ⌈n/1000⌉ contact upserts and
  event requests, ⌈P/100⌉ product upserts; IdoSell ⌈n/100⌉ pages of each gate and
  ⌈distinct products/100⌉ category look-ups;
* a plain ``requests`` script of its own (below: dicts in, dicts out, no validation, no state)
  does the same HTTP work — the same IdoSell requests, parsing every answer, building the same
  SALESmanago bodies from the rows and posting them — and both runs' client CPU
  (``time.process_time``) is compared, best of ``--repeat`` runs each, alternating; a third
  run of that script also builds the public models (``Customer``, ``Order``) of every row it
  reads and drops them, to show what typed records alone cost;
* the SDK parses the API answers with msgspec when the ``speed`` extra is installed (it is
  in ``dev``), the plain script with ``Response.json()`` as a plain script would: the first
  line printed says which, and ``SMIDO_BENCH_NO_MSGSPEC=1`` hides msgspec from the SDK so
  both parse with the standard library;
* ``--memory`` sizes run the SDK sync in a fresh child process each and print its peak RSS;
* ``--consent-modes`` (default ``consented_only``) counts each stream's requests again in
  those modes (requests only: the plain script mirrors mode ``all``).

Not a test: it prints figures; nothing is asserted.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests  # noqa: TID251 - the plain script the SDK is measured against
import xmltodict

if os.environ.get("SMIDO_BENCH_NO_MSGSPEC") == "1":
    sys.modules["msgspec"] = None  # type: ignore[assignment]  # import fails: stdlib json

from salesmanago_idosell import Integration, IntegrationConfig, _json
from salesmanago_idosell.idosell._fast_rows import customer_from_row, order_from_row
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.report import SyncReport

Count = collections.Counter[tuple[str, str]]
ZONE = ZoneInfo("Europe/Warsaw")
#: (side, stream) -> client CPU seconds of the last run.
CPU: dict[tuple[str, str], float] = {}


# -- the sandbox in another process ----------------------------------------------------------


def serve(size: int) -> None:
    """Child process: serve a sandbox of ``size`` until stdin closes; print its settings."""
    from salesmanago_idosell.testing import Sandbox  # noqa: PLC0415 - only the server needs it

    box = Sandbox(1, customers=size, orders=size, subscribers=size // 5, products=size // 10)
    with box, tempfile.TemporaryDirectory() as tmp:
        full, categories = box.write_feeds(tmp)
        settings = box.settings()
        products = {line.product_id for order in box.shop.orders for line in order.lines}
        print(json.dumps({"settings": settings, "full": str(full), "categories": str(categories),
                          "distinct_products": len(products)}), flush=True)  # fmt: skip
        sys.stdin.read()


class Servers:
    """The sandbox process of one size."""

    def __init__(self, size: int, consent_mode: ConsentMode = ConsentMode.ALL) -> None:
        self.consent_mode = consent_mode
        self.process = subprocess.Popen(  # noqa: S603 - this very script
            [sys.executable, __file__, "--serve", str(size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.info: dict[str, Any] = json.loads(self.process.stdout.readline())

    def config(self) -> IntegrationConfig:
        return IntegrationConfig(
            **self.info["settings"],
            consent_mode=self.consent_mode,
            location="bench_shop",
            idosell_rate_limit=10_000,
        )

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


# -- the SDK ---------------------------------------------------------------------------------


def _counting(session: requests.Session, counts: Count, log: list[Any] | None) -> None:
    def hook(response: requests.Response, *_: Any, **__: Any) -> None:
        request = response.request
        path = (request.path_url or "").split("?", 1)[0]
        path = path.split("/api/admin/v6", 1)[-1]
        counts[(str(request.method), path)] += 1
        if log is not None:
            log.append((request.method, request.url, request.body))

    session.hooks["response"].append(hook)


def run_sdk(servers: Servers, state: Path, log: list[Any] | None = None) -> dict[str, Count]:
    """Every stream once; the requests of each, by (method, path)."""
    per_stream: dict[str, Count] = {}
    counts: Count = collections.Counter()
    with Integration(servers.config(), state=state) as integration:
        for session in (
            integration.idosell._transport.session,
            integration.salesmanago._v2.session,
            integration.salesmanago._v3.session if integration.salesmanago._v3 else None,
        ):
            if session is not None:
                _counting(session, counts, log)
        runs: dict[str, Callable[[], SyncReport]] = {
            "customers": integration.export_customers,
            "subscribers": integration.export_subscribers,
            "orders": integration.sync_orders,
            "offer": lambda: integration.sync_offer(
                servers.info["full"], categories=servers.info["categories"]
            ),
        }
        for name, run in runs.items():
            counts.clear()
            if log is not None:
                log.append(("stream", name, None))
            started = time.process_time()
            report = run()
            CPU[("SDK", name)] = time.process_time() - started
            if not report.ok:
                raise SystemExit(f"{name}: {report.summary()}")
            per_stream[name] = collections.Counter(counts)
            per_stream[name][("sent", name)] = report.stream(name).sent
    return per_stream


# -- the plain requests script ---------------------------------------------------------------


def _auth(settings: dict[str, Any]) -> dict[str, Any]:
    api_key = "bench-plain"
    sha = hashlib.sha1(  # noqa: S324 - the API's own signature
        (api_key + settings["salesmanago_client_id"] + settings["salesmanago_api_secret"]).encode()
    ).hexdigest()
    return {
        "clientId": settings["salesmanago_client_id"],
        "apiKey": api_key,
        "sha": sha,
        "owner": settings["salesmanago_owner"],
    }


def _contact(row: dict[str, Any]) -> dict[str, Any] | None:
    email = (row.get("clientEmail") or "").strip()
    if "@" not in email:
        return None
    bill = row.get("clientBillingAddress") or {}
    name = f"{bill.get('clientFirstName', '')} {bill.get('clientLastName', '')}".strip()
    contact: dict[str, Any] = {"email": email}
    if name:
        contact["name"] = name
    if bill.get("clientPhone1"):
        contact["phone"] = bill["clientPhone1"]
    contact["externalId"] = str(row.get("clientId"))
    address = {"streetAddress": bill.get("clientStreet"), "zipCode": bill.get("clientZipCode"),
               "city": bill.get("clientCity"), "country": bill.get("clientCountryId")}  # fmt: skip
    contact["address"] = {k: v for k, v in address.items() if v}
    body: dict[str, Any] = {"contact": contact, "tags": ["rejestracja"]}
    birth = (row.get("clientPersonalData") or {}).get("clientBirthDate")
    if birth and birth != "0000-00-00":
        body["birthday"] = birth.replace("-", "")
    consent = row.get("newsletterEmailApprovalsData") or []
    body["forceOptIn" if consent else "forceOptOut"] = True
    return body


def _models(page: dict[str, Any]) -> None:
    """The public models of a page's customers and orders, built and dropped: what types
    alone cost (the SDK's one-step decoders, no mapping, no state)."""
    for row in page.get("results") or []:
        if "clientId" in row:
            customer_from_row(row, ZONE)
    for row in page.get("Results") or []:
        order_from_row(row, ZONE)


class Plain:
    """The same HTTP work with plain ``requests`` and dicts."""

    def __init__(
        self,
        settings: dict[str, Any],
        idosell_requests: list[Any],
        full: str,
        *,
        typed: bool = False,
    ) -> None:
        self.typed = typed
        self.settings = settings
        self.full = Path(full)
        self.idosell_requests = idosell_requests
        self.session = requests.Session()
        self.session.headers["X-API-KEY"] = settings["idosell_api_key"]
        self.auth = _auth(settings)
        self.sm = settings["salesmanago_endpoint"].rstrip("/") + "/api"

    def _idosell(self, path_part: str) -> Iterator[dict[str, Any]]:
        for method, url, body in self.idosell_requests:
            if path_part in url:
                data = body if body is None or isinstance(body, bytes) else body.encode()
                headers = {"Content-Type": "application/json"} if data else {}
                page = self.session.request(method, url, data=data, headers=headers).json()
                if self.typed:
                    _models(page)
                yield page

    def _post(self, path: str, body: dict[str, Any]) -> Any:
        body = {**self.auth, "requestTime": int(time.time() * 1000), **body}
        return self.session.post(self.sm + path, json=body).json()

    def _upserts(self, contacts: Iterator[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for contact in contacts:
            batch.append({**contact, "owner": self.auth["owner"]})
            if len(batch) == 1000:
                self._post("/contact/batchupsert", {"upsertDetails": batch})
                batch = []
        if batch:
            self._post("/contact/batchupsert", {"upsertDetails": batch})

    def run(self) -> None:
        """Every stream, as the SDK run did."""
        for name in ("customers", "subscribers", "orders", "offer"):
            started = time.process_time()
            getattr(self, name)()
            CPU[("plain+models" if self.typed else "plain", name)] = time.process_time() - started

    def customers(self) -> None:
        def contacts() -> Iterator[dict[str, Any]]:
            for page in self._idosell("/clients/clients"):
                for row in page.get("results") or []:
                    mapped = _contact(row)
                    if mapped is not None:
                        yield mapped

        self._upserts(contacts())

    def subscribers(self) -> None:
        def contacts() -> Iterator[dict[str, Any]]:
            for page in self._idosell("/clients/newsletter/email/search"):
                for row in page.get("clients") or []:
                    email = (row.get("email") or "").strip()
                    if "@" in email:
                        yield {"contact": {"email": email}, "tags": ["newsletter"],
                               "forceOptIn": True}  # fmt: skip

        self._upserts(contacts())

    def orders(self) -> None:
        categories: dict[int, int] = {}
        for page in self._idosell("/products/products/search"):
            for row in page.get("results") or []:
                categories[int(row["productId"])] = int(row.get("categoryId") or 0)
        tree: dict[int, tuple[str, int | None]] = {}
        for page in self._idosell("/products/categories"):
            for row in page.get("categories") or []:
                name = (row.get("lang_data") or [{}])[0].get("singular_name", "")
                tree[int(row["id"])] = (name, row.get("parent_id"))
        events: list[dict[str, Any]] = []
        tags: dict[str, set[str]] = collections.defaultdict(set)
        for page in self._idosell("/orders/orders/search"):
            for row in page.get("Results") or []:
                details = row.get("orderDetails") or {}
                client = (row.get("clientResult") or {}).get("clientAccount") or {}
                email = (client.get("clientEmail") or "").strip().lower()
                lines = details.get("productsResults") or []
                if "@" not in email or details.get("orderStatus") in ("canceled", "returned"):
                    continue
                ids = [str(line.get("productId")) for line in lines]
                names = [str(line.get("productName")) for line in lines]
                for line in lines:
                    category = categories.get(int(line.get("productId") or 0))
                    while category in tree:
                        name, parent = tree[category]
                        tags[email].add(name)
                        category = int(parent) if parent else None
                added = datetime.strptime(details["orderAddDate"], "%Y-%m-%d %H:%M:%S")
                value = sum(
                    Decimal(str(line.get("productOrderPrice") or 0))
                    * Decimal(str(line.get("productQuantity") or 0))
                    for line in lines
                )
                payments = details.get("payments") or {}
                currency = (payments.get("orderCurrency") or {}).get("currencyId", "")
                events.append({"email": email, "contactEvent": {
                    "date": int(added.replace(tzinfo=ZONE).timestamp() * 1000),
                    "contactExtEventType": "PURCHASE", "products": ",".join(ids),
                    "value": float(value), "location": "bench_shop",
                    "externalId": str(row.get("orderSerialNumber")),
                    "detail1": "/".join(names)[:255],
                    "detail2": "/".join(str(line.get("productQuantity")) for line in lines),
                    "detail3": currency, "detail4": str(payments.get("orderPaymentType")),
                    "detail5": str((details.get("dispatch") or {}).get("courierName")),
                    "detail7": str(row.get("orderId")),
                }})  # fmt: skip
                if len(events) == 1000:
                    self._post("/v2/contact/addBatchContactExtEvent", {"events": events})
                    events = []
        if events:
            self._post("/v2/contact/addBatchContactExtEvent", {"events": events})
        self._upserts(iter([{"contact": {"email": e}, "tags": sorted(t)} for e, t in tags.items()]))

    def offer(self) -> None:
        feed = xmltodict.parse(self.full.read_bytes())
        offer = (feed.get("offer") or {}).get("products") or {}
        items = offer.get("product") or []
        products = [
            {"productId": str(p.get("@id")), "name": str(p.get("description", {}))[:200],
             "available": True, "price": 1.0}
            for p in (items if isinstance(items, list) else [items])
        ]  # fmt: skip
        v3 = self.settings["salesmanago_v3_endpoint"].rstrip("/") + "/v3/product/upsert"
        headers = {"API-KEY": self.settings["salesmanago_api_v3_key"]}
        self.session.post(
            self.settings["salesmanago_v3_endpoint"].rstrip("/") + "/v3/product/catalogList",
            json={}, headers=headers,
        )  # fmt: skip
        for start in range(0, len(products), 100):
            body = {"catalogId": "bench", "products": products[start : start + 100]}
            self.session.post(v3, json=body, headers=headers)


# -- measuring -------------------------------------------------------------------------------


def _minimum(stream: str, counts: Count, info: dict[str, Any], size: int) -> list[Any]:
    """Rows: (side, what, requests, minimum)."""
    sent = counts[("sent", stream)]
    idosell = sum(n for (m, p), n in counts.items() if p.startswith("/") and "/api" not in p)
    rows: list[Any] = []
    if stream == "customers":
        rows.append(("IdoSell", "pages", idosell, math.ceil(size / 100)))
        rows.append(("SALESmanago", "contact upserts", _sm(counts, "batchupsert"),
                     math.ceil(sent / 1000)))  # fmt: skip
    elif stream == "subscribers":
        rows.append(("IdoSell", "pages", idosell, math.ceil(size // 5 / 100)))
        rows.append(("SALESmanago", "contact upserts", _sm(counts, "batchupsert"),
                     math.ceil(sent / 1000)))  # fmt: skip
    elif stream == "orders":
        lookups = counts[("POST", "/products/products/search")]
        rows.append(("IdoSell", "order pages", idosell - lookups, math.ceil(size / 100)))
        rows.append(("IdoSell", "category look-ups", lookups,
                     math.ceil(info["distinct_products"] / 100)))  # fmt: skip
        rows.append(("SALESmanago", "event requests", _sm(counts, "addBatchContactExtEvent"),
                     math.ceil(sent / 1000)))  # fmt: skip
        tagged = _sm(counts, "batchupsert")
        contacts = counts[("tagged contacts", stream)]
        rows.append(("SALESmanago", "tag upserts", tagged, math.ceil(contacts / 1000)))
    else:
        rows.append(("SALESmanago", "product upserts", _sm(counts, "/v3/product/upsert"),
                     math.ceil(sent / 100)))  # fmt: skip
    return rows


def _tagged(log: list[Any]) -> int:
    """Contacts in the orders stream's tag upserts (from the logged bodies)."""
    stream, contacts = "", 0
    for method, url, body in log:
        if method == "stream":
            stream = url
        elif stream == "orders" and url.endswith("/contact/batchupsert"):
            contacts += len(json.loads(body)["upsertDetails"])
    return contacts


def _sm(counts: Count, part: str) -> int:
    return sum(n for (_, p), n in counts.items() if part in p)


def _cpu(run: Any) -> float:
    started = time.process_time()
    run()
    return time.process_time() - started


def _print_requests(counts: dict[str, Count], info: dict[str, Any], size: int) -> None:
    print(f"{'stream':<12}{'side':<13}{'what':<25}{'requests':>9}{'minimum':>9}{'ratio':>7}")
    for stream, found in counts.items():
        for side, what, got, least in _minimum(stream, found, info, size):
            ratio = got / least if least else float("nan")
            print(f"{stream:<12}{side:<13}{what:<25}{got:>9}{least:>9}{ratio:>7.2f}")
        other = {k: v for k, v in found.items() if k[0] != "sent"}
        print(f"{'':<12}all requests: {dict(sorted(other.items()))}")


def requests_only(size: int, mode: ConsentMode) -> None:
    """Requests per stream in another consent mode (the plain script mirrors ``all`` only,
    so CPU is compared there)."""
    servers = Servers(size, mode)
    try:
        print(f"\n== {size} customers, {size} orders, consent mode {mode.value}: requests")
        log: list[Any] = []
        with tempfile.TemporaryDirectory() as tmp:
            counts = run_sdk(servers, Path(tmp) / "state.sqlite", log)
        counts["orders"][("tagged contacts", "orders")] = _tagged(log)
        _print_requests(counts, servers.info, size)
    finally:
        servers.close()


def measure(size: int, repeat: int) -> None:
    servers = Servers(size)
    try:
        print(f"\n== {size} customers, {size} orders, {size // 5} subscribers, "
              f"{size // 10} products (servers in process {servers.process.pid})")  # fmt: skip
        sdk_cpu, plain_cpu, typed_cpu = [], [], []
        counts: dict[str, Count] = {}
        for attempt in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                log: list[Any] = []
                started = time.process_time()
                counts = run_sdk(servers, Path(tmp) / "state.sqlite", log)
                sdk_cpu.append(time.process_time() - started)
            idosell_log = [r for r in log if "/api/admin/" in r[1]]
            counts["orders"][("tagged contacts", "orders")] = _tagged(log)
            plain = Plain(servers.info["settings"], idosell_log, servers.info["full"])
            plain_cpu.append(_cpu(plain.run))
            typed = Plain(servers.info["settings"], idosell_log, servers.info["full"], typed=True)
            typed_cpu.append(_cpu(typed.run))
            streams = ", ".join(
                f"{n} {CPU[('SDK', n)]:.2f}/{CPU[('plain', n)]:.2f}"
                for n in ("customers", "subscribers", "orders", "offer")
            )
            print(
                f"   run {attempt + 1}: SDK {sdk_cpu[-1]:.2f} s CPU, plain {plain_cpu[-1]:.2f} s"
                f" (per stream, SDK/plain: {streams})"
            )
        _print_requests(counts, servers.info, size)
        print(f"client CPU: SDK {min(sdk_cpu):.2f} s, plain requests {min(plain_cpu):.2f} s "
              f"-> {min(sdk_cpu) / min(plain_cpu):.2f}x (best of {repeat})")  # fmt: skip
        print(f"  the plain script also building the public models of its customers and orders"
              f" (types alone): {min(typed_cpu):.2f} s -> {min(typed_cpu) / min(plain_cpu):.2f}x;"
              f" SDK / that: {min(sdk_cpu) / min(typed_cpu):.2f}x")  # fmt: skip
    finally:
        servers.close()


def _status_kb(name: str) -> int:
    """A ``/proc/self/status`` figure in kB (``VmHWM``: this image's peak RSS; unlike
    ``ru_maxrss`` it does not carry the parent's size over a fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_child(size: int) -> None:
    """Child process: one SDK sync against a sandbox process; print the peak RSS."""
    servers = Servers(size)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            before = _status_kb("VmHWM")
            run_sdk(servers, Path(tmp) / "state.sqlite")
            peak = _status_kb("VmHWM")
        print(json.dumps({"size": size, "before_kb": before, "peak_kb": peak}), flush=True)
    finally:
        servers.close()


def memory(sizes: list[int]) -> None:
    peaks: dict[int, int] = {}
    for size in sizes:
        out = subprocess.run(  # noqa: S603 - this very script
            [sys.executable, __file__, "--memory-child", str(size)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        data = json.loads(out.stdout.strip().splitlines()[-1])
        peaks[size] = data["peak_kb"]
        print(f"peak RSS of the SDK process at {size}: {data['peak_kb'] / 1024:.1f} MiB "
              f"(before the sync: {data['before_kb'] / 1024:.1f} MiB)")  # fmt: skip
    if len(sizes) >= 2:
        grown = (peaks[sizes[-1]] - peaks[sizes[0]]) / 1024
        print(f"growth {sizes[0]} -> {sizes[-1]}: {grown:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 50_000])
    parser.add_argument("--memory", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--consent-modes", nargs="*", default=["consented_only"],
        help="also count each stream's requests in these consent modes (no CPU comparison)",
    )  # fmt: skip
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.memory_child:
        memory_child(args.memory_child)
        return
    parser_name = "msgspec (extra speed)" if _json.FAST else "json (standard library)"
    print(f"python {sys.version.split()[0]}, pid {os.getpid()}; the SDK parses answers with "
          f"{parser_name}, the plain script with requests' Response.json()")  # fmt: skip
    for size in args.sizes:
        measure(size, args.repeat)
        for mode in args.consent_modes:
            requests_only(size, ConsentMode(mode))
    if args.memory:
        memory(args.memory)


if __name__ == "__main__":
    main()
