"""Timeouts, the retry policy and the rate limiter used by the transport (no I/O here).

The policy numbers live in one place: connect 5 s and read 30 s by default; four attempts
with capped exponential back-off and full jitter; ``Retry-After`` honoured up to two minutes;
retries on 429 and 500/502/503/504.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from attrs import frozen

from .errors import ValidationError

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "RETRY_STATUSES",
    "Limiter",
    "RateLimiter",
    "RetryPolicy",
    "Timeout",
]

#: Statuses retried (429 always; the 5xx ones only for idempotent calls).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@frozen
class Timeout:
    """Connect and read timeouts in seconds (defaults: 5 s connect, 30 s read)."""

    connect: float = 5.0
    read: float = 30.0

    def __attrs_post_init__(self) -> None:
        if self.connect <= 0 or self.read <= 0:
            raise ValidationError("timeouts must be positive", field="timeout")

    @classmethod
    def of(cls, value: float | Timeout | tuple[float, float]) -> Timeout:
        """Accept a single number (both timeouts), a ``(connect, read)`` pair or a Timeout."""
        if isinstance(value, Timeout):
            return value
        if isinstance(value, tuple):
            return cls(connect=value[0], read=value[1])
        return cls(connect=float(value), read=float(value))


DEFAULT_TIMEOUT = Timeout()


@frozen
class RetryPolicy:
    """How often and how long to retry.

    Attributes:
        max_attempts: total attempts including the first (1 disables retries).
        backoff_base: the first back-off ceiling in seconds; doubles every attempt.
        backoff_max: the cap of the exponential back-off ceiling.
        retry_after_max: the cap applied to a server's ``Retry-After``.
    """

    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: float = 120.0

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValidationError("max_attempts must be at least 1", field="max_attempts")
        if self.backoff_base < 0 or self.backoff_max < 0 or self.retry_after_max < 0:
            raise ValidationError("back-off times must not be negative", field="retry")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter delay before attempt ``attempt + 1`` (``attempt`` is 1-based)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return rng.uniform(0.0, ceiling)


DEFAULT_RETRY = RetryPolicy()


@runtime_checkable
class Limiter(Protocol):
    """Anything that spaces requests: ``acquire()`` blocks until the next request may start.

    :class:`RateLimiter` spaces the calls of one client; a shared limiter (for example
    :class:`~salesmanago_idosell.sync.postgres.PostgresRateLimiter`) spaces the calls of
    every worker that touches one shop. Pass one as a client's ``rate_limit``.
    """

    def acquire(self) -> None:
        """Block until the next request may start."""


class RateLimiter:
    """Spaces calls so that at most ``per_second`` start in any second (injected clock)."""

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValidationError("rate limit must be positive", field="rate_limit")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None

    def __repr__(self) -> str:
        return f"RateLimiter(per_second={1.0 / self.interval:g})"

    def acquire(self) -> None:
        """Block until the next call may start."""
        now = self._clock()
        if self._next is not None and now < self._next:
            self._sleep(self._next - now)
            now = self._next
        self._next = now + self.interval
