"""CLI manners: one error line and a documented exit code, logging flags, URLs, pipes, state."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesmanago_idosell.cli import EXIT_CODES, LineProgress, exit_code, main
from salesmanago_idosell.config import IntegrationConfig, default_state_path
from salesmanago_idosell.errors import (
    AuthenticationError,
    FeedError,
    IdosellAPIError,
    TransportError,
    ValidationError,
)
from salesmanago_idosell.testing import Sandbox

FULL_XML = Path(__file__).parents[1] / "feeds" / "fixtures" / "full.xml"


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.fixture
def box() -> Iterator[Sandbox]:
    with Sandbox(4, customers=20, orders=10, products=10) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_env(box: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Sandbox:
    env = box.environment(
        SMIDO_CONSENT_MODE="all",
        SMIDO_IDOSELL_RATE_LIMIT="1000",
        XDG_DATA_HOME=str(tmp_path / "data"),
    )
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return box


def test_exit_codes_are_distinct_per_kind() -> None:
    assert exit_code(ValidationError("x")) == 2
    assert exit_code(AuthenticationError("x", status_code=401, body_excerpt="", method="GET",
                                         url="u")) == 3  # fmt: skip
    assert exit_code(IdosellAPIError(fault_code=1, fault_string="", status_code=200,
                                     endpoint="/")) == 4  # fmt: skip
    assert exit_code(TransportError("x", method="GET", url="u")) == 5
    assert exit_code(FeedError("x")) == 6
    assert exit_code(FileNotFoundError(2, "No such file", "x.xml")) == 2
    assert exit_code(ZeroDivisionError()) is None  # a bug keeps its traceback
    assert all(isinstance(code, int) for _, code in EXIT_CODES)


def test_a_missing_feed_file_is_one_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["feed", "inspect", "no-such-feed.xml"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "error: no such feed file: no-such-feed.xml\n"


def test_debug_shows_the_traceback() -> None:
    with pytest.raises(ValidationError):
        run(["feed", "inspect", "no-such-feed.xml", "--debug"])


def test_feed_inspect_reads_a_url_and_keeps_its_token_out_of_the_log(
    box: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{box.idosell.full_xml_url}?token=export-token-9d2e"
    code, text = run(["-vv", "feed", "inspect", url, "--first", "1"])
    err = capsys.readouterr().err
    assert code == 0
    assert text.startswith("10 products in ")
    assert "DEBUG" in err  # -vv logs, urllib3 included
    assert "export-token-9d2e" not in err


def test_feed_inspect_of_an_unreachable_url_is_a_network_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run(["feed", "inspect", "http://127.0.0.1:9/full.xml?token=t0k3n-abcdef",
                   "--log-level", "error"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 5
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert "t0k3n-abcdef" not in err


@pytest.mark.parametrize("option", ["--customers", "--orders", "--products", "--subscribers"])
def test_demo_refuses_negative_sizes(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        run(["demo", option, "-5"])
    assert info.value.code == 2
    assert "must be 0 or more, not -5" in capsys.readouterr().err


def test_a_closed_pipe_exits_quietly() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written
    try:
        result = subprocess.run(  # noqa: S603  (our own interpreter and module)
            [sys.executable, "-m", "salesmanago_idosell", "feed", "inspect", str(FULL_XML)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 141


def test_line_progress_ends_its_line() -> None:
    stream = io.StringIO()
    progress = LineProgress(stream)
    progress("customers", 10, 25)
    progress("customers", 25, 25)
    progress.close()
    assert stream.getvalue() == "\rcustomers: 10/25\rcustomers: 25/25\n"


def test_sync_without_tqdm_ends_the_progress_line_before_the_report(
    sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    code, _ = run(["sync", "customers", "--dry-run", "--progress"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.endswith("customers: 20/20\n")


def test_the_default_state_is_per_shop_and_account_and_printed(
    sandbox_env: Sandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    printed = []
    for directory in ("a", "b"):  # the same run from two directories
        (tmp_path / directory).mkdir()
        monkeypatch.chdir(tmp_path / directory)
        code, _ = run(["sync", "orders"])
        assert code == 0
        printed.append(capsys.readouterr().err.splitlines()[0])
    config = IntegrationConfig.from_env()
    expected = default_state_path(config)
    assert printed == [f"state: {expected}"] * 2
    assert expected.is_file()
    assert expected.is_relative_to(tmp_path / "data" / "salesmanago-idosell")
    assert not list((tmp_path / "a").iterdir())  # nothing left in the working directory
    assert len(sandbox_env.salesmanago.events) > 0
    sent = len(sandbox_env.salesmanago.events)
    run(["sync", "orders"])
    assert len(sandbox_env.salesmanago.events) == sent  # the second run found the state


def test_two_shops_or_two_accounts_never_share_a_state_file(tmp_path: Path) -> None:
    base: dict[str, Any] = {"salesmanago_client_id": "acc1", "salesmanago_api_secret": "s",
            "salesmanago_owner": "o@x.pl", "salesmanago_endpoint": "app2.salesmanago.pl",
            "idosell_shop_url": "shop-one.pl", "idosell_api_key": "k"}  # fmt: skip
    one = default_state_path(IntegrationConfig(**base), data_dir=tmp_path)
    other_shop = default_state_path(
        IntegrationConfig(**{**base, "idosell_shop_url": "shop-two.pl"}), data_dir=tmp_path
    )
    other_account = default_state_path(
        IntegrationConfig(**{**base, "salesmanago_client_id": "acc2"}), data_dir=tmp_path
    )
    assert one == tmp_path / "state" / "shop-one.pl" / "acc1.sqlite"
    assert len({one, other_shop, other_account}) == 3


def test_refused_credentials_exit_3_with_one_line(
    sandbox_env: Sandbox, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESMANAGO_API_SECRET", "a-wrong-secret-value")
    code, _ = run(["sync", "customers"])
    err = capsys.readouterr().err.splitlines()
    assert code == 3
    assert err[-1].startswith("error: SALESmanago refused the credentials")
    assert "a-wrong-secret-value" not in "\n".join(err)
