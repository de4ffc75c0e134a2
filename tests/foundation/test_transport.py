"""Transport: timeouts, retries, Retry-After, rate limiting, redaction, errors."""

from __future__ import annotations

import itertools
import json
import logging
import random
from email.utils import formatdate

import pytest
import requests
import responses
from hypothesis import given
from hypothesis import strategies as st
from responses.registries import OrderedRegistry
from urllib3.exceptions import MaxRetryError, NewConnectionError

from salesmanago_idosell._transport import (
    USER_AGENT,
    RateLimiter,
    RetryPolicy,
    Timeout,
    Transport,
    redact,
)
from salesmanago_idosell._version import __version__
from salesmanago_idosell.errors import (
    APITimeoutError,
    AuthenticationError,
    HTTPStatusError,
    NotFoundError,
    RateLimitError,
    SalesmanagoIdosellError,
    ServerError,
    TransportError,
    ValidationError,
)
from tests.helpers import FakeClock, make_transport

URL = "https://api.test/thing"


def sent_timeout(index: int) -> object:
    """The ``timeout`` keyword the transport passed to requests for call ``index``."""
    kwargs: dict[str, object] = getattr(responses.calls[index].request, "req_kwargs", {})
    return kwargs["timeout"]


def refused() -> requests.ConnectionError:
    """What requests raises when the TCP connection cannot be opened."""
    reason = NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    return requests.ConnectionError(MaxRetryError(None, URL, reason))  # type: ignore[arg-type]


@responses.activate
def test_sends_user_agent_json_body_and_default_timeouts() -> None:
    responses.post(URL, json={"ok": True})
    transport = make_transport(FakeClock())
    response = transport.request("POST", "/thing", json_body={"ą": 1}, idempotent=True)
    assert response.json() == {"ok": True}
    sent = responses.calls[0].request
    assert sent.headers["User-Agent"] == f"salesmanago-idosell/{__version__}" == USER_AGENT
    assert sent.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert json.loads(sent.body or b"") == {"ą": 1}
    assert sent_timeout(0) == (5.0, 30.0)


@responses.activate
def test_timeout_overridable_per_client_and_per_call() -> None:
    responses.get(URL, json={})
    transport = Transport(base_url="https://api.test", timeout=(2, 9))
    transport.request("GET", "/thing", idempotent=True)
    transport.request("GET", "/thing", idempotent=True, timeout=1.5)
    assert sent_timeout(0) == (2, 9)
    assert sent_timeout(1) == (1.5, 1.5)


@responses.activate(registry=OrderedRegistry)
def test_500_500_200_succeeds_after_three_calls() -> None:
    for status in (500, 500, 200):
        responses.post(URL, json={"status": status}, status=status)
    clock = FakeClock()
    transport = make_transport(clock)
    response = transport.request("POST", "/thing", json_body={}, idempotent=True)
    assert response.json() == {"status": 200}
    assert len(responses.calls) == 3
    assert transport.request_count == 3
    assert len(clock.sleeps) == 2
    assert 0 <= clock.sleeps[0] <= 1.0
    assert 0 <= clock.sleeps[1] <= 2.0


@responses.activate(registry=OrderedRegistry)
def test_429_retry_after_seconds_is_honoured() -> None:
    responses.post(URL, status=429, headers={"Retry-After": "7"})
    responses.post(URL, json={})
    clock = FakeClock()
    make_transport(clock).request("POST", "/thing", json_body={}, idempotent=True)
    assert clock.sleeps == [7.0]


@responses.activate(registry=OrderedRegistry)
def test_429_retry_after_http_date_is_honoured_and_capped() -> None:
    clock = FakeClock(now=1_700_000_000.0)
    responses.get(URL, status=429, headers={"Retry-After": formatdate(clock.now + 30, usegmt=True)})
    responses.get(URL, status=429, headers={"Retry-After": "100000"})
    responses.get(URL, json={})
    make_transport(clock).request("GET", "/thing", idempotent=True)
    assert clock.sleeps[0] == pytest.approx(30.0, abs=1.0)
    assert clock.sleeps[1] == RetryPolicy().retry_after_max


