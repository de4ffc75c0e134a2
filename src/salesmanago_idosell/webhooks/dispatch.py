"""Dispatchers: what a valid webhook delivery's order serial numbers are handed to.

A dispatcher is any callable taking a tuple of serial numbers and returning quickly (the
receiver answers IdoSell only after it returns). :class:`ThreadDispatcher` runs the work on
one background thread, in arrival order; :func:`inline` runs it before answering (simple
deployments, tests). With Celery, a dispatcher is ``lambda serials: task.delay(serials)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

__all__ = ["ThreadDispatcher", "inline"]

logger = logging.getLogger("salesmanago_idosell")

Work = Callable[[Sequence[int]], Any]


def inline(work: Work) -> Callable[[tuple[int, ...]], Any]:
    """A dispatcher running ``work`` synchronously (the answer waits for the sync)."""

    def dispatch(serials: tuple[int, ...]) -> Any:
        return work(serials)

    return dispatch


class ThreadDispatcher:
    """Runs ``work(serials)`` on one background thread, one delivery after another.

    One thread keeps the runs of one shop sequential (the sync state and the clients are
    used by one run at a time). A failed run is logged; the next poll catches its orders.

    Args:
        work: what to run, e.g. ``integration.sync_orders_by_serial``.
    """

    def __init__(self, work: Work) -> None:
        self._work = work
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smido-webhook")
        #: Deliveries processed so far, and the last one's result (e.g. its ``SyncReport``).
        self.done = 0
        self.last: Any = None

    def __repr__(self) -> str:
        return f"ThreadDispatcher(done={self.done})"

    def __call__(self, serials: tuple[int, ...]) -> Future[Any]:
        return self._pool.submit(self._run, serials)

    def _run(self, serials: tuple[int, ...]) -> Any:
        try:
            result = self._work(serials)
        except Exception:
            logger.exception("webhook: the targeted sync of %d orders failed", len(serials))
            raise
        self.done += 1
        self.last = result
        return result

    def wait(self, timeout: float | None = None) -> None:
        """Block until every delivery handed over so far has been processed."""
        self._pool.submit(lambda: None).result(timeout=timeout)

    def close(self) -> None:
        """Finish the queued work and stop the thread."""
        self._pool.shutdown(wait=True)
