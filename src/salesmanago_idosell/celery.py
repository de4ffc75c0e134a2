"""Celery tasks for many shops (the ``celery`` extra).

:func:`register` adds the SDK's tasks to *your* Celery app::

    from celery import Celery
    from salesmanago_idosell.celery import beat_schedule, register

    app = Celery("agency", broker="redis://...", backend="redis://...")
    shops = register(app, registry="/etc/smido/shops.toml", state="postgresql://.../smido")
    app.conf.beat_schedule = beat_schedule({"sync_changes": 300, "sync_offer": 6 * 3600})

Tasks (each takes a shop key; names ``salesmanago_idosell.<name>``): ``sync_changes``,
``export_customers``, ``export_subscribers``, ``sync_orders``, ``sync_offer`` and
``fan_out(task, shops=None)``, which enqueues one task per shop of the registry.

How they behave:

* **late acknowledgement** (``acks_late``, ``reject_on_worker_lost``): a worker killed in the
  middle of a shop sends the message back to the queue and another worker resumes the shop
  from its last checkpoint (orders left ``pending`` are reconciled, never blindly re-sent),
  after ``redelivery_delay`` seconds so that the dead attempt's last request has landed;
* **one run per shop**: a shop whose run lease is held elsewhere ends at once with
  ``{"status": "skipped", "reason": "already running: ..."}`` — a success, not retried, so
  overlapping schedules cannot build a retry storm, and no worker waits on a busy shop;
* **retries with back-off** for transient errors (no answer, 429/5xx after the transport's
  own retries — raised, or recorded in the run's report — and a lost state-database
  connection): exponential, jittered, capped; the last attempt returns its report;
* **JSON results**: ``{"shop", "task", "status": "ok" | "problems" | "skipped", "report",
  "worker"}`` (``worker``: host and pid that ran it; ``reason`` instead of ``report`` for a
  skip) with :meth:`SyncReport.to_dict <salesmanago_idosell.sync.report.SyncReport.to_dict>`.
"""

from __future__ import annotations

import logging
import os
import random
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import (
    JobTimeoutError,
    RateLimitError,
    SalesmanagoIdosellError,
    ServerError,
    SyncInProgressError,
    TransportError,
    ValidationError,
)
from .shops import ShopConfig, ShopRegistry
from .sync.report import SyncReport

try:
    from celery import Celery, Task
    from celery.result import AsyncResult
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "salesmanago_idosell.celery needs the 'celery' extra: "
        "pip install 'salesmanago-idosell[celery]'"
    ) from exc

__all__ = [
    "TASKS",
    "ShopTasks",
    "TransientRunError",
    "beat_schedule",
    "register",
    "transient_failure",
]

logger = logging.getLogger("salesmanago_idosell")

#: The per-shop tasks :func:`register` adds.
TASKS = ("sync_changes", "export_customers", "export_subscribers", "sync_orders", "sync_offer")
PREFIX = "salesmanago_idosell"


def _transient() -> tuple[type[BaseException], ...]:
    kinds: list[type[BaseException]] = [
        TransportError,
        ServerError,
        RateLimitError,
        JobTimeoutError,
        ConnectionError,
    ]
    try:
        import psycopg  # noqa: PLC0415 - the postgres extra is optional
        import psycopg_pool  # noqa: PLC0415

        kinds += [psycopg.OperationalError, psycopg_pool.PoolTimeout]
    except ImportError:  # pragma: no cover - without the postgres extra
        pass
    return tuple(kinds)


#: Errors retried with back-off (anything else fails the task at once).
TRANSIENT = _transient()

#: Names of the transient errors a run records in its report instead of raising them.
_TRANSIENT_NAMES = re.compile(
    r"\b(TransportError|APITimeoutError|ServerError|RateLimitError|JobTimeoutError)\b"
)


def transient_failure(report: SyncReport) -> str | None:
    """Why a finished run is worth retrying: a transient error cut a stream short.

    A run does not raise for an unreachable shop or a 5xx that outlasted the transport's
    retries: the stream stops at its last checkpoint and the report says why (``errors``,
    ``streams[...].failed`` by error class). Those are retried; refusals are not.
    """
    for error in report.errors:
        if _TRANSIENT_NAMES.search(error):
            return error
    for stream in report.streams.values():
        for reason in stream.failed:
            if _TRANSIENT_NAMES.fullmatch(reason):
                return f"{stream.name}: {reason}"
    return None


