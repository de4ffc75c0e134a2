"""What a sync did: counts per stream, requests per API, and the records that did not go.

Every record read is accounted for: it was sent, skipped (with a reason: invalid e-mail, no
consent, already sent...) or failed (with the error). Per-record problems are kept up to a
bound (``max_problems``) and counted beyond it, so a run over a huge shop stays cheap.
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import datetime
from typing import Any

from attrs import define, field

__all__ = ["Problem", "StreamReport", "SyncReport"]

MAX_PROBLEMS = 1000


@define
class Problem:
    """One record that was not sent as it should have been.

    Attributes:
        stream: the stream it belongs to.
        record: the record (e-mail, ``order 4711``, product id).
        reason: why (a skip reason or an error).
        kind: ``"skipped"``, ``"failed"`` or ``"uncertain"`` (may have been sent).
    """

    stream: str
    record: str
    reason: str
    kind: str


@define
class StreamReport:
    """Counts of one stream (customers, subscribers, orders, offer).

    Attributes:
        read: records read from the source.
        sent: records SALESmanago acknowledged (or, in a dry run, would have been sent).
        skipped: skip counts by reason.
        failed: failure counts by error.
        uncertain: records whose sending may or may not have happened (never re-sent
            automatically; see the docs on at-most-once PURCHASE events).
        batches: batches acknowledged.
        reconciled: uncertain records settled by asking SALESmanago (sent, or to be re-sent).
        resumed_from: the cursor the run started from, when it resumed.
    """

    name: str
    read: int = 0
    sent: int = 0
    skipped: Counter[str] = field(factory=Counter)
    failed: Counter[str] = field(factory=Counter)
    uncertain: int = 0
    batches: int = 0
    reconciled: int = 0
    resumed_from: str | None = None

    @property
    def skipped_total(self) -> int:
        """All skipped records."""
        return sum(self.skipped.values())

    @property
    def failed_total(self) -> int:
        """All failed records."""
        return sum(self.failed.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable)."""
        return {
            "name": self.name,
            "read": self.read,
            "sent": self.sent,
            "skipped": dict(self.skipped),
            "failed": dict(self.failed),
            "uncertain": self.uncertain,
            "batches": self.batches,
            "reconciled": self.reconciled,
            "resumed_from": self.resumed_from,
        }


@define
class SyncReport:
    """The result of one sync run.

    Example:
        >>> report = integration.export_customers()  # doctest: +SKIP
        >>> report.streams["customers"].sent, report.ok  # doctest: +SKIP
    """

    started_at: datetime
    dry_run: bool = False
    streams: dict[str, StreamReport] = field(factory=dict)
    requests: Counter[str] = field(factory=Counter)
    duration: float = 0.0
    problems: list[Problem] = field(factory=list)
    problems_omitted: int = 0
    errors: list[str] = field(factory=list)
    max_problems: int = MAX_PROBLEMS

    def stream(self, name: str) -> StreamReport:
        """The report of a stream (created on first use)."""
        if name not in self.streams:
            self.streams[name] = StreamReport(name=name)
        return self.streams[name]

    def problem(self, stream: str, record: str, reason: str, kind: str) -> None:
        """Record a per-record problem (counted only once the bound is reached)."""
        if len(self.problems) < self.max_problems:
            self.problems.append(Problem(stream, record, reason, kind))
        else:
            self.problems_omitted += 1

    def skip(self, stream: str, record: str, reason: str) -> None:
        """Count and record a skipped record."""
        self.stream(stream).skipped[reason] += 1
        self.problem(stream, record, reason, "skipped")

    def fail(self, stream: str, records: list[str], error: str) -> None:
        """Count and record records that failed with ``error``."""
        self.stream(stream).failed[error] += len(records)
        for record in records:
            self.problem(stream, record, error, "failed")

    @property
    def ok(self) -> bool:
        """True when nothing failed and no run-level error happened."""
        return not self.errors and all(
            s.failed_total == 0 and s.uncertain == 0 for s in self.streams.values()
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-serialisable)."""
        return {
            "started_at": self.started_at.isoformat(),
            "dry_run": self.dry_run,
            "duration": round(self.duration, 3),
            "ok": self.ok,
            "streams": {n: s.to_dict() for n, s in self.streams.items()},
            "requests": dict(self.requests),
            "errors": list(self.errors),
            "problems": [
                {"stream": p.stream, "record": p.record, "reason": p.reason, "kind": p.kind}
                for p in self.problems
            ],
            "problems_omitted": self.problems_omitted,
        }

    def _lines(self) -> list[str]:
        head = "dry run" if self.dry_run else ("ok" if self.ok else "with problems")
        lines = [f"SyncReport ({head}, {self.duration:.1f} s)"]
        for s in self.streams.values():
            lines.append(
                f"  {s.name}: read {s.read}, sent {s.sent}, skipped {s.skipped_total}, "
                f"failed {s.failed_total}, uncertain {s.uncertain}"
            )
            lines += [f"    skipped {n} x {reason}" for reason, n in s.skipped.most_common()]
            lines += [f"    failed {n} x {error}" for error, n in s.failed.most_common()]
        requests = ", ".join(f"{api} {n}" for api, n in sorted(self.requests.items()))
        lines.append(f"  requests: {requests or 'none'}")
        lines += [f"  error: {e}" for e in self.errors]
        return lines

    def __repr__(self) -> str:
        return "\n".join(self._lines())

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """A table for Jupyter notebooks."""
        rows = "".join(
            f"<tr><td>{html.escape(s.name)}</td><td>{s.read}</td><td>{s.sent}</td>"
            f"<td>{s.skipped_total}</td><td>{s.failed_total}</td><td>{s.uncertain}</td></tr>"
            for s in self.streams.values()
        )
        errors = "".join(f"<li>{html.escape(e)}</li>" for e in self.errors)
        return (
            f"<p><b>{html.escape(self._lines()[0])}</b></p>"
            "<table><tr><th>stream</th><th>read</th><th>sent</th><th>skipped</th>"
            f"<th>failed</th><th>uncertain</th></tr>{rows}</table>"
            + (f"<ul>{errors}</ul>" if errors else "")
        )
