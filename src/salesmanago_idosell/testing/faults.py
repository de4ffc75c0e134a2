"""Fault injection for the fake servers, deterministic for a seed.

A :class:`Faults` value describes a mix of misbehaviour (error rate, 429 rate, dropped
connections, latency, "fail after the write"); a :class:`FaultInjector` applies it per
endpoint. Whether request number *n* to an endpoint fails depends only on the seed, the
endpoint and *n*, so a run with the same seed and the same request sequence fails the same
way, even when other endpoints are called concurrently.

Example:
    >>> from salesmanago_idosell.testing import FakeSalesmanago, Faults
    >>> fake = FakeSalesmanago(seed=7, faults=Faults(error_rate=0.2, retry_after=1))
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, TypeAlias

__all__ = ["Decision", "FaultInjector", "FaultKind", "FaultSpec", "Faults"]

FaultKind = Literal["error", "throttle", "drop", "after_write_error", "after_write_drop"]


@dataclass(frozen=True)
class Faults:
    """A mix of faults; rates are probabilities per request (0.0 - 1.0, summed <= 1).

    Attributes:
        error_rate: share of requests answered with one of ``error_statuses``.
        error_statuses: the 5xx statuses to pick from.
        throttle_rate: share answered ``429 Too Many Requests`` with ``Retry-After``.
        retry_after: the ``Retry-After`` value in seconds.
        drop_rate: share whose connection is closed without an answer.
        fail_after_write_rate: share that is processed (the data is stored) and then
            answered with ``fail_after_write_status`` - or dropped when that is ``None``.
        fail_after_write_status: status sent after the write, ``None`` = drop.
        latency: seconds added to every request.
    """

    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    throttle_rate: float = 0.0
    retry_after: int = 1
    drop_rate: float = 0.0
    fail_after_write_rate: float = 0.0
    fail_after_write_status: int | None = 500
    latency: float = 0.0

    def __post_init__(self) -> None:
        rates = (self.error_rate, self.throttle_rate, self.drop_rate, self.fail_after_write_rate)
        if any(r < 0 for r in rates) or sum(rates) > 1.0 + 1e-9:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")
        if self.latency < 0:
            raise ValueError("latency must be >= 0")


#: ``Faults`` for every endpoint, or a mapping endpoint -> ``Faults`` (``"*"`` = default).
FaultSpec: TypeAlias = Faults | Mapping[str, Faults] | None


@dataclass(frozen=True)
class Decision:
    """What to do with one request.

    Attributes:
        kind: the fault kind, or ``None`` for a normal answer.
        latency: seconds to wait before answering.
        status: status to answer *instead of* handling (error / throttle), else ``None``.
        retry_after: ``Retry-After`` seconds for a throttle.
        after: ``"status"`` or ``"drop"`` to fail after handling, else ``None``.
        after_status: the status for ``after == "status"``.
    """

    kind: FaultKind | None = None
    latency: float = 0.0
    status: int | None = None
    retry_after: int = 0
    after: Literal["status", "drop"] | None = None
    after_status: int = 500

    @property
    def drop_before(self) -> bool:
        """Whether the connection is dropped before the request is handled."""
        return self.kind == "drop"


class FaultInjector:
    """Decides, per endpoint and per request, whether and how a request fails."""

    def __init__(self, *, seed: int = 0, faults: FaultSpec = None) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._faults: dict[str, Faults] = {}
        self._counters: dict[str, int] = {}
        self._queued: dict[str, deque[tuple[FaultKind, int]]] = {}
        if isinstance(faults, Faults):
            self._faults["*"] = faults
        elif faults is not None:
            self._faults.update(faults)

    def set(self, faults: FaultSpec, *, endpoint: str | None = None) -> None:
        """Set (or with ``None`` clear) the faults of one endpoint, or the default; a mapping
        endpoint -> ``Faults`` sets several at once."""
        if faults is not None and not isinstance(faults, Faults):
            if endpoint is not None:
                raise ValueError("give a mapping of endpoints, or one Faults with endpoint=")
            for name, value in faults.items():
                self.set(value, endpoint=name)
            return
        key = endpoint or "*"
        with self._lock:
            if faults is None:
                self._faults.pop(key, None)
            else:
                self._faults[key] = faults

    def inject(
        self,
        kind: FaultKind,
        *,
        endpoint: str | None = None,
        times: int = 1,
        status: int | None = None,
    ) -> None:
        """Queue ``times`` faults of ``kind`` for the next requests to ``endpoint`` (or any).

        ``status`` is the HTTP status of ``"error"`` (default 503) and
        ``"after_write_error"`` (default 500) faults.
        Queued faults take precedence over the random mix.
        """
        with self._lock:
            queue = self._queued.setdefault(endpoint or "*", deque())
            queue.extend([(kind, status or 0)] * times)

    def decide(self, endpoint: str) -> Decision:
        """The decision for the next request to ``endpoint``."""
        with self._lock:
            number = self._counters.get(endpoint, 0)
            self._counters[endpoint] = number + 1
            faults = self._lookup(endpoint)
            queued = self._pop_queued(endpoint)
        latency = faults.latency if faults else 0.0
        if queued is not None:
            return _decision(queued[0], queued[1], faults or Faults(), latency)
        if faults is None:
            return Decision()
        rng = random.Random(f"{self.seed}|{endpoint}|{number}")
        return _random_decision(rng, faults)

    def _lookup(self, endpoint: str) -> Faults | None:
        path = endpoint.split(" ", 1)[-1]
        for key in (endpoint, path, "*"):
            if key in self._faults:
                return self._faults[key]
        return None

    def _pop_queued(self, endpoint: str) -> tuple[FaultKind, int] | None:
        path = endpoint.split(" ", 1)[-1]
        for key in (endpoint, path, "*"):
            queue = self._queued.get(key)
            if queue:
                return queue.popleft()
        return None


def _random_decision(rng: random.Random, faults: Faults) -> Decision:
    draw = rng.random()
    kinds: list[tuple[float, FaultKind]] = [
        (faults.drop_rate, "drop"),
        (faults.error_rate, "error"),
        (faults.throttle_rate, "throttle"),
        (faults.fail_after_write_rate, "after_write_error"),
    ]
    threshold = 0.0
    for rate, kind in kinds:
        threshold += rate
        if draw < threshold:
            chosen: FaultKind = kind
            if kind == "after_write_error" and faults.fail_after_write_status is None:
                chosen = "after_write_drop"
            status = rng.choice(faults.error_statuses) if kind == "error" else 0
            return _decision(chosen, status, faults, faults.latency)
    return Decision(latency=faults.latency)


def _decision(kind: FaultKind, status: int, faults: Faults, latency: float) -> Decision:
    if kind == "error":
        return Decision(kind=kind, latency=latency, status=status or 503)
    if kind == "throttle":
        return Decision(kind=kind, latency=latency, status=429, retry_after=faults.retry_after)
    if kind == "drop":
        return Decision(kind=kind, latency=latency)
    if kind == "after_write_drop":
        return Decision(kind=kind, latency=latency, after="drop")
    after_status = status or faults.fail_after_write_status or 500
    return Decision(kind=kind, latency=latency, after="status", after_status=after_status)
