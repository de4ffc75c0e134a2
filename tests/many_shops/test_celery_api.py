"""The Celery helpers that need no broker: beat entries, validation, transient reports."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone
from pathlib import Path

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.shops import ShopConfig, ShopRegistry
from salesmanago_idosell.sync.report import SyncReport

celery = pytest.importorskip("celery", reason="the 'celery' extra is not installed")

from salesmanago_idosell.celery import (  # noqa: E402 - after the importorskip
    TASKS,
    TransientRunError,
    beat_schedule,
    register,
    transient_failure,
)


def test_beat_schedule_fans_out_each_task_on_its_own_schedule() -> None:
    entries = beat_schedule({"sync_changes": 300, "sync_offer": 21600}, shops=["a"])
    assert entries == {
        "salesmanago_idosell:sync_changes": {
            "task": "salesmanago_idosell.fan_out",
            "schedule": 300,
            "args": ("sync_changes", ["a"]),
        },
        "salesmanago_idosell:sync_offer": {
            "task": "salesmanago_idosell.fan_out",
            "schedule": 21600,
            "args": ("sync_offer", ["a"]),
        },
    }
    with pytest.raises(ValidationError, match="unknown task 'sync_everything'"):
        beat_schedule({"sync_everything": 60})


def test_register_adds_every_task_with_late_acknowledgement(tmp_path: Path) -> None:
    app = celery.Celery("unit", broker="memory://", backend="cache+memory://")
    registry = ShopRegistry([ShopConfig(key="a")])
    shops = register(app, registry=registry, state=f"{tmp_path}/")
    for name in TASKS:
        task = app.tasks[f"salesmanago_idosell.{name}"]
        assert task.acks_late
        assert task.reject_on_worker_lost
    assert "salesmanago_idosell.fan_out" in app.tasks
    other = celery.Celery("another", broker="memory://")
    assert "salesmanago_idosell.sync_changes" not in other.tasks  # registered on `app` only
    with pytest.raises(ValidationError, match="unknown task"):
        shops.enqueue("sync_all")
    with pytest.raises(ValidationError, match="no shop 'b'"):
        shops.enqueue("sync_changes", ["b"])
    assert 2.5 <= shops.backoff(0) <= 5.0
    assert 300.0 <= shops.backoff(10) <= 600.0  # capped


def _report(errors: list[str], failed: dict[str, int] | None = None) -> SyncReport:
    report = SyncReport(started_at=datetime.now(timezone.utc))
    report.errors.extend(errors)
    for reason, count in (failed or {}).items():
        report.stream("customers").failed[reason] += count
    return report


def test_transient_failures_are_told_from_refusals() -> None:
    assert transient_failure(_report([])) is None
    assert transient_failure(_report(["orders: reading IdoSell: ServerError: 503"])) is not None
    assert transient_failure(_report([], {"TransportError": 3})) == "customers: TransportError"
    assert transient_failure(_report(["customers: refused"], {"refused by SALESmanago": 2})) is None
    error = TransientRunError("ended early", shop="a", reason="ServerError")
    assert pickle.loads(pickle.dumps(error)).reason == "ServerError"  # noqa: S301
