"""Throttling with an injected clock, server-load back-off, and runs through faults."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

import pytest

from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.report import SyncReport
from salesmanago_idosell.sync.state import MemoryStateStore
from salesmanago_idosell.testing import Faults
from tests.helpers import FakeClock
from tests.integration.support import expected_customers, make_integration, purchases, sandbox


def test_idosell_requests_are_spaced_by_the_rate_limit() -> None:
    with sandbox(customers=50) as box:
        clock = FakeClock()
        integration = make_integration(box, clock=clock, idosell_rate_limit=2, page_size=10)
        integration.export_customers()
        requests = len(box.idosell.requests)
        assert requests >= 5
        spacing = [s for s in clock.sleeps if s == 0.5]
        assert len(spacing) == requests - 1
        # no two IdoSell requests started within half a second of fake time
        assert clock.now - 1000.0 >= 0.5 * (requests - 1)


def test_overloaded_server_makes_the_export_wait() -> None:
    with sandbox(customers=30) as box:
        clock = FakeClock()
        checks = itertools.count()

        def sleep(seconds: float) -> None:
            clock.sleep(seconds)
            if seconds == 45.0 and next(checks) >= 2:
                box.idosell.server_load = "normal"

        box.idosell.server_load = "overloaded"
        integration = make_integration(
            box, clock=clock, sleep=sleep, page_size=10, load_check_pages=1, overload_backoff=45
        )
        report = integration.export_customers()
        assert clock.sleeps.count(45.0) == 3
        assert box.idosell.count("GET /system/serverLoad") >= 4
        assert report.ok


def run_until_ok(run: Callable[[], SyncReport], attempts: int = 6) -> list[SyncReport]:
    """Re-run a sync like a scheduler would, until a run is clean."""
    reports: list[SyncReport] = []
    for _ in range(attempts):
        report = run()
        reports.append(report)
        if report.ok:
            break
    return reports


@pytest.mark.parametrize("seed", [5, 8, 13, 21])
def test_runs_complete_through_faults_on_every_endpoint(seed: int) -> None:
    faults = Faults(error_rate=0.05, throttle_rate=0.03, drop_rate=0.02, retry_after=2)
    with sandbox(seed=seed, idosell_faults=faults, salesmanago_faults=faults, orders=60) as box:
        state = MemoryStateStore()
        clock = FakeClock()

        def integration() -> Integration:
            return make_integration(
                box, state=state, clock=clock, consent_mode=ConsentMode.ALL,
                page_size=10, contact_batch_size=10, event_batch_size=5,
            )  # fmt: skip

        customers = run_until_ok(lambda: integration().export_customers())
        orders = run_until_ok(lambda: integration().sync_orders())
        assert customers[-1].ok
        assert set(box.salesmanago.contacts) == set(expected_customers(box.shop, ConsentMode.ALL))
        counts = Counter(str(e.fields["externalId"]) for e in box.salesmanago.events.values())
        assert max(counts.values()) == 1  # never twice, whatever failed
        uncertain = {
            p.record.removeprefix("order ")
            for r in orders
            for p in r.problems
            if p.kind == "uncertain"
        }
        # every purchase arrived, or is reported as possibly lost / possibly sent
        assert set(purchases(box.shop)) <= set(counts) | uncertain
        faulted = [r for r in box.salesmanago.requests + box.idosell.requests if r.fault]
        assert faulted, "the faults were injected"
