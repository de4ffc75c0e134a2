"""The typed cursor every stream checkpoints: where to resume, and the run's window.

One resume rule for every stream: ``page`` is the first page, in reading order, whose
records are not all acknowledged by SALESmanago (pages are read upwards from 0, or downwards
to 0 when ``descending``: the full customer export). Resuming reads that page again;
records already delivered are recognised (orders by their delivery state; contact upserts
are idempotent), so nothing is skipped and nothing is sent twice.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import attrs
from attrs import frozen

__all__ = ["Cursor"]

logger = logging.getLogger("salesmanago_idosell")


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@frozen(kw_only=True)
class Cursor:
    """Where a stream stands (stored as JSON by the state store).

    Attributes:
        page: the first page not yet wholly acknowledged (``None``: no run in progress).
        since: the start of the run's window (records added/changed at or after it).
        until: the end of the window, fixed when a run starts so that a resumed run reads the
            same records.
        started: when the run (or the interrupted run it resumes) started; the next
            incremental run starts there.
        descending: pages are read from the last one down to page 0 (``page`` ``None``:
            not started yet; the last page is found by counting).
    """

    page: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    started: datetime | None = None
    descending: bool = False

    @property
    def in_progress(self) -> bool:
        """True while a run stopped half way (it will be resumed)."""
        return self.page is not None

    def at_page(self, page: int) -> Cursor:
        """The same window, resuming at ``page`` (past page 0 when descending: done)."""
        return attrs.evolve(self, page=page if page >= 0 else None)

    def after(self, page: int) -> int:
        """The page read after ``page``."""
        return page - 1 if self.descending else page + 1

    def dump(self) -> str:
        """The JSON text stored."""
        data: dict[str, Any] = {"page": self.page}
        for name in ("since", "until", "started"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value is not None else None
        if self.descending:
            data["descending"] = True
        return json.dumps({k: v for k, v in data.items() if v is not None}, sort_keys=True)

    @classmethod
    def load(cls, raw: str | None) -> Cursor:
        """A stored cursor (an empty one for none or unreadable text)."""
        if not raw:
            return cls()
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            logger.warning("ignoring an unreadable sync cursor")
            return cls()
        page = data.get("page")
        return cls(
            page=page if isinstance(page, int) and page >= 0 else None,
            since=_when(data.get("since")),
            until=_when(data.get("until")),
            started=_when(data.get("started")),
            descending=data.get("descending") is True,
        )
