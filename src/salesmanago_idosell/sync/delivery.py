"""Delivery states of records whose sending is not idempotent (PURCHASE events), and the lease.

Each order the sync sends has one :class:`DeliveryState` in the state store:

=====================  =====================================================================
``pending``            written ahead, the request is being sent right now
``sent``               SALESmanago acknowledged it (or reconciliation found it stored)
``refused``            SALESmanago refused it: certainly not stored; sent again later
``uncertain``          the request may or may not have been stored (timeout, 5xx, kill);
                       reconciliation asks SALESmanago, never guesses
``possibly-duplicated``  sent again while uncertain (an operator's decision): at most one
                       duplicate; never turned into ``sent`` by the SDK itself
=====================  =====================================================================
"""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import datetime, timezone
from enum import Enum

from attrs import field, frozen

__all__ = [
    "UNSETTLED",
    "Delivery",
    "DeliveryState",
    "DeliveryUpdate",
    "LeaseHolder",
    "email_hash",
    "utcnow",
]


class DeliveryState(str, Enum):
    """Where one order's PURCHASE event stands (see the module docstring)."""

    PENDING = "pending"
    SENT = "sent"
    REFUSED = "refused"
    UNCERTAIN = "uncertain"
    POSSIBLY_DUPLICATED = "possibly-duplicated"


#: States listed for the operator by ``Integration.undelivered()``.
UNSETTLED = (
    DeliveryState.PENDING,
    DeliveryState.REFUSED,
    DeliveryState.UNCERTAIN,
    DeliveryState.POSSIBLY_DUPLICATED,
)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def email_hash(email: str) -> str:
    """The first 16 hex digits of SHA-256 of the lower-cased e-mail (logs, reports)."""
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()[:16]


@frozen(kw_only=True)
class DeliveryUpdate:
    """A change of one record's delivery state, written by a checkpoint.

    Attributes:
        key: the record key (the order serial number).
        state: the new state.
        contact: the contact's e-mail (kept to reconcile with SALESmanago).
        error: why, for ``refused`` / ``uncertain``.
        status: the order's IdoSell status the event was sent for (kept when ``None``).
    """

    key: str
    state: DeliveryState
    contact: str | None = field(default=None, repr=False)
    error: str | None = None
    status: str | None = None


@frozen(kw_only=True)
class Delivery:
    """One record's delivery as kept in the state store.

    Attributes:
        key: the record key (the order serial number).
        state: where it stands.
        contact: the contact's e-mail (not shown in ``repr``; see :attr:`contact_hash`).
        since: when it entered this state (UTC).
        attempts: how many times its sending was started.
        last_error: the last error met, if any.
        status: the order's IdoSell status when its event was last written (the last
            delivered status once ``sent``), if known.
    """

    key: str
    state: DeliveryState
    contact: str | None = field(default=None, repr=False)
    since: datetime
    attempts: int = 0
    last_error: str | None = None
    status: str | None = None

    @property
    def contact_hash(self) -> str | None:
        """A stable pseudonym of the contact's e-mail, safe for logs."""
        return email_hash(self.contact) if self.contact else None


@frozen(kw_only=True)
class LeaseHolder:
    """Who runs a sync: the run lease's owner.

    Attributes:
        host: the machine's host name.
        pid: the process id.
        started_at: when the run started (UTC).
        token: a random value telling two runs of one process apart.
    """

    host: str
    pid: int
    started_at: datetime
    token: str

    @classmethod
    def current(cls) -> LeaseHolder:
        """This process, now."""
        return cls(
            host=socket.gethostname(),
            pid=os.getpid(),
            started_at=utcnow(),
            token=os.urandom(8).hex(),
        )

    def describe(self) -> str:
        """``host pid 123 since 2026-11-30T21:00:00+00:00``."""
        return f"{self.host} pid {self.pid} since {self.started_at.isoformat(timespec='seconds')}"

    def is_alive_here(self) -> bool:
        """True when the holder is a process of this host that is still running (its lease
        is never taken over, even expired: it may still be sending)."""
        return self.host == socket.gethostname() and not self.is_gone()

    def is_gone(self) -> bool:
        """True when the holder provably no longer runs (same host, process not alive)."""
        if self.host != socket.gethostname():
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
