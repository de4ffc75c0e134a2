"""``salesmanago-idosell demo``: the whole integration on the built-in sandbox.

Starts the fake IdoSell (a generated Polish shop) and the fake SALESmanago on loopback, runs
every sync against them (customers, subscribers, orders, the IOF offer), prints the reports,
installs the monitoring code through the snippets gates and shows it in the shop's pages
list, then checks what the fake SALESmanago holds against the generated shop and says so.
"""

from __future__ import annotations

import gc
import tempfile
from collections import Counter
from pathlib import Path
from typing import TextIO

from attrs import frozen

from ._validation import email_problem
from .config import IntegrationConfig
from .integration import Integration
from .mapping import NON_PURCHASE_STATUSES, ConsentMode
from .sync.report import SyncReport
from .testing import Sandbox
from .testing.shop import Shop

__all__ = ["DemoResult", "expected_contacts", "expected_purchases", "run_demo", "verify"]


@frozen
class DemoResult:
    """What the demo did: its reports and the mismatches it found (none when all is well)."""

    reports: tuple[SyncReport, ...]
    mismatches: tuple[str, ...]
    requests: Counter[str]

    @property
    def ok(self) -> bool:
        """True when SALESmanago holds exactly what the shop should give it."""
        return not self.mismatches


def _valid(email: str) -> bool:
    return email_problem(email.strip()) is None


def expected_contacts(shop: Shop, mode: ConsentMode) -> dict[str, str]:
    """E-mail (lower case) -> expected tag, for every contact the shop should produce."""
    everyone = mode is ConsentMode.ALL
    found = {
        s.email.strip().lower(): "newsletter"
        for s in shop.subscribers
        if _valid(s.email) and (everyone or s.approved)
    }
    found.update(
        {
            c.email.strip().lower(): "rejestracja"
            for c in shop.customers
            if _valid(c.email) and (everyone or c.newsletter_since is not None)
        }
    )
    return found


def expected_purchases(shop: Shop, mode: ConsentMode) -> set[str]:
    """Serial numbers of the orders that must arrive as PURCHASE events."""
    passed = {
        c.id
        for c in shop.customers
        if _valid(c.email) and (mode is ConsentMode.ALL or c.newsletter_since is not None)
    }
    return {
        str(o.serial)
        for o in shop.orders
        if o.status not in NON_PURCHASE_STATUSES and o.client_id in passed
    }


def verify(box: Sandbox, mode: ConsentMode) -> list[str]:
    """Mismatches between the fake SALESmanago and the generated shop."""
    problems: list[str] = []
    expected = expected_contacts(box.shop, mode)
    stored = box.salesmanago.contacts
    missing, extra = set(expected) - set(stored), set(stored) - set(expected)
    if missing or extra:
        problems.append(f"contacts: {len(missing)} missing, {len(extra)} unexpected")
    wrong_tags = [e for e, tag in expected.items() if e in stored and tag not in stored[e].tags]
    if wrong_tags:
        problems.append(f"{len(wrong_tags)} contacts without their tag, e.g. {wrong_tags[0]}")
    events = Counter(str(e.fields.get("externalId")) for e in box.salesmanago.events.values())
    if set(events) != expected_purchases(box.shop, mode):
        problems.append("PURCHASE events do not match the shop's orders")
    if events and max(events.values()) > 1:
        problems.append("an order was sent twice")
    stored_products = {p for c in box.salesmanago.catalogs.values() for p in c.products}
    if stored_products != {str(p.id) for p in box.shop.products}:
        problems.append("the product catalog does not match the shop's offer")
    return problems


def pages_line(box: Sandbox, code: str) -> tuple[str, list[str]]:
    """The shop's pages list as the demo shows it, and the problems with the monitoring code."""
    shown = box.idosell.snippets.shown_on("home")
    problems = []
    ours = [s for s in shown if any(b["body"] == code for b in s["body"])]
    if len(ours) != 1:
        problems.append("the monitoring code is not on the shop's pages exactly once")
    names = ", ".join(f"{s['name']!r} ({s['zone']})" for s in shown) or "nothing"
    return f"shop pages (home, desktop) show: {names}", problems


def demo_config(box: Sandbox, mode: ConsentMode) -> IntegrationConfig:
    """The configuration of the demo: both fakes, a quick but still limited IdoSell rate."""
    sm, shop = box.salesmanago, box.idosell
    return IntegrationConfig(
        salesmanago_client_id=sm.client_id,
        salesmanago_api_secret=sm.api_secret,
        salesmanago_owner=sm.owner,
        salesmanago_endpoint=sm.url,
        salesmanago_api_v3_key=sm.api_v3_key,
        salesmanago_v3_endpoint=sm.url,
        idosell_shop_url=shop.url,
        idosell_api_key=shop.api_key,
        consent_mode=mode,
        location="demo_shop",
        idosell_rate_limit=200,
    )


def run_demo(
    *,
    customers: int = 200,
    subscribers: int = 50,
    orders: int = 300,
    products: int = 60,
    seed: int = 1,
    consent_mode: ConsentMode = ConsentMode.ALL,
    out: TextIO | None = None,
) -> DemoResult:
    """Run every sync on a fresh sandbox, print the reports and check the result."""
    sandbox = Sandbox(
        seed, customers=customers, subscribers=subscribers, orders=orders, products=products
    )
    # The generated shop lives as long as the demo: moved out of the collector's sight, it is
    # not scanned again at every full collection (which made a big demo grow faster than
    # its data).
    gc.freeze()
    try:
        return _run(sandbox, consent_mode, out)
    finally:
        gc.unfreeze()


def _run(sandbox: Sandbox, consent_mode: ConsentMode, out: TextIO | None) -> DemoResult:
    with sandbox as box, tempfile.TemporaryDirectory() as tmp:
        config = demo_config(box, consent_mode)
        full, categories = box.write_feeds(tmp)
        with Integration(config, state=Path(tmp) / "state.sqlite") as integration:
            reports = (
                integration.export_customers(),
                integration.export_subscribers(),
                integration.sync_orders(),
                integration.sync_offer(full, categories=categories),
            )
            installed = integration.install_monitoring_code()
            code = integration.monitoring_code()
        for report in reports:
            print(report, file=out)
        line, problems = pages_line(box, code)
        print(f"monitoring code: {len(installed.calls)} snippets calls; {line}", file=out)
        mismatches = verify(box, consent_mode) + problems
        requests = Counter({"idosell": len(box.idosell.requests),
                            "salesmanago": len(box.salesmanago.requests)})  # fmt: skip
    return DemoResult(reports=reports, mismatches=tuple(mismatches), requests=requests)
