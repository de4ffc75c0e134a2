"""Sandbox, the pytest fixtures and the docs example."""

from __future__ import annotations

from pathlib import Path

import pytest

from salesmanago_idosell.testing import FakeIdoSell, FakeSalesmanago, Sandbox

from .support import ido_get, sm_call


def test_sandbox_starts_both_fakes_on_one_shop(tmp_path: Path) -> None:
    with Sandbox(seed=3, customers=12, subscribers=3, orders=6, products=4) as box:
        assert box.idosell.shop is box.shop
        body = ido_get(box.idosell, "/clients/clients").json()
        assert body["resultsNumberAll"] == 12
        email = box.shop.customers[0].email
        answer = sm_call(box.salesmanago, "/api/contact/hasContact", {"email": email})
        assert answer["result"] is False
        full, categories = box.write_feeds(tmp_path)
        assert full.exists()
        assert categories.exists()
    assert not box.idosell.running
    assert not box.salesmanago.running


def test_sandbox_passes_faults_to_each_server() -> None:
    from salesmanago_idosell.testing import Faults

    with Sandbox(seed=1, customers=2, orders=1, products=1,
                 idosell_faults=Faults(error_rate=1.0)) as box:  # fmt: skip
        assert ido_get(box.idosell, "/clients/clients").status_code >= 500
        assert sm_call(box.salesmanago, "/api/contact/hasContact", {"email": "a@wp.pl"})["success"]


def test_fixtures(
    sandbox: Sandbox, fake_idosell: FakeIdoSell, fake_salesmanago: FakeSalesmanago
) -> None:
    assert sandbox.idosell.running
    assert fake_idosell.running
    assert fake_salesmanago.running
    assert len(sandbox.shop.customers) == 30


@pytest.mark.sandbox_seed(42)
def test_seed_marker(sandbox: Sandbox) -> None:
    assert sandbox.seed == 42


def test_docs_example_runs(tmp_path: Path) -> None:
    text = (Path(__file__).parents[2] / "docs" / "sandbox.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/sandbox.md", "exec"), namespace)  # noqa: S102 - our own docs
    assert namespace["purchases"] == namespace["expected"]
