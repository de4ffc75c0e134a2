"""Building an Integration around a Sandbox, and computing what SALESmanago should hold."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from salesmanago_idosell._validation import email_problem
from salesmanago_idosell.config import IntegrationConfig
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import NON_PURCHASE_STATUSES, ConsentMode
from salesmanago_idosell.sync.state import StateStore
from salesmanago_idosell.testing import Sandbox
from salesmanago_idosell.testing.faults import FaultSpec
from salesmanago_idosell.testing.shop import Customer, Order, Shop
from tests.helpers import FakeClock


def config_for(sandbox: Sandbox, **options: Any) -> IntegrationConfig:
    """The configuration pointing at both fakes."""
    settings = sandbox.settings(
        location="sandbox_shop",
        opt_out_token="s3cr3t-t0ken",
        # the sandbox answers synchronously: nothing is left in flight to wait for
        reconcile_settle=0,
    )
    settings.update(options)
    return IntegrationConfig(**settings)


def make_integration(
    sandbox: Sandbox,
    *,
    state: StateStore | None = None,
    clock: FakeClock | None = None,
    sleep: Callable[[float], None] | None = None,
    **options: Any,
) -> Integration:
    """An Integration on the sandbox whose sleeping and clock are instant."""
    clock = clock or FakeClock()
    config = config_for(sandbox, **options)
    return Integration(config, state=state, sleep=sleep or clock.sleep, clock=clock)


@contextmanager
def sandbox(
    seed: int = 11,
    *,
    idosell_faults: FaultSpec = None,
    salesmanago_faults: FaultSpec = None,
    **size: int,
) -> Iterator[Sandbox]:
    """A started sandbox (stopped on exit)."""
    sizes = {"customers": 60, "subscribers": 15, "orders": 50, "products": 20, **size}
    with Sandbox(
        seed, idosell_faults=idosell_faults, salesmanago_faults=salesmanago_faults, **sizes
    ) as box:
        yield box


def consented(customer: Customer) -> bool:
    """Whether the generated customer agreed to the newsletter."""
    return customer.newsletter_since is not None


def valid(email: str) -> bool:
    """Whether the SDK considers the e-mail sendable."""
    return email_problem(email.strip()) is None


def expected_customers(shop: Shop, mode: ConsentMode) -> dict[str, Customer]:
    """E-mail (lower case) -> customer, for every customer that must reach SALESmanago."""
    return {
        c.email.strip().lower(): c
        for c in shop.customers
        if valid(c.email) and (mode is ConsentMode.ALL or consented(c))
    }


def purchases(shop: Shop) -> dict[str, Order]:
    """Serial -> order, for every order that must arrive as a PURCHASE event."""
    emails = {c.id: c.email for c in shop.customers}
    return {
        str(o.serial): o
        for o in shop.orders
        if o.status not in NON_PURCHASE_STATUSES and valid(emails.get(o.client_id, ""))
    }


def order_total(order: Order) -> Decimal:
    """What the event's value must be."""
    return order.products_cost + order.delivery_cost


def category_path(shop: Shop, category_id: int) -> list[str]:
    """Names from the top level down to the category."""
    by_id = {c.id: c for c in shop.categories}
    names: list[str] = []
    current: int | None = category_id
    while current is not None and current in by_id:
        names.append(by_id[current].name)
        current = by_id[current].parent_id
    return list(reversed(names))
