"""The typed cursor every stream checkpoints: where to resume, and the run's window.

One resume rule for every stream: ``page`` is the first page whose records are not all
acknowledged by SALESmanago. Resuming reads that page again; records already delivered are
recognised (orders by their delivery state; contact upserts are idempotent), so nothing is
skipped and nothing is sent twice.
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
    """

    page: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    started: datetime | None = None

    @property
    def in_progress(self) -> bool:
        """True while a run stopped half way (it will be resumed)."""
        return self.page is not None

    def at_page(self, page: int) -> Cursor:
        """The same window, resuming at ``page``."""
        return attrs.evolve(self, page=page)

    def dump(self) -> str:
        """The JSON text stored."""
        data: dict[str, Any] = {"page": self.page}
        for name in ("since", "until", "started"):
            value = getattr(self, name)
            data[name] = value.isoformat() if value is not None else None
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
        )
