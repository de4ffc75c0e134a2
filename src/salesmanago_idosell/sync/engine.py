"""The pieces every sync stream shares: the run, throttling, the one page loop, contact batches.

A stream reads pages from IdoSell, maps each record (pure) into a :class:`Sink`, and the
sink writes batches of at most its batch size to SALESmanago, splitting pages when needed.
After each acknowledged batch the stream's :class:`~.cursor.Cursor` is checkpointed together
with the batch's delivery states; the cursor's page is the first page whose records are not
all acknowledged (see :mod:`.cursor` for the resume rule).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

from attrs import define, field

from ..errors import AuthenticationError, SalesmanagoIdosellError, SyncInProgressError
from ..idosell import IdosellClient, Page
from ..idosell.models import ServerLoad
from ..mapping import Skip
from ..salesmanago import ContactUpsert, SalesmanagoClient
from ..salesmanago.contacts import BATCH_MAX
from .cursor import Cursor
from .delivery import LeaseHolder
from .report import SyncReport
from .state import StateStore

__all__ = ["ContactSink", "Progress", "Run", "Sink", "Throttle", "run_pages"]

logger = logging.getLogger("salesmanago_idosell")
T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

#: ``progress(stream, done, total)``: called after every page; ``total`` may be ``None``.
Progress = Callable[[str, int, "int | None"], None]


class Throttle:
    """Asks IdoSell's server load when it matters, and waits while it is overloaded.

    The probe adapts to the shop: it asks after an overload answer (429, 5xx or none), after
    a page whose answer took more than ``slow_factor`` times the usual one (a moving average
    of the run's page times; answers under ``floor`` seconds never count as slow) unless the
    last check was under ``every // 5`` pages ago, and at the latest after ``every`` pages
    without asking. A healthy shop is asked about once per ``every`` pages; a failing one at
    once.

    Args:
        idosell: the client (its ``system.server_load()`` is asked, its ``load_signals``
            watched).
        every: the most pages between two checks.
        backoff: seconds to wait per overloaded answer.
        sleep: the sleep function (injected in tests).
        max_waits: give up waiting (and go on) after this many overloaded answers in a row.
        slow_factor: a page slower than this many times the usual one triggers a check.
        floor: answers faster than this (seconds) never count as slow.
    """

    def __init__(
        self,
        idosell: IdosellClient,
        *,
        every: int,
        backoff: float,
        sleep: Callable[[float], None],
        max_waits: int = 20,
        slow_factor: float = 2.0,
        floor: float = 0.05,
    ) -> None:
        self._idosell = idosell
        self._every = every
        self._backoff = backoff
        self._sleep = sleep
        self._max_waits = max_waits
        self._slow_factor = slow_factor
        self._floor = floor
        self._pages = 0
        self._usual: float | None = None
        self._overloads = self._signals()[0]
        self.waited = 0.0
        #: Server-load checks made.
        self.checks = 0

    def _signals(self) -> tuple[int, float]:
        signals = getattr(self._idosell, "load_signals", None)
        return signals if isinstance(signals, tuple) else (0, 0.0)

    def _due(self) -> bool:
        overloads, elapsed = self._signals()
        overloaded, self._overloads = overloads > self._overloads, overloads
        usual = self._usual
        slow = (
            usual is not None
            and elapsed > self._floor
            and elapsed > self._slow_factor * usual
            and self._pages >= max(1, self._every // 5)
        )
        if elapsed > 0:  # a moving average of the page times
            self._usual = elapsed if usual is None else 0.8 * usual + 0.2 * elapsed
        return overloaded or slow or self._pages >= self._every

    def page_done(self, keep_alive: Callable[[], None] = lambda: None) -> None:
        """Count a page; when a check is due, wait while the server is overloaded."""
        self._pages += 1
        if not self._due():
            return
        self._pages = 0
        for _ in range(self._max_waits):
            self.checks += 1
            if self._idosell.system.server_load() is not ServerLoad.OVERLOADED:
                return
            logger.info("IdoSell reports an overloaded server; waiting %.0f s", self._backoff)
            self._sleep(self._backoff)
            self.waited += self._backoff
            keep_alive()


@define
class Run:
    """What one sync run works with (it holds the state's run lease while it runs)."""

    idosell: IdosellClient
    salesmanago: SalesmanagoClient
    state: StateStore
    report: SyncReport
    throttle: Throttle
    dry_run: bool = False
    progress: Progress | None = None
    holder: LeaseHolder | None = None
    lease_ttl: float = 600.0
    attempted: set[str] = field(factory=set)
    clock: Callable[[], float] = time.monotonic
    _renewed: float | None = field(default=None, init=False)

    def keep_alive(self) -> None:
        """Renew the run lease (after every page and every wait, before every send), at
        most once per tenth of its time to live: a renewal is a write transaction. A run
        blocked longer than that renews (and so checks) before it sends anything more.

        Raises:
            SyncInProgressError: the lease was lost (another run took it): stop at once.
        """
        if self.holder is None:
            return
        now = self.clock()
        if self._renewed is not None and now - self._renewed < self.lease_ttl / 10:
            return
        self.state.renew_lease(self.holder, ttl=self.lease_ttl)
        self._renewed = now

    def tick(self, stream: str, page: Page[Any]) -> None:
        """After a page: renew the lease, throttle and report progress."""
        self.keep_alive()
        self.throttle.page_done(self.keep_alive)
        if self.progress is not None:
            self.progress(stream, self.report.stream(stream).read, page.total_items)

    def read_failed(self, stream: str, exc: SalesmanagoIdosellError) -> None:
        """Record a failed IdoSell read; refused credentials and a lost lease stop the run."""
        if isinstance(exc, AuthenticationError | SyncInProgressError):
            raise exc
        self.report.errors.append(f"{stream}: reading IdoSell: {type(exc).__name__}: {exc}")


class Sink(Protocol[T_contra]):
    """Where a stream's records go: mapped, buffered, sent in batches, checkpointed."""

    def see(self, run: Run, items: Iterable[T_contra]) -> None:
        """Look at a page's records before they are added (batched look-ups)."""

    def add(self, run: Run, item: T_contra) -> None:
        """Map one record and buffer it (or report it skipped)."""

    def full(self) -> bool:
        """True when the buffer holds a whole batch."""

    def empty(self) -> bool:
        """True when nothing is buffered."""

    def flush(self, run: Run, resume: Cursor) -> bool:
        """Send the buffer; checkpoint ``resume`` with it. False stops the stream."""


def run_pages(
    run: Run,
    *,
    name: str,
    key: str,
    cursor: Cursor,
    pages: Callable[[int | None], Iterator[Page[T]]],
    sink: Sink[T],
) -> bool:
    """The one page loop: read, map, send in batches, checkpoint; True when complete.

    ``pages(start)`` yields the pages from ``cursor.page`` on (``None``: from the beginning;
    in reading order, which is downwards for a ``descending`` cursor).

    A batch is sent as soon as it is full (pages are split), and once more at the end.
    A failed read or batch stops the stream without marking it complete; the next run
    resumes at the checkpointed page.
    """
    stream = run.report.stream(name)
    start = cursor.page
    number = start or 0
    if start is not None and (start or cursor.descending):
        stream.resumed_from = f"page {start}"
    try:
        for page in pages(start):
            number = page.number
            for skip in page.skipped:
                stream.read += 1
                where = f" ({skip.field})" if skip.field else ""
                run.report.skip(name, skip.record, f"unreadable record{where}: {skip.reason}")
            sink.see(run, page.items)
            for item in page.items:
                sink.add(run, item)
                if sink.full() and not sink.flush(run, cursor.at_page(number)):
                    return False
            run.tick(name, page)
            number = cursor.after(number)
            if sink.empty() and not run.dry_run:
                run.state.checkpoint(key, cursor.at_page(number).dump())
    except SalesmanagoIdosellError as exc:
        run.read_failed(name, exc)
        return False
    return sink.flush(run, cursor.at_page(number))


@define
class ContactSink(Generic[T]):
    """Contacts into SALESmanago batch upserts of at most ``batch_size`` (idempotent).

    Attributes:
        name: the report's stream name (``customers``, ``subscribers``).
        key: the state store's stream key.
        to_contact: the pure mapping of one record.
        batch_size: contacts per batch, sent in requests of at most 1000.
        before_checkpoint: called after SALESmanago acknowledged a batch, before the
            checkpoint (the consent memory of :mod:`.consent` is written there).
    """

    name: str
    key: str
    to_contact: Callable[[T], ContactUpsert | Skip]
    batch_size: int
    before_checkpoint: Callable[[Run], None] | None = None
    _buffer: list[ContactUpsert] = field(factory=list, init=False)

    def see(self, run: Run, items: Iterable[T]) -> None:
        """Nothing to look up for contacts."""

    def add(self, run: Run, item: T) -> None:
        """Map one record and buffer it."""
        run.report.stream(self.name).read += 1
        mapped = self.to_contact(item)
        if isinstance(mapped, Skip):
            run.report.skip(self.name, mapped.record, mapped.reason)
        else:
            self._buffer.append(mapped)

    def full(self) -> bool:
        """A whole batch is buffered."""
        return len(self._buffer) >= self.batch_size

    def empty(self) -> bool:
        """Nothing is buffered."""
        return not self._buffer

    def flush(self, run: Run, resume: Cursor) -> bool:
        """Upsert the buffer, then checkpoint ``resume``."""
        batch, self._buffer = self._buffer, []
        stream = run.report.stream(self.name)
        if run.dry_run:
            stream.sent += len(batch)
            return True
        if batch:
            run.keep_alive()
            try:
                result = run.salesmanago.contacts.batch_upsert(batch, chunk_size=BATCH_MAX)
            except AuthenticationError:  # refused credentials stop the whole run
                raise
            except SalesmanagoIdosellError as exc:
                if isinstance(exc, AuthenticationError):
                    raise
                run.report.fail(self.name, [c.email for c in batch], type(exc).__name__)
                run.report.errors.append(f"{self.name}: {exc}")
                return False
            self._count(run, batch, result.contact_ids, result.messages)
        if self.before_checkpoint is not None:
            self.before_checkpoint(run)
        run.state.checkpoint(self.key, resume.dump())
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
