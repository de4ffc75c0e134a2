"""Progress callbacks and tqdm bars."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import ClassVar

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.sync.progress import TqdmProgress, resolve_progress
from tests.integration.support import make_integration, sandbox


class FakeBar:
    """Records what a tqdm bar is told."""

    instances: ClassVar[list[FakeBar]] = []

    def __init__(self, *, desc: str, total: int | None, unit: str) -> None:
        self.desc, self.total, self.n, self.closed = desc, total, 0, False
        FakeBar.instances.append(self)

    def update(self, step: int) -> None:
        self.n += step

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> list[FakeBar]:
    module = ModuleType("tqdm.auto")  # notebook widgets or terminal bars, as fits
    module.tqdm = FakeBar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)
    FakeBar.instances = []
    return FakeBar.instances


def test_callback_gets_every_page() -> None:
    calls: list[tuple[str, int, int | None]] = []
    with sandbox(customers=25) as box:
        integration = make_integration(box, page_size=10)
        integration.export_customers(progress=lambda *call: calls.append(call))
    # the full export reads pages downwards: the last (partial) page first
    assert calls == [("customers", 5, 25), ("customers", 15, 25), ("customers", 25, 25)]


def test_progress_true_draws_and_closes_a_bar_per_stream(fake_tqdm: list[FakeBar]) -> None:
    with sandbox(customers=25, orders=12) as box:
        integration = make_integration(box, page_size=10)
        integration.export_customers(progress=True)
        integration.sync_orders(progress=True)
    assert [(b.desc, b.n, b.total, b.closed) for b in fake_tqdm] == [
        ("customers", 25, 25, True),
        ("orders", 12, 12, True),
    ]


def test_progress_true_without_tqdm_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)  # importing it now raises ImportError
    with pytest.raises(ValidationError, match=r"salesmanago-idosell\[progress\]"):
        TqdmProgress()


def test_resolve_progress() -> None:
    def callback(stream: str, done: int, total: int | None) -> None:
        return None

    assert resolve_progress(None) is None
    assert resolve_progress(False) is None
    assert resolve_progress(callback) is callback
