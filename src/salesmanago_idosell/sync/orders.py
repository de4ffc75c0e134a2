"""Orders -> PURCHASE events and category tags, each order delivered exactly once.

For each batch of at most ``event_batch_size`` orders the sink:

1. upserts the purchased products' category tags onto the contacts (idempotent) once 1000
   contacts have tags waiting (one full request), or at the end of the stream;
2. writes the batch's orders ahead as ``pending`` (with their contacts) in the state store;
3. adds the PURCHASE events in one request (not idempotent: never retried blindly);
4. checkpoints the cursor together with each order's new delivery state.

Category tags wait for a full request, so the cursor never moves past an order whose tags
are still waiting: a resumed run reads those orders again, recognises them as sent and
re-derives their tags (upserting a tag is idempotent). Product categories are asked from
IdoSell 100 products at a time (full requests only, but for the last), remembered for the
run and kept in the state store (``category_cache_ttl``) for later runs.

Delivery states (:class:`~.delivery.DeliveryState`): SALESmanago's acknowledgement makes an
order ``sent``; a refusal (``success: false``, or the order's contact among
``failedContacts``) makes it ``refused`` — certainly not stored, sent again by the next run;
an answer that never came (timeout, 5xx, dropped connection, Ctrl-C, a kill between 2 and 4)
makes it ``uncertain``: never sent again blindly, but reconciled against SALESmanago
(:mod:`.recovery`) or left for the operator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

from attrs import define, field, frozen

from .._validation import email_problem
from ..categories import CategoryTree
from ..errors import (
    AuthenticationError,
    PartialBatchError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    ValidationError,
)
from ..idosell.models import Order
from ..mapping import (
    ConsentMode,
    MappingSettings,
    Purchase,
    Skip,
    category_tags,
    consent_decision,
    purchase_event_from_order,
)
from ..salesmanago import ContactUpsert
from ..salesmanago.contacts import BATCH_MAX
from ..salesmanago.models import BatchEventsResult
from .consent import CONSENT_KEY, memory_key
from .cursor import Cursor
from .delivery import DeliveryState, DeliveryUpdate
from .engine import Run

__all__ = ["MAX_ATTEMPTS", "ORDERS_KEY", "PURCHASES", "OrderEvents", "OrderSink"]

logger = logging.getLogger("salesmanago_idosell")
ORDERS_KEY = "orders"
STREAM = "orders"
#: The state store's cache namespace of product -> category id ("" for none).
CATEGORIES_CACHE = "idosell.product-category"
_LOOKUP = 100  # products per IdoSell lookup (the products search's page)
#: Batches a queued product waits for 99 others to fill its lookup request at most.
_MAX_WAIT = 10
#: A refused order is sent again by later runs at most this many times in all.
MAX_ATTEMPTS = 3
_SKIPPED_STATES = {
    DeliveryState.SENT: "already sent",
    DeliveryState.POSSIBLY_DUPLICATED: "already sent (possibly twice)",
    DeliveryState.UNCERTAIN: "uncertain: waiting for reconciliation",
    DeliveryState.PENDING: "being sent by another run",
}


@frozen(kw_only=True)
class OrderEvents:
    """Which event an :class:`OrderSink` sends per order, under which delivery key.

    Attributes:
        key: the delivery key of an order (the serial number for PURCHASE).
        event: the pure mapping of an order to its event, or a skip.
        tags: upsert the products' category tags with the events (PURCHASE only).
        needs_consent: apply the consent mode to the order's customer (a follow-up event
            concerns a contact its PURCHASE already reached, and creates nobody).
    """

    key: Callable[[Order], str]
    event: Callable[[Order, MappingSettings], Purchase | Skip]
    tags: bool = True
    needs_consent: bool = True


#: PURCHASE events keyed by the order serial number, with category tags.
PURCHASES = OrderEvents(
    key=lambda order: str(order.serial_number),
    event=lambda order, settings: purchase_event_from_order(order, settings=settings),
)


@define
class _Item:
    serial: str
    order: Order
    purchase: Purchase

    @property
    def email(self) -> str:
        return (self.purchase.event.email or "").lower()


@define
class OrderSink:
    """Orders into PURCHASE events (see the module docstring).

    Attributes:
        settings: the mapping settings.
        batch_size: events per batch (one request, at most 1000).
        sent_state: the state an acknowledged order gets (``sent``; ``possibly-duplicated``
            for an operator's forced re-send of uncertain orders).
        resend: states sent again when met (``refused`` always; ``uncertain`` when forced).
        operator: an operator's explicit re-send: the attempts bound does not apply.
        events: which event per order (:data:`PURCHASES`; CANCELLATION / RETURN in
            :mod:`.lifecycle`).
    """

    settings: MappingSettings
    batch_size: int
    sent_state: DeliveryState = DeliveryState.SENT
    resend: frozenset[DeliveryState] = frozenset({DeliveryState.REFUSED})
    operator: bool = False
    _seen: set[str] = field(factory=set, init=False)
    _tried: set[str] = field(factory=set, init=False)
    events: OrderEvents = PURCHASES
    category_ttl: float = 86400.0
    tag_batch_size: int = BATCH_MAX
    _known: dict[str, DeliveryState] = field(factory=dict, init=False)
    _attempts: dict[str, int] = field(factory=dict, init=False)
    _refused_accounts: dict[int, str] = field(factory=dict, init=False)
    _tree: CategoryTree | None = field(default=None, init=False)
    _buffer: list[_Item] = field(factory=list, init=False)
    _categories: dict[int, int | None] = field(factory=dict, init=False)
    _category_tags: dict[int, tuple[str, ...]] = field(factory=dict, init=False)
    _queue: dict[int, int] = field(factory=dict, init=False)  # product -> batch queued in
    _tags: dict[str, tuple[int, set[int]]] = field(factory=dict, init=False)
    _batches: int = field(default=0, init=False)
    _before: dict[int, Cursor | None] = field(factory=dict, init=False)
    _reached: Cursor | None = field(default=None, init=False)

    # -- the Sink protocol ----------------------------------------------------------------

    def see(self, run: Run, orders: Iterable[Order]) -> None:
        """Look up a page's delivery states and consents in one go."""
        orders = list(orders)
        self._tried = run.attempted
        if not run.dry_run:
            serials = [self.events.key(o) for o in orders]
            self._known = run.state.known(ORDERS_KEY, serials)
            refused = {k for k, s in self._known.items() if s is DeliveryState.REFUSED}
            if refused:
                found = run.state.deliveries(ORDERS_KEY, states=[DeliveryState.REFUSED])
                self._attempts = {d.key: d.attempts for d in found if d.key in refused}
        if self.events.needs_consent:
            self._refused_accounts = self._without_consent(run, orders)

    def add(self, run: Run, item: Order) -> None:
        """Map one order and buffer it (or report why not)."""
        stream = run.report.stream(STREAM)
        stream.read += 1
        serial = self.events.key(item)
        reason = self._skip_reason(serial, item)
        if reason is not None:
            run.report.skip(STREAM, f"order {serial}", reason)
            if serial in self._known and self.events.tags:  # met again (a resumed run):
                self._note_tags(item, (item.client.email or "").lower())  # tags idempotent
            return
        mapped = self.events.event(item, self.settings)
        if isinstance(mapped, Skip):
            run.report.skip(STREAM, mapped.record, mapped.reason)
            return
        if mapped.dropped_products:
            run.report.problem(
                STREAM,
                f"order {serial}",
                f"{len(mapped.dropped_products)} product ids left out (512-character limit)",
                "skipped",
            )
        self._seen.add(serial)
        self._buffer.append(_Item(serial, item, mapped))

    def full(self) -> bool:
        """A whole batch is buffered."""
        return len(self._buffer) >= self.batch_size

    def empty(self) -> bool:
        """Nothing is buffered (no order, no waiting tag)."""
        return not self._buffer and not self._tags

    def flush(self, run: Run, resume: Cursor | None) -> bool:
        """Send the buffer; checkpoint ``resume`` with the delivery states (``None``: keep).

        A flush of a buffer that is not full is the stream's last: every waiting tag goes.
        While tags wait, the cursor checkpointed is the one before their oldest order.
        """
        batch, self._buffer = self._buffer, []
        if run.dry_run:
            run.report.stream(STREAM).sent += len(batch)
            return True
        last = len(batch) < self.batch_size
        self._batches += 1
        self._before[self._batches] = self._reached  # every later order is read from there
        if self.events.tags:  # PURCHASEs bring category tags; follow-up events do not
            for item in batch:
                self._note_tags(item.order, item.email)
        if not self._send_tags(run, batch, last=last):
            return False
        updates: list[DeliveryUpdate] = []
        go_on = True
        if batch:
            updates, go_on = self._send_events(run, batch)
        cursor = self.held(resume) if go_on else None
        if cursor is not None:
            run.state.checkpoint(ORDERS_KEY, cursor.dump(), updates=updates)
        elif updates:
            run.state.record(ORDERS_KEY, updates)
        self.reached(resume)
        return go_on

    def reached(self, resume: Cursor | None) -> None:
        """The page loop reached ``resume``: every order after it goes in later batches (so
        it is where a later batch's waiting tags hold the checkpoint; the checkpoint written
        last would hold it further back, to the start if tags have always waited)."""
        if resume is not None:
            self._reached = resume

    def held(self, resume: Cursor | None) -> Cursor | None:
        """``resume``, held back to before the oldest order whose category tags still wait
        (a checkpoint must never pass it: a crash would lose those tags)."""
        if resume is None or not self._tags:
            return resume
        return self._before[min(batch_no for batch_no, _ in self._tags.values())]

    # -- which orders go -----------------------------------------------------------------

    def _skip_reason(self, serial: str, order: Order) -> str | None:
        if serial in self._seen:
            return "listed twice by IdoSell in this run"
        state = self._known.get(serial)
        if state is not None and state not in self.resend:
            return _SKIPPED_STATES.get(state, f"already {state.value}")
        if state is DeliveryState.REFUSED and not self.operator:
            if self._attempts.get(serial, 0) >= MAX_ATTEMPTS:
                return f"refused {MAX_ATTEMPTS} times: see undelivered(), resend() to retry"
            if serial in self._tried:
                return "refused in this run: the next run sends it again"
        account = order.client.id if order.client.id is not None else 0
        return self._refused_accounts.get(account)

    def _without_consent(self, run: Run, orders: list[Order]) -> dict[int, str]:
        """Customer id -> skip reason, for the customers whose orders are not passed.

        In ``CONSENTED_ONLY`` mode a purchase would bring a contact without consent into
        SALESmanago, so those orders are skipped; in ``ALL`` mode nothing is (``{}``).
        Orders without an account are marked by the key 0; orders without a valid e-mail
        are left to the mapping, which skips them for that.

        The consent is the one the customers stream last read (its memory, by e-mail: one
        local query, no request); only customers it has not met, or whose orders carry
        e-mails the memory holds different consents for, are read from IdoSell by id. A
        consent withdrawn since is applied by the customers stream's next run (it opts the
        contact out); one given since queues the customer's earlier orders. An account
        that cannot be read counts as without consent (it is reported when the customers
        stream reads it).
        """
        if self.settings.consent_mode is ConsentMode.ALL or not orders:
            return {}
        emails: dict[int, set[str]] = {}  # one account's orders may carry other e-mails
        for order in orders:
            email = memory_key(order.client.email)
            # an order without a valid e-mail is skipped for it anyway: no consent to look up
            if order.client.id and not email_problem(email):
                emails.setdefault(order.client.id, set()).add(email)
        # a dry run's customers stream remembers nothing: the memory may be older than the
        # consents a real run would apply first, so a dry run asks the accounts
        memory = (
            {}
            if run.dry_run
            else run.state.marks(CONSENT_KEY, sorted(set().union(*emails.values())))
        )
        consents: dict[int, bool] = {}
        for customer_id, keys in emails.items():
            marks = {memory.get(e) for e in keys}
            if len(marks) == 1 and None not in marks:  # else the account decides
                consents[customer_id] = marks.pop() == "y"
        unknown = sorted(i for i in emails if i not in consents)
        found = {c.id: c for c in run.idosell.customers.iter(ids=unknown)} if unknown else {}
        refused = {0: "order without a customer account"}
        for customer_id in unknown:
            customer = found.get(customer_id)
            if customer is None:
                refused[customer_id] = f"customer account {customer_id} could not be read"
            else:
                consents[customer_id] = customer.consents_to_newsletter(self.settings.shop_id)
        for customer_id, consented in consents.items():
            decision = consent_decision(
                consented=consented, has_account=True, settings=self.settings
            )
            if not decision.send:
                refused[customer_id] = decision.reason or "not passed"
        return refused

    # -- sending -------------------------------------------------------------------------

    def _note_tags(self, order: Order, email: str) -> None:
        """Remember the order's products as waiting tags of its contact."""
        products = {line.product_id for line in order.products}
        if not email or not products:
            return
        batch_no, waiting = self._tags.get(email, (self._batches or 1, set()))
        waiting.update(products)
        self._tags[email] = (batch_no, waiting)
        batch_no = self._batches or 1
        for product in products:
            if product not in self._categories:
                self._queue.setdefault(product, batch_no)

    def _lookup(self, run: Run, *, last: bool) -> None:
        """Resolve queued products: the state store's cache first, then IdoSell in full
        requests of 100; a partial one at the end, or once the oldest product has waited
        :data:`_MAX_WAIT` batches (when no new products come to fill a request, the tags of
        its buyers, and the checkpoint held back for them, must not wait for the end)."""
        self._queue = {p: b for p, b in self._queue.items() if p not in self._categories}
        if not self._queue:
            return
        queued = list(self._queue)
        if self.category_ttl > 0:
            cached = run.state.cached(
                CATEGORIES_CACHE, [str(p) for p in queued], max_age=self.category_ttl
            )
            for key, value in cached.items():
                self._categories[int(key)] = int(value) if value else None
                self._queue.pop(int(key), None)
        stale = bool(self._queue) and min(self._queue.values()) + _MAX_WAIT <= self._batches
        while len(self._queue) >= _LOOKUP or ((last or stale) and self._queue):
            chunk = list(self._queue)[:_LOOKUP]
            found = run.idosell.products.categories_of(chunk)
            answers = {p: found.get(p) for p in chunk}
            self._categories.update(answers)
            for product in chunk:
                del self._queue[product]
            if self.category_ttl > 0:
                run.state.cache(
                    CATEGORIES_CACHE, {str(p): str(c or "") for p, c in answers.items()}
                )

    def _ready(self, products: set[int]) -> bool:
        return all(p in self._categories for p in products)

    def _send_tags(self, run: Run, batch: list[_Item], *, last: bool) -> bool:
        """Upsert waiting tags in full requests of ``tag_batch_size`` contacts (all that
        wait when ``last``); False when SALESmanago or IdoSell failed."""
        try:
            self._lookup(run, last=False)
            while self._tags and (last or len(self._tags) >= self.tag_batch_size):
                if last:
                    self._lookup(run, last=True)
                    ready = list(self._tags)
                else:  # contacts whose products are all known; the rest wait
                    ready = [e for e, (_, p) in self._tags.items() if self._ready(p)]
                    if len(ready) < self.tag_batch_size:
                        break
                chosen = ready[: self.tag_batch_size]
                contacts = self._contacts(run, chosen)
                if contacts:
                    run.salesmanago.contacts.batch_upsert(contacts, chunk_size=BATCH_MAX)
                for email in chosen:
                    del self._tags[email]
        except SalesmanagoIdosellError as exc:
            if isinstance(exc, AuthenticationError):
                raise
            self._stop(run, batch, f"category tags: {exc}", type(exc).__name__)
            return False
        return True

    def _contacts(self, run: Run, emails: list[str]) -> list[ContactUpsert]:
        if self._tree is None:
            self._tree = run.idosell.categories.tree(language=self.settings.category_language)
        tree, by_category = self._tree, self._category_tags
        contacts = []
        for email in emails:
            found: dict[str, None] = {}
            for product in sorted(self._tags[email][1]):
                category = self._categories.get(product)
                if category is None:
                    continue
                tags = by_category.get(category)
                if tags is None:  # each category's tags are worked out once per run
                    tags = by_category[category] = category_tags(
                        [category], tree, settings=self.settings
                    )
                found.update(dict.fromkeys(tags))
            if found:
                contacts.append(ContactUpsert(email=email, tags=list(found)))
        return contacts

    def _send_events(self, run: Run, batch: list[_Item]) -> tuple[list[DeliveryUpdate], bool]:
        """Add the events; the delivery updates, and whether the stream goes on."""
        run.keep_alive()  # a run that lost its lease must not send
        run.state.begin(ORDERS_KEY, {i.serial: i.email for i in batch})
        run.attempted.update(i.serial for i in batch)
        try:
            result = run.salesmanago.events.batch_add(
                [i.purchase.event for i in batch], chunk_size=min(len(batch), 1000)
            )
        except PartialBatchError as exc:
            return self._partial(run, batch, exc), True
        except AuthenticationError as exc:  # refused whole, and the run stops
            run.state.record(ORDERS_KEY, self._updates(batch, DeliveryState.REFUSED, str(exc)))
            raise
        except (SalesmanagoAPIError, ValidationError) as exc:  # refused whole: nothing stored
            self._stop(run, batch, f"PURCHASE events refused: {exc}", type(exc).__name__)
            return self._updates(batch, DeliveryState.REFUSED, type(exc).__name__), False
        except BaseException as exc:  # may have been stored: never sent again blindly
            updates = self._uncertain(run, batch, exc)
            if isinstance(exc, SalesmanagoIdosellError):
                return updates, True
            run.state.record(ORDERS_KEY, updates)
            raise
        return self._count(run, batch, result), True

    def _updates(
        self, items: list[_Item], state: DeliveryState, error: str | None = None
    ) -> list[DeliveryUpdate]:
        if self.sent_state is DeliveryState.POSSIBLY_DUPLICATED:
            state, error = _forced(state, error)
        return [
            DeliveryUpdate(
                key=i.serial,
                state=state,
                contact=i.email,
                error=error,
                status=i.order.status._value_ if i.order.status is not None else None,
            )
            for i in items
        ]

    def _partial(
        self, run: Run, batch: list[_Item], exc: PartialBatchError
    ) -> list[DeliveryUpdate]:
        done, failed = batch[: exc.failed_start], batch[exc.failed_start : exc.failed_end]
        rest = batch[exc.failed_end :]
        run.report.stream(STREAM).sent += len(done)
        updates = self._updates(done, self.sent_state)
        if exc.certain:
            run.report.fail(STREAM, [f"order {i.serial}" for i in failed], type(exc.cause).__name__)
            updates += self._updates(failed, DeliveryState.REFUSED, type(exc.cause).__name__)
        else:
            updates += self._uncertain(run, failed, exc.cause)
        return updates + self._updates(rest, DeliveryState.REFUSED, "not sent: a request failed")

    def _uncertain(self, run: Run, items: list[_Item], exc: BaseException) -> list[DeliveryUpdate]:
        run.report.stream(STREAM).uncertain += len(items)
        reason = f"unknown whether SALESmanago stored the event ({type(exc).__name__})"
        for item in items:
            run.report.problem(STREAM, f"order {item.serial}", reason, "uncertain")
        run.report.errors.append(f"orders: {type(exc).__name__}: {exc}")
        return self._updates(items, DeliveryState.UNCERTAIN, type(exc).__name__)

    def _stop(self, run: Run, batch: list[_Item], message: str, error: str) -> None:
        run.report.fail(STREAM, [f"order {i.serial}" for i in batch], error)
        run.report.errors.append(f"orders: {message}")

    def _count(
        self, run: Run, batch: list[_Item], result: BatchEventsResult
    ) -> list[DeliveryUpdate]:
        """Acknowledged orders are sent; those named in ``failedContacts`` are refused when
        the answer says exactly which. An answer whose counts do not add up (``failedAmount``
        without matching ``failedContacts``, or ``createdAmount`` short) leaves the orders it
        does not account for uncertain: reconciliation settles them."""
        stream = run.report.stream(STREAM)
        stream.batches += 1
        failed_keys = {_failed_key(item).lower() for item in result.failed_items}
        failed = [i for i in batch if i.email in failed_keys]
        ok = [i for i in batch if i.email not in failed_keys]
        exact = len(failed) == result.failed and result.created == len(ok)
        if not exact and (result.failed or result.created != len(batch)):
            return self._uncertain(run, batch, _AmbiguousFailureError())
        stream.sent += len(ok)
        updates = self._updates(ok, self.sent_state)
        if failed:
            run.report.fail(STREAM, [f"order {i.serial}" for i in failed], "refused by SALESmanago")
            updates += self._updates(failed, DeliveryState.REFUSED, "refused by SALESmanago")
        return updates


def _forced(state: DeliveryState, error: str | None) -> tuple[DeliveryState, str | None]:
    """The outcome of a forced re-send of an uncertain order (the first send may have been
    stored): acknowledged or unknown -> possibly duplicated; refused -> uncertain again."""
    if state is DeliveryState.REFUSED:
        return DeliveryState.UNCERTAIN, f"forced re-send refused ({error}); the first may be stored"
    if state is DeliveryState.UNCERTAIN:
        return DeliveryState.POSSIBLY_DUPLICATED, f"forced re-send of unknown outcome ({error})"
    return state, error


class _AmbiguousFailureError(Exception):
    """``failedContacts`` names contacts with several events in the batch."""

    def __str__(self) -> str:
        return "the answer's counts and failedContacts do not say which events were stored"


def _failed_key(item: Any) -> str:
    """The e-mail (or contact id) of one ``failedContacts`` entry."""
    if isinstance(item, dict):
        return str(item.get("email") or item.get("contactId") or "")
    return str(item)