@responses.activate(registry=OrderedRegistry)
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_each_retryable_5xx_is_retried(status: int) -> None:
    responses.get(URL, status=status)
    responses.get(URL, json={})
    make_transport(FakeClock()).request("GET", "/thing", idempotent=True)
    assert len(responses.calls) == 2


@responses.activate
def test_max_attempts_respected_and_error_typed() -> None:
    responses.get(URL, status=503, body="busy")
    clock = FakeClock()
    with pytest.raises(ServerError) as info:
        make_transport(clock, max_attempts=3).request("GET", "/thing", idempotent=True)
    assert len(responses.calls) == 3
    assert len(clock.sleeps) == 2
    assert info.value.status_code == 503
    assert info.value.attempts == 3
    assert info.value.body_excerpt == "busy"


@responses.activate
def test_429_after_all_attempts_raises_rate_limit_error_with_retry_after() -> None:
    responses.get(URL, status=429, headers={"Retry-After": "3"})
    with pytest.raises(RateLimitError) as info:
        make_transport(FakeClock(), max_attempts=2).request("GET", "/thing", idempotent=True)
    assert info.value.retry_after == 3.0


@responses.activate
@pytest.mark.parametrize(
    ("status", "error"),
    [(400, HTTPStatusError), (401, AuthenticationError), (403, AuthenticationError),
     (404, NotFoundError)],
)  # fmt: skip
def test_non_retryable_statuses_fail_at_once(status: int, error: type[Exception]) -> None:
    responses.get(URL, status=status, body="nope")
    with pytest.raises(error):
        make_transport(FakeClock()).request("GET", "/thing", idempotent=True)
    assert len(responses.calls) == 1


@responses.activate
def test_ok_statuses_are_returned_not_raised() -> None:
    responses.get(URL, status=404, json={"faultCode": 2})
    response = make_transport(FakeClock()).request(
        "GET", "/thing", idempotent=True, ok_statuses={404}
    )
    assert response.status_code == 404


@responses.activate
def test_non_idempotent_call_not_retried_after_read_timeout() -> None:
    responses.post(URL, body=requests.ReadTimeout("read timed out"))
    clock = FakeClock()
    with pytest.raises(APITimeoutError) as info:
        make_transport(clock).request("POST", "/thing", json_body={}, idempotent=False)
    assert len(responses.calls) == 1
    assert clock.sleeps == []
    assert info.value.attempts == 1


@responses.activate
def test_non_idempotent_call_not_retried_after_5xx() -> None:
    responses.post(URL, status=500)
    with pytest.raises(ServerError):
        make_transport(FakeClock()).request("POST", "/thing", json_body={}, idempotent=False)
    assert len(responses.calls) == 1


@responses.activate(registry=OrderedRegistry)
def test_non_idempotent_call_retried_when_never_sent() -> None:
    responses.post(URL, body=refused())
    responses.post(URL, body=requests.ConnectTimeout("connect timed out"))
    responses.post(URL, status=429, headers={"Retry-After": "1"})
    responses.post(URL, json={"ok": 1})
    response = make_transport(FakeClock()).request("POST", "/thing", json_body={}, idempotent=False)
    assert response.json() == {"ok": 1}
    assert len(responses.calls) == 4


@responses.activate(registry=OrderedRegistry)
def test_idempotent_call_retried_after_read_timeout_and_reset() -> None:
    responses.get(URL, body=requests.ReadTimeout("slow"))
    responses.get(URL, body=requests.ConnectionError("reset by peer"))
    responses.get(URL, json={})
    make_transport(FakeClock()).request("GET", "/thing", idempotent=True)
    assert len(responses.calls) == 3


@responses.activate
def test_connection_error_after_all_attempts_is_transport_error() -> None:
    responses.get(URL, body=refused())
    with pytest.raises(TransportError) as info:
        make_transport(FakeClock(), max_attempts=2).request("GET", "/thing", idempotent=True)
    assert not isinstance(info.value, APITimeoutError)
    assert info.value.attempts == 2
    assert isinstance(info.value, SalesmanagoIdosellError)


