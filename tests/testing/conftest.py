"""Fixtures for the sandbox tests: small running fakes, stopped after each test."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago, generate_shop
from salesmanago_idosell.testing.pytest_plugin import (  # noqa: F401 - the plugin's fixtures
    fake_idosell,
    fake_salesmanago,
    pytest_configure,
    sandbox,
)


@pytest.fixture(autouse=True)
def _no_leaked_threads() -> Iterator[None]:
    """Every server a test starts must be stopped, with all its threads, by the test's end."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    for thread in leaked:
        thread.join(2)
    assert [t.name for t in leaked if t.is_alive()] == []


@pytest.fixture
def idosell() -> Iterator[FakeIdoSell]:
    """A fake IdoSell with a 25-customer shop."""
    shop = generate_shop(11, customers=25, subscribers=8, orders=30, products=12)
    with FakeIdoSell(shop, seed=11) as fake:
        yield fake


@pytest.fixture
def sm() -> Iterator[FakeSalesmanago]:
    """An empty fake SALESmanago."""
    with FakeSalesmanago(seed=5) as fake:
        yield fake
