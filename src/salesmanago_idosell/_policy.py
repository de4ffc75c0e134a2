"""Timeouts, the retry policy and the rate limiter used by the transport (no I/O here).

The policy numbers live in one place: connect 5 s and read 30 s by default, and at most
5 minutes for a whole call including its retries; four attempts with capped exponential
back-off and full jitter; ``Retry-After`` honoured up to two minutes; retries on 429 and
500/502/503/504. Both classes are public (``from salesmanago_idosell import RetryPolicy,
Timeout``) and settable through ``IntegrationConfig`` and environment variables.
"""

from __future__ import annotations

import math
import random
import threading
import time
import weakref
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
    """Timeouts of one API call, in seconds.

    Attributes:
        connect: the TCP/TLS connection must be open within this time (5 s).
        read: the server must send something within this time of the last bytes (30 s).
        total: the deadline of the whole call, retries and waits included (300 s); no
            retry is started that could not finish before it, and each attempt's read
            timeout is shortened to what is left. ``None`` for no deadline.

    Example:
        >>> Timeout(connect=3, read=20, total=60)
        Timeout(connect=3, read=20, total=60)
    """

    connect: float = 5.0
    read: float = 30.0
    total: float | None = 300.0

    def __attrs_post_init__(self) -> None:
        values = [self.connect, self.read] + ([self.total] if self.total is not None else [])
        if not all(math.isfinite(v) and v > 0 for v in values):
            raise ValidationError("timeouts must be positive finite seconds", field="timeout")

    @classmethod
    def of(cls, value: float | Timeout | tuple[float, float]) -> Timeout:
        """Accept a single number (connect and read), a ``(connect, read)`` pair or a Timeout."""
        if isinstance(value, Timeout):
            return value
        if isinstance(value, tuple):
            return cls(connect=value[0], read=value[1])
        return cls(connect=float(value), read=float(value))

    @classmethod
    def parse(cls, text: str) -> Timeout:
        """``"30"`` (connect and read), ``"5,30"`` or ``"5,30,120"`` (connect, read, total).

        Raises:
            ValidationError: not one to three positive numbers.
        """
        try:
            parts = [float(p) for p in text.split(",")]
        except ValueError:
            raise ValidationError(
                "timeout: expected 'read', 'connect,read' or 'connect,read,total' seconds",
                field="timeout",
            ) from None
        if len(parts) == 1:
            return cls(connect=parts[0], read=parts[0])
        if len(parts) in (2, 3):
            return cls(*parts)
        raise ValidationError("timeout: at most three numbers", field="timeout")


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
        times = (self.backoff_base, self.backoff_max, self.retry_after_max)
        if not all(math.isfinite(t) and t >= 0 for t in times):
            raise ValidationError("back-off times must be finite and not negative", field="retry")

    @classmethod
    def parse(cls, text: str) -> RetryPolicy:
        """``"4"`` (attempts) or ``"attempts,backoff_base,backoff_max,retry_after_max"``.

        Raises:
            ValidationError: not one to four numbers, or out of range.
        """
        parts = text.split(",")
        try:
            if not 1 <= len(parts) <= 4:
                raise ValueError
            return cls(int(parts[0]), *(float(p) for p in parts[1:]))
        except ValueError:
            raise ValidationError(
                "retry: expected 'attempts' or 'attempts,backoff_base,backoff_max,retry_after_max'",
                field="retry",
            ) from None

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
    """Spaces calls so that at most ``per_second`` start in any second (injected clock).

    Thread-safe: several clients (and threads) may share one limiter; each caller reserves
    the next free slot under a lock and sleeps outside it.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not (math.isfinite(per_second) and per_second > 0):
            raise ValidationError("rate limit must be a positive finite number", field="rate_limit")
        self.interval = 1.0 / per_second
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RateLimiter(per_second={1.0 / self.interval:g})"

    @property
    def per_second(self) -> float:
        """The limit, in calls per second."""
        return 1.0 / self.interval

    def slow_down(self, per_second: float) -> None:
        """Lower the limit to ``per_second`` (a higher value changes nothing)."""
        with self._lock:
            self.interval = max(self.interval, 1.0 / per_second)

    def acquire(self) -> None:
        """Block until the next call may start."""
        with self._lock:
            now = self._clock()
            start = now if self._next is None or now >= self._next else self._next
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


_SHARED: weakref.WeakValueDictionary[tuple[object, ...], RateLimiter] = (
    weakref.WeakValueDictionary()
)
_SHARED_LOCK = threading.Lock()


def shared_limiter(
    budget: str,
    per_second: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> RateLimiter:
    """The one :class:`RateLimiter` of ``budget`` in this process (created on first use).

    Every client asking for the same budget (e.g. ``"idosell https://shop/api/admin/v6"``)
    and the same clock gets the same limiter, so together they stay within the limit. A
    client asking for a lower limit lowers it for all (the shop's budget is the strictest
    one asked); the limiter lives as long as a client holds it.
    """
    key = (budget, id(clock))  # one timebase per clock object
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = RateLimiter(per_second, clock=clock, sleep=sleep)
            _SHARED[key] = limiter
        else:
            limiter.slow_down(per_second)
    return limiter
