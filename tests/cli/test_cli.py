"""The command line: demo, sync configuration errors, feed inspect, URLs, snippet."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell.cli import main

FULL_XML = Path(__file__).parents[1] / "feeds" / "fixtures" / "full.xml"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


def test_demo_exits_zero_and_prints_the_reports() -> None:
    code, text = run(["demo", "--customers", "40", "--orders", "30", "--seed", "3"])
    assert code == 0
    assert "customers: read 40" in text
    assert "orders: read 30" in text
    assert "demo OK" in text


def test_demo_in_consented_only_mode() -> None:
    code, text = run(["demo", "--customers", "30", "--orders", "10", "--consent", "consented_only"])
    assert code == 0
    assert "without e-mail consent" in text


def test_sync_without_configuration_names_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for name in ("SALESMANAGO_CLIENT_ID", "IDOSELL_SHOP_URL", "IDOSELL_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    code, _ = run(["sync", "customers", "--state", str(tmp_path / "s.sqlite")])
    assert code == 2
    assert "SALESMANAGO_CLIENT_ID is not set" in capsys.readouterr().err


def test_feed_inspect() -> None:
    code, text = run(["feed", "inspect", str(FULL_XML), "--first", "2"])
    assert code == 0
    assert text.startswith("2 products in") or " products in " in text.splitlines()[0]
    assert text.count("  #") <= 2


def test_callback_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMIDO_OPT_OUT_TOKEN", "tok-123")
    code, text = run(["callback-urls", "https://sklep.example.pl"])
    assert code == 0
    assert "opt_in: https://sklep.example.pl/salesmanago/opt-in?email=$email$&token=tok-123" in text
    assert "/salesmanago/opt-out?email=$email$&token=tok-123" in text


def test_monitoring_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESMANAGO_CLIENT_ID", "abc123")
    monkeypatch.setenv("SALESMANAGO_ENDPOINT", "app2.salesmanago.pl")
    code, text = run(["monitoring-code"])
    assert code == 0
    assert 'var _smid = "abc123";' in text


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "salesmanago_idosell", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("salesmanago-idosell ")


def test_sync_offer_needs_a_feed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _ = run(["sync", "offer", "--state", str(tmp_path / "s.sqlite")])
    assert code == 2
    assert "--feed" in capsys.readouterr().err


def test_sync_against_the_sandbox_from_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from salesmanago_idosell.testing import Sandbox

    with Sandbox(4, customers=20, orders=10, products=10) as box:
        sm, shop = box.salesmanago, box.idosell
        env = box.environment(SMIDO_CONSENT_MODE="all", SMIDO_IDOSELL_RATE_LIMIT="1000")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        state = str(tmp_path / "state.sqlite")
        code, text = run(["sync", "customers", "--dry-run", "--state", state])
        assert code == 0
        assert "dry run" in text
        assert sm.contacts == {}
        code, text = run(["sync", "customers", "--state", state])
        assert code == 0
        assert len(sm.contacts) > 0
        code, text = run(["sync", "offer", "--feed", shop.full_xml_url, "--state", state])
        assert code == 0
        assert "offer: read 10, sent 10" in text


def _sandbox_env(monkeypatch: pytest.MonkeyPatch, box: Any) -> None:
    env = box.environment(
        SMIDO_CONSENT_MODE="all",
        SMIDO_IDOSELL_RATE_LIMIT="1000",
        SMIDO_RECONCILE_SETTLE="0",  # the sandbox answers synchronously
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_sync_refused_while_another_run_holds_the_lease(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from salesmanago_idosell.integration import Integration
    from salesmanago_idosell.sync.delivery import LeaseHolder
    from salesmanago_idosell.sync.state import SQLiteStateStore
    from salesmanago_idosell.testing import Sandbox

    with Sandbox(4, customers=20, orders=10, products=10) as box:
        _sandbox_env(monkeypatch, box)
        path = tmp_path / "state.sqlite"
        holder = LeaseHolder.current()
        store = SQLiteStateStore(path)
        store.bind(Integration.from_env().identity)
        store.acquire_lease(holder, ttl=60)
        code, text = run(["sync", "orders", "--state", str(path)])
        assert code == 75
        assert text == ""
        err = capsys.readouterr().err.strip().splitlines()
        assert err[0] == f"state: {path}"
        assert len(err) == 2  # the state line, then one line saying why nothing was done
        assert err[1].startswith("skipped: another run holds this state's lease")
        assert box.salesmanago.events == {}
        store.release_lease(holder)
        store.close()
        assert run(["sync", "orders", "--state", str(path)])[0] == 0


def test_orders_commands(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from salesmanago_idosell.testing import Faults, Sandbox

    batch = "POST /api/v2/contact/addBatchContactExtEvent"
    with Sandbox(4, customers=20, orders=12, products=10) as box:
        _sandbox_env(monkeypatch, box)
        state = str(tmp_path / "state.sqlite")
        box.salesmanago.set_faults(Faults(error_rate=1.0), endpoint=batch)
        assert run(["sync", "orders", "--state", state])[0] == 1
        code, text = run(["orders", "undelivered", "--state", state])
        assert code == 1
        lines = text.strip().splitlines()
        assert lines[-1] == f"{len(lines) - 1} orders not settled"
        first = lines[0].split("\t")
        assert first[1] == "uncertain"
        assert "@" not in text  # contacts appear as hashes
        box.salesmanago.set_faults(None, endpoint=batch)
        assert run(["orders", "reconcile", "--state", state])[0] == 0
        code, text = run(["orders", "undelivered", "--state", state])
        assert (code, text.strip()) == (0, "0 orders not settled")
        assert run(["orders", "resend", "--state", state])[0] == 2  # needs serials
        code, text = run(["orders", "mark-delivered", first[0], "--state", state])
        assert text.strip() == "1 orders marked delivered"


def test_verbosity_adds_up_on_both_sides_and_logging_is_restored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import logging

    monkeypatch.setenv("SMIDO_OPT_OUT_TOKEN", "tok-123")
    library, urllib3 = logging.getLogger("salesmanago_idosell"), logging.getLogger("urllib3")
    before = (library.level, urllib3.level, list(library.handlers))
    seen: list[int] = []
    original = logging.Logger.addHandler

    def spy(self: logging.Logger, handler: logging.Handler) -> None:
        if self.name == "salesmanago_idosell":
            seen.append(handler.level)
        original(self, handler)

    monkeypatch.setattr(logging.Logger, "addHandler", spy)
    assert run(["-v", "callback-urls", "https://sklep.example.pl", "-v"])[0] == 0
    assert seen == [logging.DEBUG]  # -v before and after the command: -vv
    assert (library.level, urllib3.level, list(library.handlers)) == before


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SMIDO_TIMEOUT", "nan"),
        ("SMIDO_TIMEOUT", "5,30,inf"),
        ("SMIDO_RETRY", "3,0.1,nan"),
        ("SMIDO_IDOSELL_RATE_LIMIT", "nan"),
        ("SMIDO_READ_OVERLAP", "-1"),
        ("IDOSELL_API_VERSION", "../../x"),
    ],
)
def test_non_finite_or_odd_settings_are_one_error_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], variable: str, value: str
) -> None:
    env = {
        "SALESMANAGO_CLIENT_ID": "abc123",
        "SALESMANAGO_API_SECRET": "secret-value",
        "SALESMANAGO_OWNER": "owner@example.pl",
        "SALESMANAGO_ENDPOINT": "app2.salesmanago.pl",
        "IDOSELL_SHOP_URL": "sklep.example.pl",
        "IDOSELL_API_KEY": "key-value",
        variable: value,
    }
    for name, setting in env.items():
        monkeypatch.setenv(name, setting)
    code, _ = run(["sync", "customers", "--dry-run", "--state", "/nonexistent/x.sqlite"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("error: ")
    assert value not in err[-1] or value == "-1"  # the value itself is not echoed
