"""The doc-example runner: every ``python``/``py`` block of README.md and docs/*.md, run.

Each page runs in a namespace of its own, block after block as a reader would paste them,
in a temporary directory holding the shop's IOF feeds (``full.xml``, ``full.xml.gz``,
``categories.xml``), against a :class:`DocsWorld`: the sandbox started with the docs'
placeholder accounts (``client_id="abc123"``, ``api_secret="..."``, ``api_key="..."``),
the environment variables of ``Integration.from_env`` set, and the placeholder hosts
(``app2.salesmanago.pl``, ``api.salesmanago.com``, ``sklep.example.pl``) routed to the
sandbox on loopback — except on ``docs/sandbox.md``, whose examples must reach the sandbox
by themselves. The test suite's network guard fails any example that tries to leave
loopback.

To add or change examples: just edit the Markdown. A block that cannot run in a test puts
``<!-- example: skip REASON -->`` on the line before its fence. Names a page uses without
defining them (``sm``, ``shop``, ``contact``, ...) come from :meth:`DocsWorld.names`; add one
there when a new fragment needs it.
"""

from __future__ import annotations

import doctest
import gzip
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from salesmanago_idosell import IdosellClient, SalesmanagoClient
from salesmanago_idosell.salesmanago import CatalogProduct, ContactUpsert
from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago
from salesmanago_idosell.testing.generator import generate_shop
from salesmanago_idosell.testing.iof_writer import write_feeds

ROOT = Path(__file__).parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Pages whose examples must find the sandbox themselves (no routing of real hosts).
UNROUTED = {"docs/sandbox.md"}
_FENCE = re.compile(r"^(?P<skip><!-- example: skip (?P<why>[^>]+?) -->\n)?```(?:python|py)\n"
                    r"(?P<code>.*?)^```", re.MULTILINE | re.DOTALL)  # fmt: skip

# The docs' placeholder account, accepted by the sandbox.
SM_CLIENT_ID = "abc123"
SM_SECRET = "..."
SM_OWNER = "owner@shop.pl"
SM_V3_KEY = "..."
IDOSELL_KEY = "..."
ROUTED_HOSTS = ("https://app2.salesmanago.pl", "https://api.salesmanago.com",
                "https://sklep.example.pl")  # fmt: skip


@dataclass(frozen=True)
class Example:
    """One fenced block of a page."""

    page: str
    line: int
    code: str
    skip: str | None

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"


def examples(page: Path) -> list[Example]:
    """The page's ``python``/``py`` blocks, in order."""
    text = page.read_text(encoding="utf-8")
    name = page.relative_to(ROOT).as_posix()
    return [
        Example(name, text.count("\n", 0, m.start("code")) + 1, m.group("code"), m.group("why"))
        for m in _FENCE.finditer(text)
    ]


