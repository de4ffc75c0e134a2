"""Contacts with the consent rule: what the SDK last sent decides what a change is.

The state store remembers, per contact e-mail, the consent the SDK last sent or noted
(marks of :data:`CONSENT_KEY`: ``y`` / ``n``). :func:`~salesmanago_idosell.mapping.consent_decision`
turns the shop's consent and that memory into opt flags: set when the SDK first sends a
contact, then only on a change (or always, with ``ConsentSync.SHOP_WINS``). A withdrawal in
``CONSENTED_ONLY`` mode opts the contact out only if SALESmanago knows it (read with
``/api/contact/basic``): unknown contacts are never created.

A customer whose consent is *given* in ``CONSENTED_ONLY`` mode has their earlier orders
queued (marks of :data:`HISTORY_KEY`); the orders stream sends them before its window (see
:mod:`.lifecycle`), exactly once by their delivery states.

Memory is written after SALESmanago acknowledged the batch and before the checkpoint: a
crash in between re-reads the page and sends the same contacts without flags (idempotent).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

from attrs import define, field

from .._validation import email_problem, normalize_email
from ..errors import AuthenticationError, SalesmanagoIdosellError
from ..mapping import ConsentMode, MappingSettings, Skip, consent_decision
from ..salesmanago import ContactUpsert
from ..salesmanago.contacts import BATCH_MAX
from .cursor import Cursor
from .engine import Run

__all__ = ["CONSENT_KEY", "HISTORY_KEY", "ConsentSink", "ContactRules"]

logger = logging.getLogger("salesmanago_idosell")
T = TypeVar("T")
#: Marks: contact e-mail (lower case) -> ``y`` / ``n``, the consent last sent or noted.
CONSENT_KEY = "consent"
#: Marks: customer id -> ``due``: earlier orders to send (consent given later).
HISTORY_KEY = "orders.history"
_FLAG = {True: "y", False: "n"}


def _key(email: str | None) -> str:
    """The consent memory's key: the trimmed e-mail in lower case."""
    return normalize_email(email or "").lower()


@define(kw_only=True)
class ContactRules(Generic[T]):
    """How one kind of record meets the consent rule.

    Attributes:
        email: the record's e-mail as the shop holds it.
        consented: the shop's e-mail consent now.
        to_contact: the pure mapping, given the consent last sent (``None``: never).
        has_account: customers (True) or subscribers without an account (False).
        customer_id: the customer number whose history is due on a late consent.
    """

    email: Callable[[T], str | None]
    consented: Callable[[T], bool]
    to_contact: Callable[[T, bool | None], ContactUpsert | Skip]
    has_account: bool
    customer_id: Callable[[T], int | None] = lambda _: None


