"""Progress of a run: a callback of your own, or a tqdm bar per stream (``progress=True``).

The bars need the optional ``progress`` extra (``pip install salesmanago-idosell[progress]``).
They come from ``tqdm.auto``: a widget updated in place in Jupyter (with ``ipywidgets``), a
text bar redrawn on one line in a terminal.
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import ValidationError
from .engine import Progress

__all__ = ["ProgressOption", "TqdmProgress", "resolve_progress"]

#: What the sync methods accept: a callback, ``True`` for tqdm bars, or nothing.
ProgressOption = Progress | bool | None


class TqdmProgress:
    """One tqdm bar per stream, updated to the number of records read."""

    def __init__(self) -> None:
        try:
            self._tqdm: Any = importlib.import_module("tqdm.auto").tqdm
        except ImportError:
            raise ValidationError(
                "progress=True needs tqdm: pip install 'salesmanago-idosell[progress]'",
                field="progress",
            ) from None
        self._bars: dict[str, Any] = {}

    def __call__(self, stream: str, done: int, total: int | None) -> None:
        bar = self._bars.get(stream)
        if bar is None:
            bar = self._bars[stream] = self._tqdm(desc=stream, total=total, unit=" records")
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        """Close every bar."""
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()


def resolve_progress(option: ProgressOption) -> Progress | None:
    """The callback for a ``progress=`` option (``True`` -> :class:`TqdmProgress`)."""
    if option is None or option is False:
        return None
    if option is True:
        return TqdmProgress()
    return option
