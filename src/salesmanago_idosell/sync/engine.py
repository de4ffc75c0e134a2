"""The pieces every sync stream shares: run context, throttling, progress, contact batches.

A contact stream reads pages from IdoSell, maps each record (pure), and writes batches to
SALESmanago. The cursor (the next page to read, plus the stream's own fields) is checkpointed
only after SALESmanago acknowledged a batch, so an interrupted run resumes from the last
acknowledged batch: nothing is skipped, and at most one batch (idempotent upserts) is sent
twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from attrs import define, field

from ..errors import AuthenticationError, SalesmanagoIdosellError
from ..idosell import IdosellClient, Page
from ..idosell.models import ServerLoad
from ..mapping import Skip
from ..salesmanago import ContactUpsert, SalesmanagoClient
from ..salesmanago.contacts import BATCH_MAX
from .report import SyncReport
from .state import StateStore

__all__ = ["ContactStream", "Progress", "Run", "Throttle", "dump_cursor", "load_cursor"]

logger = logging.getLogger("salesmanago_idosell")
T = TypeVar("T")

#: ``progress(stream, done, total)``: called after every page; ``total`` may be ``None``.
Progress = Callable[[str, int, "int | None"], None]


def load_cursor(raw: str | None) -> dict[str, Any]:
    """A stored cursor as a dict (``{}`` for none or an unreadable one)."""
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        logger.warning("ignoring an unreadable sync cursor: %r", raw[:80])
        return {}
    return value if isinstance(value, dict) else {}


def dump_cursor(value: dict[str, Any]) -> str:
    """A cursor as stored text."""
    return json.dumps(value, sort_keys=True)


class Throttle:
    """Checks IdoSell's server load every few pages and waits while it is overloaded.

    Args:
        idosell: the client (its ``system.server_load()`` is asked).
        every: pages between two checks.
        backoff: seconds to wait per overloaded answer.
        sleep: the sleep function (injected in tests).
        max_waits: give up waiting (and go on) after this many overloaded answers in a row.
    """

    def __init__(
        self,
        idosell: IdosellClient,
        *,
        every: int,
        backoff: float,
        sleep: Callable[[float], None],
        max_waits: int = 20,
    ) -> None:
        self._idosell = idosell
        self._every = every
        self._backoff = backoff
        self._sleep = sleep
        self._max_waits = max_waits
        self._pages = 0
        self.waited = 0.0

    def page_done(self) -> None:
        """Count a page; every ``every`` pages, wait while the server is overloaded."""
        self._pages += 1
        if self._pages % self._every:
            return
        for _ in range(self._max_waits):
            if self._idosell.system.server_load() is not ServerLoad.OVERLOADED:
                return
            logger.info("IdoSell reports an overloaded server; waiting %.0f s", self._backoff)
            self._sleep(self._backoff)
            self.waited += self._backoff


@define
class Run:
    """What one sync run works with."""

    idosell: IdosellClient
    salesmanago: SalesmanagoClient
    state: StateStore
    report: SyncReport
    throttle: Throttle
    dry_run: bool = False
    progress: Progress | None = None

    def tick(self, stream: str, page: Page[Any]) -> None:
        """After a page: throttle and report progress."""
        self.throttle.page_done()
        if self.progress is not None:
            self.progress(stream, self.report.stream(stream).read, page.total_items)


@define
class ContactStream(Generic[T]):
    """A resumable stream of IdoSell records written to SALESmanago as contact upserts.

    Attributes:
        name: the report's stream name (``customers``, ``subscribers``).
        key: the state store's stream key (``customers.export``, ...).
        pages: yields the source's pages from a given page number.
        to_contact: the pure mapping of one record.
        batch_size: a batch is sent once this many contacts are collected (whole pages, so a
            batch may be larger), in requests of at most 1000 contacts.
        cursor: the cursor fields of this run (``since`` ...), stored with the page.
    """

    name: str
    key: str
    pages: Callable[[int], Iterator[Page[T]]]
    to_contact: Callable[[T], ContactUpsert | Skip]
    batch_size: int
    cursor: dict[str, Any] = field(factory=dict)
    _buffer: list[ContactUpsert] = field(factory=list, init=False)

    def run(self, run: Run, *, start_page: int) -> bool:
        """Run to the end; True when complete, False when stopped by a failed batch."""
        stream = run.report.stream(self.name)
        next_page = start_page
        for page in self.pages(start_page):
            next_page = page.number + 1
            self._map(run, page.items)
            run.tick(self.name, page)
            if len(self._buffer) >= self.batch_size and not self._flush(run, next_page):
                return False
        complete = self._flush(run, next_page)
        if complete:
            logger.info("%s: %d read, %d sent", self.name, stream.read, stream.sent)
        return complete

    def _map(self, run: Run, items: Iterable[T]) -> None:
        stream = run.report.stream(self.name)
        for item in items:
            stream.read += 1
            mapped = self.to_contact(item)
            if isinstance(mapped, Skip):
                run.report.skip(self.name, mapped.record, mapped.reason)
            else:
                self._buffer.append(mapped)

    def _flush(self, run: Run, next_page: int) -> bool:
        batch, self._buffer = self._buffer, []
        stream = run.report.stream(self.name)
        if run.dry_run:
            stream.sent += len(batch)
            return True
        if batch:
            try:
                result = run.salesmanago.contacts.batch_upsert(batch, chunk_size=BATCH_MAX)
            except AuthenticationError:  # refused credentials stop the whole run
                raise
            except SalesmanagoIdosellError as exc:
                run.report.fail(self.name, [c.email for c in batch], type(exc).__name__)
                run.report.errors.append(f"{self.name}: {exc}")
                return False
            self._count(run, batch, result.contact_ids, result.messages)
        run.state.checkpoint(self.key, dump_cursor({**self.cursor, "page": next_page}))
        return True

    def _count(
        self,
        run: Run,
        batch: list[ContactUpsert],
        ids: Mapping[str, str],
        messages: tuple[str, ...],
    ) -> None:
        stream = run.report.stream(self.name)
        stored = {str(email).lower() for email in ids}
        refused = [c.email for c in batch if c.email.lower() not in stored]
        stream.sent += len(batch) - len(refused)
        stream.batches += 1
        if refused:
            reason = "refused by SALESmanago" + (f": {messages[0]}" if messages else "")
            run.report.fail(self.name, refused, reason)
