"""Dispatchers and what the receiver logs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import pytest

from salesmanago_idosell.webhooks import ThreadDispatcher, inline

from .test_receiver import SECRET, TOKEN, delivery, make


def test_thread_dispatcher_runs_in_order_on_one_thread() -> None:
    seen: list[tuple[Sequence[int], str]] = []

    def work(serials: Sequence[int]) -> int:
        seen.append((serials, threading.current_thread().name))
        return len(serials)

    dispatcher = ThreadDispatcher(work)
    for n in range(1, 6):
        dispatcher((n,))
    dispatcher.wait(timeout=10)
    assert [s for s, _ in seen] == [(1,), (2,), (3,), (4,), (5,)]
    assert len({name for _, name in seen}) == 1
    assert seen[0][1] != threading.current_thread().name
    assert dispatcher.done == 5
    assert dispatcher.last == 1
    dispatcher.close()


def test_a_failed_run_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[Sequence[int]] = []

    def work(serials: Sequence[int]) -> None:
        calls.append(serials)
        if serials == (1,):
            raise RuntimeError("shop down")

    dispatcher = ThreadDispatcher(work)
    with caplog.at_level(logging.ERROR, logger="salesmanago_idosell"):
        dispatcher((1,))
        dispatcher((2,))
        dispatcher.wait(timeout=10)
    assert calls == [(1,), (2,)]
    assert dispatcher.done == 1
    assert "targeted sync of 1 orders failed" in caplog.text
    dispatcher.close()


def test_inline_returns_the_work_result() -> None:
    assert inline(sum)((2, 3)) == 5


def test_secrets_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    receiver, _ = make()
    with caplog.at_level(logging.DEBUG, logger="salesmanago_idosell"):
        receiver.handle(*delivery())
        receiver.handle(*delivery(event="products.changed"))
        headers, body = delivery()
        headers["authorization"] = "Bearer " + TOKEN + "x"
        receiver.handle(headers, body)
    assert caplog.records
    assert SECRET not in caplog.text
    assert TOKEN not in caplog.text
