"""A host that accepts connections but never answers: bounded by the deadline, and not silent."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from salesmanago_idosell import IdosellClient, RetryPolicy, Timeout
from salesmanago_idosell.errors import APITimeoutError


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port whose kernel completes the handshake; nobody ever reads or answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def test_a_silent_shop_fails_within_the_deadline_with_a_warning_per_retry(
    silent_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="salesmanago_idosell")
    shop = IdosellClient(
        shop_url=f"http://127.0.0.1:{silent_port}",
        api_key="silent-host-key",
        timeout=Timeout(connect=1.0, read=0.3, total=1.5),
        retry=RetryPolicy(max_attempts=10, backoff_base=0.05, backoff_max=0.1),
    )
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        shop.customers.iter().first()
    elapsed = time.monotonic() - started
    shop.close()
    assert elapsed < 3.0  # the deadline, not 10 attempts x 0.3 s + back-off
    assert info.value.attempts >= 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == info.value.attempts - 1
    assert all("ReadTimeout on attempt" in w and "before retrying" in w for w in warnings)
    assert "silent-host-key" not in caplog.text
