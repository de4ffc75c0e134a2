"""``salesmanago-idosell shops list | sync-changes`` against a registry file."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from salesmanago_idosell.cli import EXIT_IN_PROGRESS, main
from salesmanago_idosell.sync.delivery import LeaseHolder, utcnow
from salesmanago_idosell.testing import Sandbox

from ..services import postgres_url, unique
from .conftest import SECRETS
from .shops import duplicated, mismatches, shop_table, write_registry


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return main(argv, out=out), out.getvalue()


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Sandbox]]:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    with ExitStack() as stack:
        opened = {
            unique(f"cli{seed}"): stack.enter_context(
                Sandbox(seed, customers=20, subscribers=5, orders=20, products=3)
            )
            for seed in range(3)
        }
        registry = tmp_path / "shops.toml"
        write_registry(registry, {k: shop_table(b) for k, b in opened.items()})
        monkeypatch.setenv("SMIDO_REGISTRY", str(registry))
        yield opened


def test_sync_changes_all_with_a_directory_of_sqlite_files(
    boxes: dict[str, Sandbox], tmp_path: Path
) -> None:
    state = f"{tmp_path / 'states'}/"
    code, text = run(["shops", "list", "--state", state])
    assert code == 0
    assert text.count("\tnever synced") == 3
    assert not (tmp_path / "states").exists()  # listing creates nothing
    code, text = run(["shops", "sync-changes", "--all", "--state", state])
    assert code == 0, text
    assert "3 shops: 3 ok, 0 with problems, 0 failed, 0 skipped" in text
    for key, box in boxes.items():
        assert (tmp_path / "states" / f"{key}.sqlite").exists()
        assert mismatches(box) == []
    code, text = run(["shops", "list", "--state", state])
    assert code == 0
    for key, box in boxes.items():
        assert f"{key}\t{box.idosell.url}\tidle\t0 orders not settled" in text
    assert "sandbox-api-secret" not in text
    assert "sandbox-idosell-key" not in text


def test_sync_changes_on_postgres_skips_a_busy_shop(boxes: dict[str, Sandbox]) -> None:
    url = postgres_url()
    from salesmanago_idosell.sync.postgres import PostgresStateStore

    busy, *free = list(boxes)
    other = LeaseHolder(host="worker-7.invalid", pid=42, started_at=utcnow(), token="x")
    PostgresStateStore(url, shop=busy).acquire_lease(other, ttl=60)
    code, text = run(["shops", "sync-changes", *boxes, "--state", url])
    assert code == EXIT_IN_PROGRESS, text
    assert f"{busy}: skipped: already running: worker-7.invalid pid 42" in text
    assert "3 shops: 2 ok, 0 with problems, 0 failed, 1 skipped" in text
    for key in free:
        assert mismatches(boxes[key]) == []
        assert duplicated(boxes[key]) == set()
    assert not boxes[busy].salesmanago.contacts  # nothing was done for the busy shop
    code, text = run(["shops", "list", "--state", url])
    assert f"{busy}\t{boxes[busy].idosell.url}\trunning on worker-7.invalid pid 42" in text


def test_shops_commands_refuse_unclear_requests(
    boxes: dict[str, Sandbox], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["shops", "sync-changes"])[0] == 2
    assert "needs shop keys or --all" in capsys.readouterr().err
    assert run(["shops", "sync-changes", "no-such-shop"])[0] == 2
    assert "no shop 'no-such-shop'" in capsys.readouterr().err


def test_integration_refuses_a_database_url_without_a_shop_key() -> None:
    from salesmanago_idosell.errors import ValidationError
    from salesmanago_idosell.integration import Integration

    with pytest.raises(ValidationError, match=r"PostgresStateStore\(url, shop=KEY\)"):
        Integration.from_env(
            {
                "SALESMANAGO_CLIENT_ID": "c",
                "SALESMANAGO_API_SECRET": "s",
                "SALESMANAGO_OWNER": "o@example.pl",
                "SALESMANAGO_ENDPOINT": "app3.salesmanago.pl",
                "IDOSELL_SHOP_URL": "shop.example.pl",
                "IDOSELL_API_KEY": "k",
            },
            state="postgresql://u@127.0.0.1:1/x",
        )


def test_single_shop_commands_need_a_key_for_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {
        "SALESMANAGO_CLIENT_ID": "c",
        "SALESMANAGO_API_SECRET": "s",
        "SALESMANAGO_OWNER": "o@example.pl",
        "SALESMANAGO_ENDPOINT": "app3.salesmanago.pl",
        "IDOSELL_SHOP_URL": "shop.example.pl",
        "IDOSELL_API_KEY": "k",
    }.items():
        monkeypatch.setenv(name, value)
    code, _ = run(["orders", "undelivered", "--state", "postgresql://u@127.0.0.1:1/x"])
    assert code == 2
    assert "needs --shop KEY" in capsys.readouterr().err


def test_orders_undelivered_on_postgres_with_a_shop_key(
    monkeypatch: pytest.MonkeyPatch, boxes: dict[str, Sandbox]
) -> None:
    url = postgres_url()
    key, box = next(iter(boxes.items()))
    sm = box.salesmanago
    for name, value in {
        "SALESMANAGO_CLIENT_ID": sm.client_id,
        "SALESMANAGO_API_SECRET": sm.api_secret,
        "SALESMANAGO_OWNER": sm.owner,
        "SALESMANAGO_ENDPOINT": sm.url,
        "IDOSELL_SHOP_URL": box.idosell.url,
        "IDOSELL_API_KEY": box.idosell.api_key,
        "SMIDO_CONSENT_MODE": "all",
        "SMIDO_IDOSELL_RATE_LIMIT": "500",
    }.items():
        monkeypatch.setenv(name, value)
    code, text = run(["sync", "orders", "--state", url, "--shop", key])
    assert code == 0, text
    code, text = run(["orders", "undelivered", "--state", url, "--shop", key])
    assert (code, text.strip()) == (0, "0 orders not settled")


def test_one_shop_that_cannot_be_built_does_not_stop_the_others(
    boxes: dict[str, Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shop whose secret variable is missing fails alone; the others are synced."""
    registry = tmp_path / "mixed.toml"
    good, *_ = boxes.items()
    broken = shop_table(good[1], idosell_api_key_env="SMIDO_TEST_NO_SUCH_VARIABLE")
    write_registry(registry, {"a-broken": broken, good[0]: shop_table(good[1])})
    monkeypatch.delenv("SMIDO_TEST_NO_SUCH_VARIABLE", raising=False)
    state = f"{tmp_path / 'states'}/"
    code, text = run(["shops", "sync-changes", "--all", "--registry", str(registry),
                      "--state", state])  # fmt: skip
    assert code == 2
    assert "2 shops: 1 ok, 0 with problems, 1 failed" in text
    assert mismatches(good[1]) == []