@define
class ConsentSink(Generic[T]):
    """Contacts into idempotent batch upserts, with the consent rule (module docstring).

    Attributes:
        name: the report's stream name (``customers``, ``subscribers``).
        key: the state store's stream key (of the cursor).
        rules: the record kind's :class:`ContactRules`.
        settings: the mapping settings.
        batch_size: contacts per batch, sent in requests of at most 1000.
        history_for_unknown: also queue the history of a consenting customer the SDK never
            sent (the changes stream: a state from before consent memory existed).
    """

    name: str
    key: str
    rules: ContactRules[T]
    settings: MappingSettings
    batch_size: int
    history_for_unknown: bool = False
    _previous: dict[str, str] = field(factory=dict, init=False)
    _buffer: list[ContactUpsert] = field(factory=list, init=False)
    _notes: dict[str, str] = field(factory=dict, init=False)
    _opt_outs: dict[str, str] = field(factory=dict, init=False)
    _history: dict[str, str] = field(factory=dict, init=False)

    def see(self, run: Run, items: Iterable[T]) -> None:
        """Look up the consent memory of a page's contacts in one query."""
        emails = [_key(self.rules.email(i)) for i in items]
        self._previous = run.state.marks(CONSENT_KEY, [e for e in emails if e])

    def add(self, run: Run, item: T) -> None:
        """Map one record with its consent memory and buffer it (or note why not)."""
        run.report.stream(self.name).read += 1
        email = _key(self.rules.email(item))
        known = self._previous.get(email)
        previous = None if known is None else known == "y"
        mapped = self.rules.to_contact(item, previous)
        consented = self.rules.consented(item)
        if isinstance(mapped, Skip):
            self._skipped(run, mapped, email, consented, previous)
            return
        self._buffer.append(mapped)
        self._notes[email] = _FLAG[consented]
        late = previous is False or (previous is None and self.history_for_unknown)
        customer = self.rules.customer_id(item)
        if consented and late and customer is not None and self._follows_consent():
            self._history[str(customer)] = "due"

    def _follows_consent(self) -> bool:
        return self.settings.consent_mode is ConsentMode.CONSENTED_ONLY

    def _skipped(
        self, run: Run, skip: Skip, email: str, consented: bool, previous: bool | None
    ) -> None:
        decision = consent_decision(
            consented=consented,
            has_account=self.rules.has_account,
            settings=self.settings,
            previous=previous,
        )
        if decision.send or skip.reason != decision.reason or email_problem(email):
            run.report.skip(self.name, skip.record, skip.reason)
            return
        self._notes[email] = "n"
        if decision.opt_out_known:
            self._opt_outs[email] = skip.record
            return
        run.report.skip(self.name, skip.record, skip.reason)

    def full(self) -> bool:
        """A whole batch is buffered (or a batch's worth of consents to remember)."""
        return max(len(self._buffer) + len(self._opt_outs), len(self._notes)) >= self.batch_size

    def empty(self) -> bool:
        """Nothing is buffered (notes alone are written with the next checkpoint)."""
        return not self._buffer and not self._opt_outs and not self._notes

    def flush(self, run: Run, resume: Cursor) -> bool:
        """Opt out withdrawn contacts, upsert the buffer, remember consents, checkpoint."""
        batch, self._buffer = self._buffer, []
        opt_outs, self._opt_outs = self._opt_outs, {}
        notes, self._notes = self._notes, {}
        history, self._history = self._history, {}
        stream = run.report.stream(self.name)
        if run.dry_run:
            stream.sent += len(batch)
            for record in opt_outs.values():
                run.report.skip(self.name, record, self._withdrawn_reason())
            return True
        try:
            self._opt_out_known(run, opt_outs)
            if batch:
                result = run.salesmanago.contacts.batch_upsert(batch, chunk_size=BATCH_MAX)
                self._count(run, batch, result.contact_ids, result.messages)
        except SalesmanagoIdosellError as exc:
            if isinstance(exc, AuthenticationError):
                raise
            run.report.fail(self.name, [c.email for c in batch], type(exc).__name__)
            run.report.errors.append(f"{self.name}: {exc}")
            return False
        run.state.mark(HISTORY_KEY, dict(history))
        run.state.mark(CONSENT_KEY, dict(notes))
        run.state.checkpoint(self.key, resume.dump())
        return True

    def _withdrawn_reason(self) -> str:
        return f"consent withdrawn in shop {self.settings.shop_id}: opted out (not created)"

    def _opt_out_known(self, run: Run, opt_outs: dict[str, str]) -> None:
        """``forceOptOut`` for the contacts SALESmanago knows; unknown ones are not created."""
        if not opt_outs:
            return
        known = {c.email.lower() for c in run.salesmanago.contacts.get_basic(sorted(opt_outs))}
        if known:
            contacts = [ContactUpsert(email=e, force_opt_out=True) for e in sorted(known)]
            run.salesmanago.contacts.batch_upsert(contacts, chunk_size=BATCH_MAX)
        for email, record in opt_outs.items():
            reason = self._withdrawn_reason() if email in known else self._unknown_reason()
            run.report.skip(self.name, record, reason)
        logger.info("%s: %d contacts opted out (consent withdrawn)", self.name, len(known))

    def _unknown_reason(self) -> str:
        return f"without e-mail consent in shop {self.settings.shop_id} (not in SALESmanago)"

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
