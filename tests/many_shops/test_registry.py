"""ShopConfig and ShopRegistry: TOML, environment and code; secrets referenced, never stored."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from salesmanago_idosell.errors import (
    ServerError,
    StateMismatchError,
    SyncInProgressError,
    ValidationError,
)
from salesmanago_idosell.shops import ShopConfig, ShopRegistry, open_state
from salesmanago_idosell.sync.state import SQLiteStateStore

TOML = """
[defaults]
salesmanago_client_id = "agency01"
salesmanago_owner = "owner@agency.example.pl"
salesmanago_endpoint = "app3.salesmanago.pl"
salesmanago_api_secret_env = "AGENCY_SM_SECRET"

[shops.sklep-a]
idosell_shop_url = "sklep-a.example.pl"
idosell_api_key_env = "SKLEP_A_KEY"
idosell_rate_limit = 3
offer_feed = "https://sklep-a.example.pl/full.xml"

[shops."sklep.b"]
idosell_shop_url = "sklep-b.example.pl"
idosell_api_key_env = "SKLEP_B_KEY"
salesmanago_client_id = "other02"
"""
ENV = {"AGENCY_SM_SECRET": "sm-secret-value", "SKLEP_A_KEY": "key-a", "SKLEP_B_KEY": "key-b"}


def test_toml_registry_with_defaults_and_referenced_secrets(tmp_path: Path) -> None:
    path = tmp_path / "shops.toml"
    path.write_text(TOML)
    registry = ShopRegistry.from_toml(path)
    assert registry.keys() == ["sklep-a", "sklep.b"]
    a = registry["sklep-a"]
    assert a.secrets == {
        "salesmanago_api_secret": "AGENCY_SM_SECRET",
        "idosell_api_key": "SKLEP_A_KEY",
    }
    config = a.config(ENV)
    assert config.idosell_api_key == "key-a"
    assert config.salesmanago_api_secret == "sm-secret-value"
    assert config.idosell_rate_limit == 3.0
    assert config.salesmanago_client_id == "agency01"
    assert registry["sklep.b"].config(ENV).salesmanago_client_id == "other02"
    assert a.settings["offer_feed"].endswith("full.xml")
    # what is written down holds names only
    assert a.to_dict()["idosell_api_key_env"] == "SKLEP_A_KEY"
    assert "key-a" not in repr(a)
    assert "sm-secret-value" not in repr(a)
    assert "$SKLEP_A_KEY" in repr(a)
    assert "sm-secret-value" not in repr(config)


def test_a_secret_written_into_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "shops.toml"
    path.write_text(TOML.replace('idosell_api_key_env = "SKLEP_A_KEY"', 'idosell_api_key = "k"'))
    with pytest.raises(ValidationError, match="idosell_api_key is a secret") as info:
        ShopRegistry.from_toml(path)
    assert info.value.field == "idosell_api_key"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[shops.a]\nidosell_shop_urll = 'x'\n", "unknown setting 'idosell_shop_urll'"),
        ("[shop.a]\n", "unknown registry sections"),
        ("[shops.a\n", "invalid TOML"),
        ('[shops."a b"]\n', "shop key 'a b'"),
    ],
)
def test_bad_registry_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "shops.toml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=message):
        ShopRegistry.from_toml(path)


def test_a_missing_secret_names_its_variable_not_a_value() -> None:
    shop = ShopRegistry.from_mapping({"shops": {"a": {"idosell_api_key_env": "NOPE_KEY"}}})["a"]
    with pytest.raises(ValidationError, match="environment variable NOPE_KEY"):
        shop.config({})
    with pytest.raises(ValidationError, match="no shop 'zzz'"):
        ShopRegistry([shop])["zzz"]
    with pytest.raises(ValidationError, match="used twice"):
        ShopRegistry([shop, shop])


def test_registry_from_the_environment_keeps_variable_names() -> None:
    env = {
        "SMIDO_SHOPS": "sklep-a, sklep-b",
        "SALESMANAGO_CLIENT_ID": "agency01",
        "SALESMANAGO_OWNER": "owner@agency.example.pl",
        "SALESMANAGO_ENDPOINT": "app3.salesmanago.pl",
        "SALESMANAGO_API_SECRET": "shared-secret",
        "SMIDO_SHOP_SKLEP_A_IDOSELL_SHOP_URL": "a.example.pl",
        "SMIDO_SHOP_SKLEP_A_IDOSELL_API_KEY": "key-a",
        "SMIDO_SHOP_SKLEP_A_SMIDO_IDOSELL_RATE_LIMIT": "4",
        "SMIDO_SHOP_SKLEP_B_IDOSELL_SHOP_URL": "b.example.pl",
        "SMIDO_SHOP_SKLEP_B_IDOSELL_API_KEY": "key-b",
        "SMIDO_SHOP_SKLEP_B_SALESMANAGO_API_SECRET": "own-secret",
        "SMIDO_SHOP_SKLEP_B_OFFER_FEED": "https://b.example.pl/full.xml",
    }
    registry = ShopRegistry.from_env(env)
    a, b = registry["sklep-a"], registry["sklep-b"]
    assert a.secrets["idosell_api_key"] == "SMIDO_SHOP_SKLEP_A_IDOSELL_API_KEY"
    assert a.secrets["salesmanago_api_secret"] == "SALESMANAGO_API_SECRET"
    assert b.secrets["salesmanago_api_secret"] == "SMIDO_SHOP_SKLEP_B_SALESMANAGO_API_SECRET"
    assert a.config(env).idosell_rate_limit == 4.0
    assert b.config(env).salesmanago_api_secret == "own-secret"
    assert b.settings["offer_feed"] == "https://b.example.pl/full.xml"
    assert "key-a" not in repr(registry) + repr(a)


def test_shops_in_code_with_a_callable_secret() -> None:
    shop = ShopConfig(
        key="vault-shop",
        settings={
            "idosell_shop_url": "v.example.pl",
            "salesmanago_client_id": "c",
            "salesmanago_owner": "o@example.pl",
            "salesmanago_endpoint": "app3.salesmanago.pl",
        },
        secrets={"idosell_api_key": lambda: "from-vault", "salesmanago_api_secret": "SM"},
    )
    assert shop.config({"SM": "s"}).idosell_api_key == "from-vault"
    assert "<callable>" in repr(shop)
    assert "from-vault" not in repr(shop)
    with pytest.raises(ValidationError, match="callable and cannot be serialised"):
        shop.to_dict()
    with pytest.raises(ValidationError, match="not a secret"):
        ShopConfig(key="x", secrets={"idosell_shop_url": "X"})


def test_open_state_for_sqlite_paths(tmp_path: Path) -> None:
    directory = tmp_path / "states"
    directory.mkdir()
    in_dir = open_state(directory, "a")
    assert isinstance(in_dir, SQLiteStateStore)
    assert in_dir.path == directory / "a.sqlite"
    templated = open_state(str(tmp_path / "{shop}-state.db"), "b")
    assert isinstance(templated, SQLiteStateStore)
    assert templated.path == tmp_path / "b-state.db"


def test_sdk_errors_pickle_with_their_attributes() -> None:
    errors = [
        SyncInProgressError("busy", holder="h pid 1", expires_at="2026-01-01T00:00:00+00:00"),
        StateMismatchError("other", stored="a", current="b"),
        ValidationError("bad", field="x"),
        ServerError("boom", status_code=503, body_excerpt="b", method="GET", url="https://x"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert copy.__dict__ == error.__dict__
