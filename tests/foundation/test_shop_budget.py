"""One IdoSell budget per shop: clients of the same shop share one limiter (injected clock)."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import responses

from salesmanago_idosell import IdosellClient
from salesmanago_idosell._policy import RateLimiter, shared_limiter
from tests.helpers import FakeClock

SHOP = "https://budget.example.pl"
LOAD = f"{SHOP}/api/admin/v6/system/serverLoad"


def _client(clock: Any, rate: float = 2.0, **options: Any) -> IdosellClient:
    return IdosellClient(
        shop_url=SHOP, api_key="k", rate_limit=rate, clock=clock, sleep=clock.sleep, **options
    )


def _record_starts(clock: FakeClock) -> list[float]:
    starts: list[float] = []

    def answer(_: Any) -> tuple[int, dict[str, str], str]:
        starts.append(clock.now)
        return 200, {}, '{"serverLoadStatus": "normal"}'

    responses.add_callback(responses.GET, LOAD, callback=answer)
    return starts


def _most_in_one_second(starts: list[float]) -> int:
    return max(sum(1 for t in starts if s <= t < s + 1.0 - 1e-9) for s in starts)


@responses.activate
def test_two_clients_of_one_shop_stay_within_the_rate_together() -> None:
    clock = FakeClock()
    starts = _record_starts(clock)
    first, second = _client(clock), _client(clock)
    assert first._transport.limiter is second._transport.limiter
    for client in itertools.islice(itertools.cycle([first, second]), 20):
        client.system.server_load()
    assert len(starts) == 20
    assert _most_in_one_second(starts) <= 2
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.5 - 1e-9


@responses.activate
def test_the_strictest_limit_asked_for_a_shop_counts() -> None:
    clock = FakeClock()
    starts = _record_starts(clock)
    fast, slow = _client(clock, rate=10.0), _client(clock, rate=2.0)
    for client in (fast, slow, fast, slow):
        client.system.server_load()
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.5 - 1e-9


@responses.activate
def test_callbacks_have_a_lane_of_their_own() -> None:
    clock = FakeClock()
    starts = _record_starts(clock)
    sync, callbacks = _client(clock), _client(clock, lane="callbacks")
    assert sync._transport.limiter is not callbacks._transport.limiter
    sync.system.server_load()
    callbacks.system.server_load()  # not delayed by the sync's budget
    assert starts == [1000.0, 1000.0]


@responses.activate
def test_an_injected_limiter_replaces_the_shared_one() -> None:
    clock = FakeClock()
    _record_starts(clock)
    calls: list[str] = []

    class Counting:
        def acquire(self) -> None:
            calls.append("acquire")

    client = _client(clock, limiter=Counting())
    client.system.server_load()
    assert calls == ["acquire"]


def test_threads_sharing_a_limiter_keep_its_spacing() -> None:
    limiter = shared_limiter("threads test", 200.0)
    assert isinstance(limiter, RateLimiter)
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(10):
            limiter.acquire()
            with lock:
                starts.append(time.monotonic())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    starts.sort()
    assert len(starts) == 40
    assert starts[-1] - starts[0] >= 39 / 200 * 0.95
