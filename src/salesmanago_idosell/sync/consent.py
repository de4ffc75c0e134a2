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
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from attrs import define, field

from .._validation import email_problem, normalize_email
from ..errors import AuthenticationError, SalesmanagoIdosellError
from ..mapping import ConsentMode, MappingSettings, Skip, consent_decision
from ..salesmanago import ContactUpsert
from ..salesmanago.contacts import BATCH_MAX
from .cursor import Cursor
from .engine import ContactSink, Run

__all__ = ["CONSENT_KEY", "HISTORY_KEY", "ConsentSink", "ContactRules", "memory_key"]

logger = logging.getLogger("salesmanago_idosell")
T = TypeVar("T")
#: Marks: contact e-mail (lower case) -> ``y`` / ``n``, the consent last sent or noted.
CONSENT_KEY = "consent"
#: Marks: customer id -> ``due``: earlier orders to send (consent given later).
HISTORY_KEY = "orders.history"
_FLAG = {True: "y", False: "n"}
_NOTES_PER_BATCH = 10


def memory_key(email: str | None) -> str:
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

    The upserts, counts and checkpoints are a :class:`~.engine.ContactSink`'s; this sink adds
    the consent memory, the opt-outs of withdrawn contacts and the histories due.

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
    _contacts: ContactSink[T] = field(init=False)
    _previous: dict[str, str] = field(factory=dict, init=False)
    _notes: dict[str, str] = field(factory=dict, init=False)
    _opt_outs: set[str] = field(factory=set, init=False)
    _history: dict[str, str] = field(factory=dict, init=False)

    def __attrs_post_init__(self) -> None:
        self._contacts = ContactSink(
            name=self.name,
            key=self.key,
            to_contact=self._map,
            batch_size=self.batch_size,
            before_checkpoint=self._remember,
        )

    def see(self, run: Run, items: Iterable[T]) -> None:
        """Look up the consent memory of a page's contacts in one query."""
        items = list(items)
        emails = [memory_key(self.rules.email(i)) for i in items]
        self._previous = run.state.marks(CONSENT_KEY, [e for e in emails if e])
        self._contacts.see(run, items)

    def add(self, run: Run, item: T) -> None:
        """Map one record with its consent memory and buffer it (or report why not)."""
        self._contacts.add(run, item)

    def _map(self, item: T) -> ContactUpsert | Skip:
        email = memory_key(self.rules.email(item))
        known = self._previous.get(email)
        previous = None if known is None else known == "y"
        consented = self.rules.consented(item)
        mapped = self.rules.to_contact(item, previous)
        if isinstance(mapped, Skip):
            return self._skipped(mapped, email, consented, previous)
        self._notes[email] = _FLAG[consented]
        late = previous is False or (previous is None and self.history_for_unknown)
        customer = self.rules.customer_id(item)
        if consented and late and customer is not None and self._follows_consent():
            self._history[str(customer)] = "due"
        return mapped

    def _follows_consent(self) -> bool:
        return self.settings.consent_mode is ConsentMode.CONSENTED_ONLY

    def _skipped(self, skip: Skip, email: str, consented: bool, previous: bool | None) -> Skip:
        decision = consent_decision(
            consented=consented,
            has_account=self.rules.has_account,
            settings=self.settings,
            previous=previous,
        )
        if decision.send or skip.reason != decision.reason or email_problem(email):
            return skip  # not about consent (an invalid e-mail, an account, ...)
        self._notes[email] = "n"
        if not decision.opt_out_known:
            return skip
        self._opt_outs.add(email)
        reason = f"without e-mail consent in shop {self.settings.shop_id}: opted out if known"
        return Skip(record=skip.record, reason=reason)

    def full(self) -> bool:
        """A whole batch of contacts or opt-outs is buffered (consents to remember wait for
        it, up to ten batches' worth: they cost no request, only the checkpoint they go with)."""
        return (
            self._contacts.full()
            or len(self._opt_outs) >= self.batch_size
            or len(self._notes) >= _NOTES_PER_BATCH * self.batch_size
        )

    def empty(self) -> bool:
        """Nothing is buffered (consents to remember count: they go with a checkpoint)."""
        return self._contacts.empty() and not self._opt_outs and not self._notes

    def flush(self, run: Run, resume: Cursor) -> bool:
        """Opt out withdrawn contacts, upsert the buffer, remember consents, checkpoint."""
        opt_outs, self._opt_outs = self._opt_outs, set()
        if not run.dry_run and opt_outs:
            try:
                self._opt_out_known(run, opt_outs)
            except SalesmanagoIdosellError as exc:
                if isinstance(exc, AuthenticationError):
                    raise
                run.report.fail(self.name, sorted(opt_outs), type(exc).__name__)
                run.report.errors.append(f"{self.name}: opting out: {exc}")
                return False  # the cursor stays: the page is read again by the next run
        ok = self._contacts.flush(run, resume)
        self._notes, self._history = {}, {}
        return ok

    def _remember(self, run: Run) -> None:
        """After SALESmanago acknowledged the batch, before the checkpoint."""
        run.state.mark(HISTORY_KEY, dict(self._history))
        run.state.mark(CONSENT_KEY, dict(self._notes))

    def _opt_out_known(self, run: Run, emails: set[str]) -> None:
        """``forceOptOut`` for the contacts SALESmanago knows; unknown ones are not created."""
        known = {c.email.lower() for c in run.salesmanago.contacts.get_basic(sorted(emails))}
        if known:
            contacts = [ContactUpsert(email=e, force_opt_out=True) for e in sorted(known)]
            run.salesmanago.contacts.batch_upsert(contacts, chunk_size=BATCH_MAX)
        logger.info("%s: %d contacts opted out (consent withdrawn)", self.name, len(known))
