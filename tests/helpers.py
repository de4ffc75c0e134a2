"""Test helpers shared by several test packages."""

from __future__ import annotations

import random

from attrs import define, field

from salesmanago_idosell._transport import RetryPolicy, Transport


@define
class FakeClock:
    """A monotonic clock and a sleep function that advances it instantly."""

    now: float = 1000.0
    sleeps: list[float] = field(factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_transport(
    clock: FakeClock,
    *,
    base_url: str = "https://api.test",
    max_attempts: int = 4,
    rate_limit: float | None = None,
    secrets: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
) -> Transport:
    """A transport whose sleeping, clock and jitter are deterministic."""
    return Transport(
        base_url=base_url,
        headers=headers,
        retry=RetryPolicy(max_attempts=max_attempts, backoff_base=1.0, backoff_max=8.0),
        rate_limit=rate_limit,
        secrets=secrets,
        sleep=clock.sleep,
        clock=clock,
        wallclock=clock,
        rng=random.Random(7),
    )