class TransientRunError(SalesmanagoIdosellError):
    """A run ended early on a transient error (the task is retried).

    Attributes:
        shop: the shop key.
        reason: the report's error that made it transient.
    """

    def __init__(self, message: str, *, shop: str, reason: str) -> None:
        super().__init__(message)
        self.shop = shop
        self.reason = reason


_RETRIED: tuple[type[BaseException], ...] = (*TRANSIENT, TransientRunError)
RegistrySource = ShopRegistry | str | Path | Callable[[], ShopRegistry]


def _loader(source: RegistrySource) -> Callable[[], ShopRegistry]:
    if isinstance(source, ShopRegistry):
        return lambda: source
    if isinstance(source, str | Path):
        path = Path(source)
        return lambda: ShopRegistry.from_toml(path)  # re-read: shops change without restarts
    return source


def _worker() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class ShopTasks:
    """What :func:`register` returns: the registered tasks and helpers to enqueue them.

    Attributes:
        app: the Celery app.
        tasks: task name (``"sync_changes"``, ...) -> the registered Celery task.
    """

    def __init__(
        self,
        app: Celery,
        *,
        registry: Callable[[], ShopRegistry],
        state: str | Path,
        lease_ttl: float,
        max_retries: int,
        backoff_max: float,
        environ: Mapping[str, str] | None,
        backoff_base: float = 5.0,
        redelivery_delay: float = 60.0,
    ) -> None:
        self.app = app
        self.registry = registry
        self.state = state
        self.lease_ttl = lease_ttl
        self.max_retries = max_retries
        self.backoff_max = backoff_max
        self.backoff_base = backoff_base
        self.redelivery_delay = redelivery_delay
        self.environ = environ
        self.tasks: dict[str, Task] = {}

    def __repr__(self) -> str:
        return f"ShopTasks(app={self.app.main!r}, tasks={sorted(self.tasks)})"

    def run(self, name: str, key: str, *, attempt: int = 1, last: bool = True) -> dict[str, Any]:
        """Run one task body in this process (what the worker does); returns the result.

        Raises:
            TransientRunError: unless ``last``, when the run ended on a transient error.
        """
        shop: ShopConfig = self.registry()[key]
        integration = shop.integration(self.state, environ=self.environ, lease_ttl=self.lease_ttl)
        try:
            if name == "sync_offer":
                feed = shop.settings.get("offer_feed")
                if not feed:
                    raise ValidationError(
                        f"shop {key!r} has no offer_feed setting", field="offer_feed"
                    )
                report = integration.sync_offer(
                    feed, categories=shop.settings.get("offer_categories")
                )
            else:
                report = getattr(integration, name)()
        except SyncInProgressError as exc:
            logger.info("shop %s: %s skipped, already running (%s)", key, name, exc.holder)
            return {
                "shop": key,
                "task": name,
                "status": "skipped",
                "reason": f"already running: {exc.holder}",
                "attempts": attempt,
                "worker": _worker(),
            }
        finally:
            integration.close()
        transient = transient_failure(report)
        if transient is not None and not last:
            raise TransientRunError(
                f"shop {key!r}: {name} ended early: {transient}", shop=key, reason=transient
            )
        return {
            "shop": key,
            "task": name,
            "status": "ok" if report.ok else "problems",
            "attempts": attempt,
            "report": report.to_dict(),
            "worker": _worker(),
        }

    def enqueue(
        self, task: str, shops: Iterable[str] | None = None, **options: Any
    ) -> list[AsyncResult]:
        """Enqueue ``task`` once per shop (all registry shops by default).

        Args:
            task: one of :data:`TASKS`.
            shops: shop keys (checked against the registry).
            options: passed to ``apply_async`` (``queue``, ``countdown``, ...).

        Raises:
            ValidationError: an unknown task or shop key.
        """
        if task not in TASKS:
            raise ValidationError(f"unknown task {task!r}; one of {TASKS}", field="task")
        registry = self.registry()
        keys = registry.keys() if shops is None else [registry[k].key for k in shops]
        return [self.tasks[task].apply_async((k,), **options) for k in keys]

    def backoff(self, retries: int) -> float:
        """Seconds before retry ``retries + 1``: doubling from ``backoff_base``, capped."""
        ceiling = min(self.backoff_max, self.backoff_base * 2**retries)
        return random.uniform(ceiling / 2, ceiling)


