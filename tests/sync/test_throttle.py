"""The adaptive server-load probe: asked when answers slow down or fail, else rarely."""

from __future__ import annotations

from attrs import define, field

from salesmanago_idosell.idosell.models import ServerLoad
from salesmanago_idosell.sync.engine import Throttle


@define
class _System:
    answers: list[ServerLoad] = field(factory=list)
    asked: int = 0

    def server_load(self) -> ServerLoad:
        self.asked += 1
        return self.answers.pop(0) if self.answers else ServerLoad.NORMAL


@define
class _Shop:
    """What the throttle watches: load answers and ``load_signals``."""

    system: _System = field(factory=_System)
    overloads: int = 0
    elapsed: float = 0.2

    @property
    def load_signals(self) -> tuple[int, float]:
        return self.overloads, self.elapsed


def _throttle(shop: _Shop, sleeps: list[float], every: int = 100) -> Throttle:
    return Throttle(shop, every=every, backoff=30.0, sleep=sleeps.append)  # type: ignore[arg-type]


def test_a_steady_shop_is_asked_once_per_every_pages() -> None:
    shop = _Shop()
    throttle = _throttle(shop, [], every=50)
    for _ in range(200):
        throttle.page_done()
    assert shop.system.asked == 4


def test_a_slow_answer_makes_it_ask_at_once_and_wait_while_overloaded() -> None:
    shop, sleeps = _Shop(), list[float]()
    throttle = _throttle(shop, sleeps)
    for _ in range(25):
        throttle.page_done()
    assert shop.system.asked == 0
    shop.elapsed = 0.2 * 2.5  # over twice the usual page time
    shop.system.answers = [ServerLoad.OVERLOADED, ServerLoad.OVERLOADED]
    throttle.page_done()
    assert shop.system.asked == 3
    assert sleeps == [30.0, 30.0]
    shop.elapsed = 0.25  # back to normal (under twice the usual)
    throttle.page_done()
    assert shop.system.asked == 3
    shop.elapsed = 5.0  # slow again, but the last check is recent: no new one yet
    throttle.page_done()
    assert shop.system.asked == 3


def test_an_overload_answer_makes_it_ask() -> None:
    shop = _Shop()
    throttle = _throttle(shop, [])
    throttle.page_done()
    shop.overloads += 1  # a 429 or 503 was retried on this page
    throttle.page_done()
    assert shop.system.asked == 1
    throttle.page_done()
    assert shop.system.asked == 1


def test_fast_answers_never_count_as_slow() -> None:
    shop = _Shop(elapsed=0.001)
    throttle = _throttle(shop, [])
    throttle.page_done()
    for _ in range(25):
        throttle.page_done()
    shop.elapsed = 0.02  # 20 times the usual, but under the 50 ms floor
    throttle.page_done()
    assert shop.system.asked == 0