def test_rate_limiter_spaces_calls_with_injected_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(5):
        limiter.acquire()
        starts.append(clock.now)
    assert [b - a for a, b in itertools.pairwise(starts)] == [0.5] * 4


def test_rate_limiter_does_not_sleep_when_calls_are_slow() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, clock=clock, sleep=clock.sleep)
    limiter.acquire()
    clock.now += 5
    limiter.acquire()
    assert clock.sleeps == []


@responses.activate
def test_transport_applies_rate_limit() -> None:
    responses.get(URL, json={})
    clock = FakeClock()
    transport = make_transport(clock, rate_limit=4.0)
    for _ in range(3):
        transport.request("GET", "/thing", idempotent=True)
    assert clock.sleeps == [0.25, 0.25]


@given(st.integers(min_value=1, max_value=40), st.integers(min_value=0, max_value=2**32))
def test_backoff_full_jitter_stays_under_capped_ceiling(attempt: int, seed: int) -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=10.0)
    delay = policy.backoff(attempt, random.Random(seed))
    assert 0.0 <= delay <= min(10.0, 0.5 * 2 ** (attempt - 1))


def test_invalid_settings_raise_validation_error() -> None:
    with pytest.raises(ValidationError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValidationError):
        Timeout(connect=0)
    with pytest.raises(ValidationError):
        RateLimiter(0)


def test_redact_replaces_secret_keys_recursively() -> None:
    body = {"apiKey": "k", "sha": "s", "nested": [{"apiSecret": "x", "email": "a@b.pl"}]}
    assert redact(body) == {
        "apiKey": "***",
        "sha": "***",
        "nested": [{"apiSecret": "***", "email": "a@b.pl"}],
    }


@responses.activate
def test_debug_log_has_method_url_status_attempt_and_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    responses.post(URL, status=500, body="echo topsecret-sha")
    responses.post(URL, json={})
    transport = make_transport(
        FakeClock(), secrets=("topsecret-sha",), headers={"X-API-KEY": "hdr-secret"}
    )
    caplog.set_level(logging.DEBUG, logger="salesmanago_idosell")
    body = {"apiKey": "random-key", "sha": "topsecret-sha", "email": "jan@example.pl"}
    transport.request("POST", "/thing", json_body=body, idempotent=True)
    text = caplog.text
    assert "POST https://api.test/thing -> 500 (attempt 1" in text
    assert "-> 200 (attempt 2" in text
    assert "jan@example.pl" not in text  # personal data masked by default
    assert '"email": "j***@example.pl"' in text
    for secret in ("random-key", "topsecret-sha", "hdr-secret"):
        assert secret not in text


@responses.activate
def test_secrets_scrubbed_from_exception_text() -> None:
    responses.get(URL, status=400, body='{"error": "bad key my-v3-key"}')
    transport = make_transport(FakeClock(), secrets=("my-v3-key",))
    with pytest.raises(HTTPStatusError) as info:
        transport.request("GET", "/thing", idempotent=True)
    assert "my-v3-key" not in str(info.value)
    assert "my-v3-key" not in info.value.body_excerpt


def test_transport_repr_has_no_headers() -> None:
    transport = Transport(base_url="https://x", headers={"X-API-KEY": "hdr-secret"})
    assert "hdr-secret" not in repr(transport)


@responses.activate(registry=OrderedRegistry)
def test_stream_yields_chunks_and_retries_opening() -> None:
    responses.get(URL, status=503)
    responses.get(URL, body=b"abcdef")
    clock = FakeClock()
    chunks = list(make_transport(clock).stream(URL, chunk_size=4))
    assert b"".join(chunks) == b"abcdef"
    assert len(clock.sleeps) == 1


@responses.activate
def test_stream_raises_typed_error_on_404() -> None:
    responses.get(URL, status=404)
    with pytest.raises(NotFoundError):
        list(make_transport(FakeClock()).stream(URL))
