"""A full export of a shop that changes under it, and the order stream's request counts."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections import Counter
from collections.abc import Callable
from typing import Any

from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.orders import CATEGORIES_CACHE
from salesmanago_idosell.sync.state import MemoryStateStore
from salesmanago_idosell.testing import Sandbox
from salesmanago_idosell.testing.faults import Faults
from tests.integration.support import expected_customers, make_integration, sandbox

CLIENTS = "GET /clients/clients"


def _on_page(box: Sandbox, integration: Any, page: int, change: Callable[[], None]) -> None:
    """Run ``change`` once, just after IdoSell answered the ``page``-th customers page read."""
    real = integration.idosell.call
    calls = {"n": 0}

    def call(method: str, target: str, **kwargs: Any) -> Any:
        answer = real(method, target, **kwargs)
        if target == "/clients/clients" and "clientsLastModificationDate" in str(kwargs):
            calls["n"] += 1
            if calls["n"] == page:
                change()
        return answer

    integration.idosell.call = call


def test_export_misses_nobody_while_customers_are_added_and_deleted() -> None:
    with sandbox(customers=95) as box:
        integration = make_integration(
            box, consent_mode=ConsentMode.ALL, page_size=10, contact_batch_size=10
        )
        shop = box.shop
        template = shop.customers[0]

        def churn() -> None:  # after the count and two pages of the export
            with box.idosell.lock:
                # deletions below the pages read shift every later account one place down
                for victim in (shop.customers[5], shop.customers[12], shop.customers[40]):
                    shop.customers.remove(victim)
            for n in range(3):
                box.idosell.add_customer(
                    dataclasses.replace(
                        template,
                        id=10_000 + n,
                        login=f"new{n}",
                        email=f"new.customer{n}@example.com",
                        modified=box.idosell.clock(),
                    )
                )
            box.idosell.update_customer(shop.customers[60].id, city="Gdynia")

        _on_page(box, integration, 3, churn)
        report = integration.export_customers()
        assert report.ok, report.errors
        expected = expected_customers(shop, ConsentMode.ALL)
        assert set(expected) <= set(box.salesmanago.contacts)
        assert {f"new.customer{n}@example.com" for n in range(3)} <= set(expected)
        changed = box.salesmanago.contacts[shop.customers[60].email.lower()]
        assert changed.address.get("city") == "Gdynia"


def test_the_same_churn_read_upwards_by_page_number_skips_customers() -> None:
    """The fault the descending read prevents: page numbers shift under an upward read."""
    with sandbox(customers=95) as box:
        client = make_integration(box).idosell
        shop = box.shop
        pages = client.customers.iter()
        pages = type(pages)(client, pages.gate, pages.params, pages._parse, None, 10)
        seen: set[int] = set()
        for page in pages.iter_pages():
            seen.update(c.id for c in page.items)
            if page.number == 2:
                with box.idosell.lock:
                    del shop.customers[5]
        assert {c.id for c in shop.customers} - seen  # one account was never read


def test_orders_go_in_full_requests_and_categories_are_asked_once() -> None:
    with sandbox(customers=300, orders=700, products=250) as box:
        state = MemoryStateStore()
        integration = make_integration(
            box, state=state, consent_mode=ConsentMode.ALL, event_batch_size=300
        )
        report = integration.sync_orders()
        assert report.ok, report.errors
        distinct = {line.product_id for o in box.shop.orders for line in o.lines}
        lookups = box.idosell.count("POST /products/products/search")
        assert lookups == math.ceil(len(distinct) / 100)
        sent = report.stream("orders").sent
        assert box.salesmanago.count("POST /api/v2/contact/addBatchContactExtEvent") == math.ceil(
            sent / 300
        )
        assert len(state.cached(CATEGORIES_CACHE, map(str, distinct), max_age=60)) == len(distinct)
        # a later run asks IdoSell for no category it already knows
        box.idosell.add_order(box.shop.customers[0].id, [(sorted(distinct)[0], 1)])
        make_integration(box, state=state, consent_mode=ConsentMode.ALL).sync_orders()
        assert box.idosell.count("POST /products/products/search") == lookups


def _tags(box: Sandbox) -> dict[str, set[str]]:
    return {email: set(c.tags) for email, c in box.salesmanago.contacts.items()}


def test_a_kill_while_tags_wait_loses_no_tag() -> None:
    options: dict[str, Any] = {"consent_mode": ConsentMode.ALL, "event_batch_size": 10}
    with sandbox(orders=40) as clean:
        make_integration(clean, **options).sync_orders()
        expected = _tags(clean)
    with sandbox(orders=40) as box:
        state = MemoryStateStore()
        first = make_integration(box, state=state, **options)
        real = first.salesmanago.events.batch_add
        calls = {"n": 0}

        def killed(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                raise SystemExit("killed")
            return real(*args, **kwargs)

        first.salesmanago.events.batch_add = killed  # type: ignore[method-assign]
        with contextlib.suppress(SystemExit):
            first.sync_orders()
        assert box.salesmanago.count("POST /api/contact/batchupsert") == 0  # tags were waiting
        make_integration(box, state=state, **options).sync_orders()
        assert _tags(box) == expected


def test_tags_refused_at_the_end_are_sent_by_the_next_run() -> None:
    options: dict[str, Any] = {"consent_mode": ConsentMode.ALL, "event_batch_size": 10}
    with sandbox(orders=40) as clean:
        make_integration(clean, **options).sync_orders()
        expected = _tags(clean)
    with sandbox(orders=40) as box:
        state = MemoryStateStore()
        upserts = "POST /api/contact/batchupsert"
        box.salesmanago.set_faults(Faults(error_rate=1.0, error_statuses=(503,)), endpoint=upserts)
        first = make_integration(box, state=state, **options).sync_orders()
        assert not first.ok
        assert any("category tags" in error for error in first.errors)
        assert box.salesmanago.events  # the earlier batches' events went
        box.salesmanago.set_faults(None, endpoint=upserts)
        second = make_integration(box, state=state, **options).sync_orders()
        assert second.ok, second.errors
        assert _tags(box) == expected
        assert (
            max(Counter(e.fields["externalId"] for e in box.salesmanago.events.values()).values())
            == 1
        )


def test_accounts_without_a_modification_date_are_exported_too() -> None:
    with sandbox(customers=45) as box:
        undated = box.shop.customers[7]
        undated.modified = None  # type: ignore[assignment]  # no date: outside every window
        integration = make_integration(
            box, consent_mode=ConsentMode.ALL, page_size=10, contact_batch_size=10
        )
        report = integration.export_customers()
        assert report.ok, report.errors
        expected = expected_customers(box.shop, ConsentMode.ALL)
        assert undated.email.strip().lower() in expected
        assert set(expected) <= set(box.salesmanago.contacts)


def test_a_lookup_short_of_a_full_request_does_not_hold_the_checkpoint_to_the_end() -> None:
    # 120 products: after one full lookup of 100, the other ~20 get no company to fill a
    # request; their buyers' tags (sent 1 000 contacts at a time), and the checkpoint held
    # back for them, must not wait for the end of a long run (a kill would read it again)
    with sandbox(customers=2500, orders=5000, products=120) as box:
        state = MemoryStateStore()
        checkpoints: list[str | None] = []
        real = state.checkpoint

        def checkpoint(stream: str, cursor: str | None, **kwargs: Any) -> None:
            if stream == "orders":
                checkpoints.append(cursor)
            real(stream, cursor, **kwargs)

        state.checkpoint = checkpoint  # type: ignore[method-assign]
        integration = make_integration(
            box, state=state, consent_mode=ConsentMode.ALL, event_batch_size=250
        )
        report = integration.sync_orders()
        assert report.ok, report.errors
        batches = math.ceil(report.stream("orders").sent / 250)
        assert len(checkpoints) >= batches // 3  # the checkpoint moves during the run
        distinct = {line.product_id for o in box.shop.orders for line in o.lines}
        lookups = box.idosell.count("POST /products/products/search")
        assert lookups <= math.ceil(len(distinct) / 100) + batches // 10
        assert _tags(box)  # the tags arrived
