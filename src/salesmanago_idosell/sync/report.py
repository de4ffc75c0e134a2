"""What a sync did: counts per stream, requests per API, and the records that did not go.

Every record read is accounted for: it was sent, skipped (with a reason: invalid e-mail, no
consent, already sent...) or failed (with the error). Per-record problems are kept up to a
bound (``max_problems``) and counted beyond it, so a run over a huge shop stays cheap.
"""

from __future__ import annotations

import html
import importlib
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from attrs import astuple, define, field, fields, frozen

from .._logs import mask_emails
from ..errors import ValidationError

__all__ = ["Problem", "RecordRow", "StreamReport", "SyncReport"]

MAX_PROBLEMS = 1000
#: Example records shown per reason in the notebook view.
HTML_EXAMPLES = 3


@frozen
class RecordRow:
    """One row of :meth:`SyncReport.records`: a record that did not simply go.

    Attributes:
        stream: ``customers``, ``subscribers``, ``orders`` or ``offer``.
        record: the record: an e-mail, ``order 4711``, ``product 12`` (full value: your data).
        outcome: ``"skipped"``, ``"failed"``, ``"uncertain"`` (may have been sent) or
            ``"warning"`` (sent, with a remark from SALESmanago).
        reason: why.
    """

    stream: str
    record: str
    outcome: str
    reason: str


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

    def records(self) -> list[RecordRow]:
        """The records that were skipped, failed, uncertain or warned about, as typed rows.

        At most ``max_problems`` are kept (``problems_omitted`` counts the rest); the counts
        in :attr:`streams` are always complete.
        """
        return [RecordRow(p.stream, p.record, p.kind, p.reason) for p in self.problems]

    def to_pandas(self) -> Any:
        """:meth:`records` as a ``pandas.DataFrame`` (columns ``stream``, ``record``,
        ``outcome``, ``reason``).

        Raises:
            ValidationError: pandas is not installed (``pip install
                'salesmanago-idosell[pandas]'``).
        """
        try:
            pandas: Any = importlib.import_module("pandas")
        except ImportError:
            raise ValidationError(
                "to_pandas() needs pandas: pip install 'salesmanago-idosell[pandas]'",
                field="pandas",
            ) from None
        columns = [f.name for f in fields(RecordRow)]
        return pandas.DataFrame([astuple(r) for r in self.records()], columns=columns)

    def summary(self) -> str:
        """The text of ``str(report)`` with e-mail addresses masked: what gets logged."""
        return mask_emails(str(self))

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
        """The notebook view: counts per stream, reasons grouped with examples, duration."""
        head = "dry run" if self.dry_run else ("ok" if self.ok else "with problems")
        colour = "#1a7f37" if self.ok else "#b35900"
        parts = [
            f'<div class="smido-report"><p><b style="color:{colour}">SyncReport: {head}</b>'
            f" &middot; started {html.escape(self.started_at.isoformat(timespec='seconds'))}"
            f" &middot; {self.duration:.1f} s &middot; requests: "
            + html.escape(
                ", ".join(f"{api} {n}" for api, n in sorted(self.requests.items())) or "none"
            )
            + "</p>",
            self._html_counts(),
            self._html_reasons(),
        ]
        if self.errors:
            items = "".join(f"<li>{html.escape(e)}</li>" for e in self.errors)
            parts.append(f"<p><b>Errors</b></p><ul>{items}</ul>")
        if self.problems_omitted:
            parts.append(
                f"<p>{self.problems_omitted} more records not kept (counts are complete)</p>"
            )
        return "".join(parts) + "</div>"

    def _html_counts(self) -> str:
        header = "".join(
            f"<th>{h}</th>"
            for h in ("stream", "read", "sent", "skipped", "failed", "uncertain", "batches")
        )
        rows = "".join(
            f"<tr><td>{html.escape(s.name)}</td><td>{s.read}</td><td>{s.sent}</td>"
            f"<td>{s.skipped_total}</td><td>{s.failed_total}</td><td>{s.uncertain}</td>"
            f"<td>{s.batches}</td></tr>"
            for s in self.streams.values()
        )
        return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"

    def _html_reasons(self) -> str:
        """One row per (stream, outcome, reason): its full count and a few example records."""
        examples: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for p in self.problems:
            found = examples[p.stream, p.kind, p.reason]
            if len(found) < HTML_EXAMPLES:
                found.append(p.record)
        counts: list[tuple[str, str, str, int]] = []
        for s in self.streams.values():
            counts += [(s.name, "skipped", r, n) for r, n in s.skipped.most_common()]
            counts += [(s.name, "failed", r, n) for r, n in s.failed.most_common()]
        counted = {(stream, kind, reason) for stream, kind, reason, _ in counts}
        extra = Counter((p.stream, p.kind, p.reason) for p in self.problems)
        counts += [(*key, n) for key, n in extra.items() if key not in counted]
        if not counts:
            return ""
        rows = "".join(
            f"<tr><td>{html.escape(stream)}</td><td>{kind}</td><td>{html.escape(reason)}</td>"
            f"<td>{n}</td><td>{html.escape(', '.join(examples.get((stream, kind, reason), [])))}"
            "</td></tr>"
            for stream, kind, reason, n in counts
        )
        return (
            "<p><b>Not sent, by reason</b></p><table><thead><tr><th>stream</th>"
            "<th>outcome</th><th>reason</th><th>count</th><th>examples</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
