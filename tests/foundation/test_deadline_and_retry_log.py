"""The per-call deadline, and one WARNING line per retry saying what is waited for."""

from __future__ import annotations

import logging
import random

import pytest
import requests
import responses

from salesmanago_idosell import RetryPolicy, Timeout
from salesmanago_idosell._transport import Transport
from salesmanago_idosell.errors import APITimeoutError, ServerError
from tests.helpers import FakeClock

URL = "https://api.test/thing"


def transport(clock: FakeClock, *, total: float | None, attempts: int = 10) -> Transport:
    return Transport(
        base_url="https://api.test",
        timeout=Timeout(connect=5, read=30, total=total),
        retry=RetryPolicy(max_attempts=attempts, backoff_base=8.0, backoff_max=8.0),
        sleep=clock.sleep,
        clock=clock,
        rng=random.Random(0),
    )


@responses.activate
def test_no_retry_starts_that_would_end_after_the_deadline() -> None:
    responses.get(URL, status=503)
    clock = FakeClock()
    with pytest.raises(ServerError):
        transport(clock, total=20.0).request("GET", "/thing", idempotent=True)
    assert sum(clock.sleeps) < 20.0
    assert len(responses.calls) == len(clock.sleeps) + 1 < 10


@responses.activate
def test_read_timeout_is_shortened_to_what_is_left() -> None:
    responses.get(URL, body=requests.ReadTimeout("silent host"))
    clock = FakeClock()
    with pytest.raises(APITimeoutError):
        transport(clock, total=12.0).request("GET", "/thing", idempotent=True)
    timeouts = [c.request.req_kwargs["timeout"] for c in responses.calls]  # type: ignore[attr-defined]
    assert timeouts[0] == (5, 12.0)
    assert all(read <= 12.0 for _, read in timeouts)


@responses.activate
def test_without_a_deadline_every_attempt_is_made() -> None:
    responses.get(URL, status=503)
    clock = FakeClock()
    with pytest.raises(ServerError):
        transport(clock, total=None, attempts=5).request("GET", "/thing", idempotent=True)
    assert len(responses.calls) == 5


@responses.activate
def test_each_retry_logs_one_warning_with_the_cause_and_the_wait(
    caplog: pytest.LogCaptureFixture,
) -> None:
    responses.get(URL, status=503)
    caplog.set_level(logging.WARNING, logger="salesmanago_idosell")
    with pytest.raises(ServerError):
        transport(FakeClock(), total=None, attempts=3).request("GET", "/thing", idempotent=True)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert warnings[0].startswith("GET https://api.test/thing: HTTP 503 on attempt 1 of 3; waiting")
    assert "before retrying" in warnings[1]