class DocsWorld:
    """The sandbox behind the docs' placeholder accounts."""

    def __init__(self, directory: Path) -> None:
        self.shop = generate_shop(21, customers=30, subscribers=10, orders=25, products=12)
        jan = self.shop.customers[0]  # the docs' Jan Kowalski
        jan.login, jan.email = "jkowalski", "jan.kowalski@example.pl"
        self.idosell = FakeIdoSell(self.shop, api_key=IDOSELL_KEY, seed=21)
        self.salesmanago = FakeSalesmanago(
            client_id=SM_CLIENT_ID, api_secret=SM_SECRET, owner=SM_OWNER, api_v3_key=SM_V3_KEY
        )
        self.directory = directory

    def start(self) -> None:
        self.idosell.start()
        self.salesmanago.start()
        full, _ = write_feeds(self.shop, self.directory)
        (self.directory / "full.xml.gz").write_bytes(gzip.compress(full.read_bytes()))

    def stop(self) -> None:
        self.salesmanago.stop()
        self.idosell.stop()

    def environment(self) -> dict[str, str]:
        """What ``Integration.from_env`` reads."""
        sm = self.salesmanago
        return {
            "SALESMANAGO_CLIENT_ID": sm.client_id,
            "SALESMANAGO_API_SECRET": sm.api_secret,
            "SALESMANAGO_OWNER": sm.owner,
            "SALESMANAGO_ENDPOINT": sm.url,
            "SALESMANAGO_API_V3_KEY": sm.api_v3_key,
            "SALESMANAGO_V3_ENDPOINT": sm.url,
            "IDOSELL_SHOP_URL": self.idosell.url,
            "IDOSELL_API_KEY": self.idosell.api_key,
            "SMIDO_OPT_OUT_TOKEN": "k7-Secret",
            "SMIDO_IDOSELL_RATE_LIMIT": "1000",
        }

    def route(self, url: str) -> str:
        """A placeholder host's URL rewritten to the sandbox."""
        for host in ROUTED_HOSTS:
            if url.startswith(host):
                target = self.idosell.url if "sklep" in host else self.salesmanago.url
                return target + url[len(host) :]
        return url

    def names(self, routed: bool) -> dict[str, Any]:
        """Names the pages' fragments use without defining them."""
        customer = next(c for c in self.shop.customers if "@" in c.email and " " not in c.email)
        shop = IdosellClient(shop_url=self.idosell.url, api_key=IDOSELL_KEY, rate_limit=None)
        names: dict[str, Any] = {
            "__name__": "__doc_example__",
            "sandbox": _SandboxView(self),
            "contacts": [ContactUpsert(email=f"klient{n}@example.pl") for n in range(3)],
            "contact": ContactUpsert(email="jan.kowalski@example.pl"),
            "products": [CatalogProduct(product_id=str(p.id)) for p in self.shop.products[:3]],
            "customer": next(iter(shop.customers.iter(ids=[customer.id]))),
            "request": _Request(cookies={}),  # a first-time visitor: no smclient cookie
            "response": _Response(),
        }
        if routed:
            names["sm"] = SalesmanagoClient(client_id=SM_CLIENT_ID, api_secret=SM_SECRET,
                                            owner=SM_OWNER, endpoint="app2.salesmanago.pl",
                                            api_v3_key=SM_V3_KEY)  # fmt: skip
            names["shop"] = shop
        return names


@dataclass
class _SandboxView:
    """What the sandbox page calls ``sandbox``: both fakes, running."""

    world: DocsWorld

    @property
    def idosell(self) -> FakeIdoSell:
        return self.world.idosell

    @property
    def salesmanago(self) -> FakeSalesmanago:
        return self.world.salesmanago

    @property
    def shop(self) -> Any:
        return self.world.shop


@dataclass
class _Request:
    """The web framework's request, as far as the live-events example reads it."""

    cookies: dict[str, str]


class _Headers(list[tuple[str, str]]):
    def add(self, name: str, value: str) -> None:
        self.append((name, value))


class _Response:
    def __init__(self) -> None:
        self.headers = _Headers()


@contextmanager
def routed_requests(world: DocsWorld) -> Iterator[None]:
    """Send requests for the docs' placeholder hosts to the sandbox."""
    original = requests.Session.request

    def request(self: requests.Session, method: str, url: str, *args: Any, **kw: Any) -> Any:
        return original(self, method, world.route(str(url)), *args, **kw)

    requests.Session.request = request  # type: ignore[assignment,method-assign]
    try:
        yield
    finally:
        requests.Session.request = original  # type: ignore[method-assign]


def run_page(page: Path, world: DocsWorld) -> list[Example]:
    """Run the page's blocks in order; returns the ones skipped (with their reasons)."""
    name = page.relative_to(ROOT).as_posix()
    routed = name not in UNROUTED
    namespace = world.names(routed)
    skipped = []
    cwd = Path.cwd()
    os.chdir(world.directory)
    try:
        with routed_requests(world) if routed else _nothing():
            for example in examples(page):
                if example.skip:
                    skipped.append(example)
                    continue
                if example.code.lstrip().startswith(">>>"):
                    _doctest(example, namespace)
                else:
                    code = compile("\n" * (example.line - 1) + example.code, name, "exec")
                    exec(code, namespace)  # noqa: S102 - our own documentation
    finally:
        os.chdir(cwd)
        for value in namespace.values():
            if isinstance(value, IdosellClient | SalesmanagoClient):
                value.close()
    return skipped


def _doctest(example: Example, namespace: dict[str, Any]) -> None:
    """A ``>>>`` block: each output must match what is printed."""
    test = doctest.DocTestParser().get_doctest(
        example.code, namespace, example.name, example.page, example.line
    )
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append, clear_globs=False)
    if runner.failures:
        raise AssertionError(f"{example.name}:\n" + "".join(report))


@contextmanager
def _nothing() -> Iterator[None]:
    yield
