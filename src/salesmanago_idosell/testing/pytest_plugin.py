"""Pytest fixtures for testing integration code offline: ``sandbox``, ``fake_idosell``,
``fake_salesmanago``.

Enable them in your ``conftest.py``::

    pytest_plugins = ["salesmanago_idosell.testing.pytest_plugin"]

Each fixture starts real servers on 127.0.0.1 for one test and stops them afterwards.
Use the ``sandbox_seed`` marker (``@pytest.mark.sandbox_seed(7)``) to pick the seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .idosell import FakeIdoSell
from .salesmanago import FakeSalesmanago
from .sandbox import Sandbox

__all__ = ["fake_idosell", "fake_salesmanago", "sandbox"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``sandbox_seed`` marker."""
    config.addinivalue_line("markers", "sandbox_seed(seed): seed of the sandbox fixtures")


def _seed(request: pytest.FixtureRequest) -> int:
    marker = request.node.get_closest_marker("sandbox_seed")
    return int(marker.args[0]) if marker and marker.args else 0


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Both fakes around a small generated shop (30 customers, 20 orders)."""
    with Sandbox(_seed(request), customers=30, subscribers=10, orders=20, products=15) as box:
        yield box


@pytest.fixture
def fake_idosell(request: pytest.FixtureRequest) -> Iterator[FakeIdoSell]:
    """A running fake IdoSell with a generated shop."""
    with FakeIdoSell(seed=_seed(request)) as fake:
        yield fake


@pytest.fixture
def fake_salesmanago(request: pytest.FixtureRequest) -> Iterator[FakeSalesmanago]:
    """A running, empty fake SALESmanago."""
    with FakeSalesmanago(seed=_seed(request)) as fake:
        yield fake