def register(
    app: Celery,
    *,
    registry: RegistrySource,
    state: str | Path,
    lease_ttl: float = 120.0,
    max_retries: int = 5,
    backoff_base: float = 5.0,
    backoff_max: float = 600.0,
    redelivery_delay: float = 60.0,
    environ: Mapping[str, str] | None = None,
) -> ShopTasks:
    """Register the SDK's tasks on ``app``.

    Args:
        app: your Celery app (any broker; a result backend to read the reports).
        registry: a :class:`ShopRegistry`, a TOML file (re-read for every task, so shops are
            added without restarting workers) or a callable returning the registry.
        state: ``postgresql://...`` (shared by every worker; needed as soon as workers run
            on more than one machine) or a SQLite path with ``{shop}`` / a directory.
        lease_ttl: seconds a shop's run lease lasts unless renewed (renewed after every page):
            how long a worker killed on another host blocks its shop.
        max_retries: retries of a task ended by a transient error (raised, or recorded in
            its report: see :func:`transient_failure`); the last attempt returns its report.
        backoff_base: seconds before the first retry (doubling, jittered between half and
            all of it).
        backoff_max: the cap of the retry back-off, in seconds.
        redelivery_delay: seconds a task redelivered after its worker died waits (as a
            retry, holding no worker) before it resumes the shop: the dead attempt's last
            SALESmanago request may still be processed, and reconciling before it lands
            would send its orders again.
        environ: where secrets' variables are read (default: the worker's environment).

    Returns:
        the :class:`ShopTasks`.
    """
    shops = ShopTasks(
        app,
        registry=_loader(registry),
        state=state,
        lease_ttl=lease_ttl,
        max_retries=max_retries,
        backoff_max=backoff_max,
        environ=environ,
        backoff_base=backoff_base,
        redelivery_delay=redelivery_delay,
    )

    def make(name: str) -> Task:
        def body(self: Task, shop: str) -> dict[str, Any]:
            retries = int(self.request.retries)
            redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
            if redelivered and retries == 0 and shops.redelivery_delay > 0:
                # the attempt that had this message died mid-run: its last request may still
                # be processed by SALESmanago; reconciling now could miss it and send again
                logger.warning(
                    "shop %s: %s was redelivered (a worker died); resuming in %.0f s",
                    shop,
                    name,
                    shops.redelivery_delay,
                )
                raise self.retry(countdown=shops.redelivery_delay)
            last = retries >= shops.max_retries + (1 if redelivered else 0)
            try:
                return shops.run(name, shop, attempt=retries + 1, last=last)
            except _RETRIED as exc:
                if last:
                    raise
                delay = shops.backoff(retries)
                logger.warning(
                    "shop %s: %s failed (%s); retry %d in %.0f s",
                    shop,
                    name,
                    type(exc).__name__,
                    retries + 1,
                    delay,
                )
                raise self.retry(exc=exc, countdown=delay) from exc

        body.__name__ = name
        body.__doc__ = f"Run ``Integration.{name}()`` for one shop of the registry."
        task: Task = app.task(
            bind=True,
            name=f"{PREFIX}.{name}",
            acks_late=True,
            reject_on_worker_lost=True,
            max_retries=None,  # counted by the body, which re-raises after max_retries
            shared=False,  # on this app only, not on every app the process creates
        )(body)
        return task

    for name in TASKS:
        shops.tasks[name] = make(name)

    def fan_out(task: str, shops_: list[str] | None = None) -> dict[str, Any]:
        results = shops.enqueue(task, shops_)
        return {"task": task, "enqueued": len(results), "ids": [r.id for r in results]}

    fan_out.__doc__ = "Enqueue one ``task`` per shop of the registry (for beat)."
    shops.tasks["fan_out"] = app.task(name=f"{PREFIX}.fan_out", shared=False)(fan_out)
    return shops


def beat_schedule(
    every: Mapping[str, float | Any], *, shops: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Celery beat entries running ``fan_out`` for each task on its own schedule.

    Args:
        every: task name -> seconds between runs, or any Celery schedule
            (``celery.schedules.crontab(minute="*/5")``).
        shops: only these shop keys (default: the whole registry at run time).

    Returns:
        entries for ``app.conf.beat_schedule`` (``"salesmanago_idosell:sync_changes"``...).

    Raises:
        ValidationError: an unknown task name.
    """
    entries: dict[str, dict[str, Any]] = {}
    for task, schedule in every.items():
        if task not in TASKS:
            raise ValidationError(f"unknown task {task!r}; one of {TASKS}", field="task")
        entries[f"{PREFIX}:{task}"] = {
            "task": f"{PREFIX}.fan_out",
            "schedule": schedule,
            "args": (task, shops),
        }
    return entries
