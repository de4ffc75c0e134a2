"""IntegrationConfig: validation, defaults, environment, secrecy."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from salesmanago_idosell import Integration
from salesmanago_idosell.config import ENVIRONMENT, IntegrationConfig, default_location
from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.mapping import ConsentMode, ConsentSync, TagStyle

ENV = {
    "SALESMANAGO_CLIENT_ID": "client01",
    "SALESMANAGO_API_SECRET": "sm-secret-value",
    "SALESMANAGO_OWNER": "owner@shop.pl",
    "SALESMANAGO_ENDPOINT": "app2.salesmanago.pl",
    "SALESMANAGO_API_V3_KEY": "v3-key-value",
    "IDOSELL_SHOP_URL": "https://sklep.example.pl",
    "IDOSELL_API_KEY": "ido-key-value",
    "SMIDO_OPT_OUT_TOKEN": "t0ken-16-chars_x",
}


def test_from_env_reads_every_variable() -> None:
    env = {**ENV, "SMIDO_CONSENT_MODE": "all", "SMIDO_TAG_STYLE": "salesmanago",
           "IDOSELL_SHOP_ID": "2", "SMIDO_CONTACT_BATCH_SIZE": "250"}  # fmt: skip
    config = IntegrationConfig.from_env(env)
    assert config.consent_mode is ConsentMode.ALL
    assert config.tag_style is TagStyle.SALESMANAGO
    assert (config.shop_id, config.contact_batch_size) == (2, 250)
    assert config.location == "sklep_example_pl"


@pytest.mark.parametrize("variable", ["SALESMANAGO_CLIENT_ID", "IDOSELL_API_KEY"])
def test_missing_variable_names_itself(variable: str) -> None:
    env = {k: v for k, v in ENV.items() if k != variable}
    with pytest.raises(ValidationError, match=variable) as info:
        IntegrationConfig.from_env(env)
    assert info.value.field == variable


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SMIDO_OPT_OUT_TOKEN", "x" * 17),
        ("SMIDO_OPT_OUT_TOKEN", "bad token"),
        ("SMIDO_CONSENT_MODE", "some"),
        ("SMIDO_LOCATION", "a b"),
        ("IDOSELL_TIMEZONE", "Mars/Olympus"),
        ("SMIDO_CONTACT_BATCH_SIZE", "1001"),
        ("SMIDO_IDOSELL_RATE_LIMIT", "0"),
        ("IDOSELL_SHOP_ID", "one"),
    ],
)
def test_invalid_variable_names_itself(variable: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        IntegrationConfig.from_env({**ENV, variable: value})
    assert info.value.field == variable
    assert variable in str(info.value)


def test_every_attribute_has_a_variable() -> None:
    assert set(ENVIRONMENT) <= {a.name for a in attrs.fields(IntegrationConfig)}


def test_repr_holds_no_secret() -> None:
    config = IntegrationConfig.from_env(ENV)
    for secret in ("sm-secret-value", "v3-key-value", "ido-key-value", "t0ken-16-chars_x"):
        assert secret not in repr(config)
    assert "client01" in repr(config)


@pytest.mark.parametrize(
    ("url", "location"),
    [("https://sklep.example.pl", "sklep_example_pl"), ("shop.iai-shop.com", "shop_iai_shop_com"),
     ("http://127.0.0.1:8080", "shop_127_0_0_1"), ("https://" + "a" * 60 + ".pl", "a" * 36)],
)  # fmt: skip
def test_default_location(url: str, location: str) -> None:
    assert default_location(url) == location


def test_constructing_an_integration_does_no_io(tmp_path: Any) -> None:
    path = tmp_path / "state.sqlite"
    integration = Integration.from_env(ENV, state=path)
    assert not path.exists()
    assert integration.idosell.request_count == 0
    assert "ido-key-value" not in repr(integration)


def test_consent_and_order_status_settings_from_the_environment() -> None:
    env = {
        **ENV,
        "SMIDO_CONSENT_SYNC": "shop_wins",
        "SMIDO_MIRROR_CONSENT": "no",
        "SMIDO_PURCHASE_EXCLUDED_STATUSES": "canceled, false,LOST,returned,complained",
        "SMIDO_RETURN_STATUSES": "returned,complained",
        "SMIDO_FOLLOW_UP_EVENTS": "0",
    }
    config = IntegrationConfig.from_env(env)
    settings = config.mapping_settings()
    assert settings.consent_sync is ConsentSync.SHOP_WINS
    assert settings.mirror_consent is False
    assert settings.non_purchase_statuses == {"canceled", "false", "lost", "returned", "complained"}
    assert settings.return_statuses == {"returned", "complained"}
    assert settings.follow_ups is False


def test_consent_defaults_are_changes_only_with_mirroring() -> None:
    settings = IntegrationConfig.from_env(ENV).mapping_settings()
    assert settings.consent_sync is ConsentSync.CHANGES
    assert settings.mirror_consent is True
    assert settings.return_statuses == {"returned"}
    assert settings.follow_ups is True


@pytest.mark.parametrize(
    ("variable", "value"), [("SMIDO_MIRROR_CONSENT", "maybe"), ("SMIDO_CONSENT_SYNC", "sometimes")]
)
def test_bad_consent_settings_name_their_variable(variable: str, value: str) -> None:
    with pytest.raises(ValidationError, match=variable):
        IntegrationConfig.from_env({**ENV, variable: value})
