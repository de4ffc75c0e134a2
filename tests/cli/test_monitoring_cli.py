"""``salesmanago-idosell monitoring install|status|uninstall`` against the sandbox."""

from __future__ import annotations

import io

import pytest

from salesmanago_idosell.cli import main
from salesmanago_idosell.testing import Sandbox


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_monitoring_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(5, customers=3, orders=2, products=2) as box:
        shop = box.idosell
        for name, value in box.environment().items():
            monkeypatch.setenv(name, value)
        assert run(["monitoring", "status"]) == (1, "monitoring code: not installed\n")
        code, text = run(["monitoring", "install", "--dry-run"])
        assert code == 0
        assert text.startswith("would make 4 changes")
        assert shop.snippets.campaigns == {}
        code, text = run(["monitoring", "install"])
        assert code == 0
        assert text.startswith("made 4 changes")
        code, text = run(["monitoring", "status"])
        assert code == 0
        assert text.rstrip().endswith("up to date")
        assert run(["monitoring", "install"]) == (0, "nothing to change\n")
        code, text = run(["monitoring", "uninstall"])
        assert code == 0
        assert text.count("DELETE") == 3
        assert shop.snippets.shown_on("home") == []


def test_monitoring_without_configuration_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SALESMANAGO_CLIENT_ID", raising=False)
    code, _ = run(["monitoring", "status"])
    assert code == 2
    assert "SALESMANAGO_CLIENT_ID" in capsys.readouterr().err
