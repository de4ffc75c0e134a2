"""RetryPolicy and Timeout: public, settable in IntegrationConfig and the environment."""

from __future__ import annotations

import pytest

import salesmanago_idosell
from salesmanago_idosell import Integration, IntegrationConfig, RetryPolicy, Timeout
from salesmanago_idosell._policy import RateLimiter
from salesmanago_idosell.errors import ValidationError
from tests.sync.test_config import ENV


def test_retry_policy_and_timeout_are_exported() -> None:
    assert {"RetryPolicy", "Timeout"} <= set(salesmanago_idosell.__all__)
    assert Timeout() == Timeout(connect=5.0, read=30.0, total=300.0)


def test_environment_sets_timeout_retry_and_callback_budget() -> None:
    env = {**ENV, "SMIDO_TIMEOUT": "3,20,60", "SMIDO_RETRY": "6,1,10,30",
           "SMIDO_CALLBACK_RATE_LIMIT": "5"}  # fmt: skip
    config = IntegrationConfig.from_env(env)
    assert config.timeout == Timeout(connect=3, read=20, total=60)
    assert config.retry == RetryPolicy(max_attempts=6, backoff_base=1, backoff_max=10,
                                       retry_after_max=30)  # fmt: skip
    assert config.callback_rate_limit == 5.0


@pytest.mark.parametrize(("text", "expected"), [("12", Timeout(12, 12)), ("2,9", Timeout(2, 9))])
def test_timeout_text_forms(text: str, expected: Timeout) -> None:
    assert Timeout.parse(text) == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [("SMIDO_TIMEOUT", "soon"), ("SMIDO_TIMEOUT", "1,2,3,4"), ("SMIDO_TIMEOUT", "0"),
     ("SMIDO_RETRY", "0"), ("SMIDO_RETRY", "many"), ("SMIDO_CALLBACK_RATE_LIMIT", "-1")],
)  # fmt: skip
def test_bad_policy_variables_name_themselves(variable: str, value: str) -> None:
    with pytest.raises(ValidationError) as info:
        IntegrationConfig.from_env({**ENV, variable: value})
    assert info.value.field == variable


def test_config_objects_reach_both_clients() -> None:
    config = IntegrationConfig.from_env(
        {**ENV, "SMIDO_TIMEOUT": "2,7,40", "SMIDO_RETRY": "2"}, idosell_rate_limit=3.0
    )
    integration = Integration(config)
    for transport in (integration.idosell._transport, integration.salesmanago._v2):
        assert transport.timeout == Timeout(2, 7, 40)
        assert transport.retry.max_attempts == 2
    integration.close()


def test_callbacks_get_an_idosell_budget_of_their_own() -> None:
    config = IntegrationConfig.from_env({**ENV, "SMIDO_CALLBACK_RATE_LIMIT": "4"})
    integration = Integration(config)
    callbacks_client = integration.callbacks.idosell
    assert callbacks_client is not integration.idosell
    sync_limiter = integration.idosell._transport.limiter
    own_limiter = callbacks_client._transport.limiter
    assert sync_limiter is not None
    assert own_limiter is not None
    assert own_limiter is not sync_limiter
    assert isinstance(own_limiter, RateLimiter)
    assert own_limiter.interval == pytest.approx(0.25)
    integration.close()


@pytest.mark.parametrize(
    "variable", ["SMIDO_IDOSELL_RATE_LIMIT", "IDOSELL_SHOP_ID", "SMIDO_CONSENT_MODE"]
)
def test_a_secret_put_in_the_wrong_variable_is_not_echoed(variable: str) -> None:
    secret = "sm-secret-value-in-the-wrong-place"
    with pytest.raises(ValidationError) as info:
        IntegrationConfig.from_env({**ENV, variable: secret})
    assert secret not in str(info.value)
    assert variable in str(info.value)


def test_salesmanago_calls_can_be_paced() -> None:
    unpaced = Integration(IntegrationConfig.from_env(ENV))
    assert unpaced.salesmanago._v2.limiter is None
    unpaced.close()
    config = IntegrationConfig.from_env({**ENV, "SMIDO_SALESMANAGO_RATE_LIMIT": "5"})
    assert config.salesmanago_rate_limit == 5.0
    integration = Integration(config)
    limiter = integration.salesmanago._v2.limiter
    assert isinstance(limiter, RateLimiter)
    assert limiter.interval == pytest.approx(0.2)
    integration.close()


def test_new_defaults_carry_the_apis_maximum() -> None:
    config = IntegrationConfig.from_env(ENV)
    assert (config.contact_batch_size, config.event_batch_size) == (1000, 1000)
    assert config.category_cache_ttl == 86400.0
    with pytest.raises(ValidationError):
        IntegrationConfig.from_env({**ENV, "SMIDO_CATEGORY_CACHE_TTL": "-1"})
