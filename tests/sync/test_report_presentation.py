"""The report in a notebook: HTML with counts, reasons and examples; rows; a DataFrame."""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone

import pytest

from salesmanago_idosell.errors import ValidationError
from salesmanago_idosell.sync.report import RecordRow, SyncReport
from tests.integration.support import make_integration, sandbox


def made_report() -> SyncReport:
    report = SyncReport(started_at=datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc))
    report.duration = 12.34
    report.stream("customers").read = 6
    report.stream("customers").sent = 1
    for email in ("jan@@onet.pl", "anna@", "brak-adresu"):
        report.skip("customers", email, "invalid e-mail address")
    report.skip("customers", "ewa@example.pl", "customer without e-mail consent in shop 1")
    report.fail("customers", ["olek@example.pl"], "refused by SALESmanago")
    report.requests.update({"idosell": 3, "salesmanago": 2})
    return report


def test_html_shows_counts_reasons_with_counts_and_examples_and_the_duration() -> None:
    page = made_report()._repr_html_()
    assert "12.3 s" in page
    assert "<td>customers</td><td>6</td><td>1</td><td>4</td><td>1</td><td>0</td>" in page
    assert (
        "<td>skipped</td><td>invalid e-mail address</td><td>3</td>"
        "<td>jan@@onet.pl, anna@, brak-adresu</td>"
    ) in page
    assert (
        "<td>failed</td><td>refused by SALESmanago</td><td>1</td><td>olek@example.pl</td>" in page
    )
    assert "idosell 3, salesmanago 2" in page


def test_html_examples_are_bounded_and_escaped() -> None:
    report = made_report()
    for n in range(10):
        report.skip("orders", f"order <{n}>", "status <x> is not a purchase")
    page = report._repr_html_()
    assert "<td>10</td><td>order &lt;0&gt;, order &lt;1&gt;, order &lt;2&gt;</td>" in page
    assert "order &lt;3&gt;" not in page


def test_records_are_typed_rows() -> None:
    rows = made_report().records()
    assert rows[0] == RecordRow("customers", "jan@@onet.pl", "skipped", "invalid e-mail address")
    assert [r.outcome for r in rows] == ["skipped"] * 4 + ["failed"]


def test_to_pandas_gives_the_rows_as_a_dataframe() -> None:
    pandas = pytest.importorskip("pandas")
    frame = made_report().to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["stream", "record", "outcome", "reason"]
    assert frame.groupby("reason").size()["invalid e-mail address"] == 3


def test_to_pandas_without_pandas_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ValidationError, match=r"salesmanago-idosell\[pandas\]"):
        made_report().to_pandas()


def test_the_logged_summary_masks_addresses_the_report_keeps_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = made_report()
    report.errors.append("customers: contact jan.kowalski@example.pl refused")
    assert "jan.kowalski@example.pl" in str(report)
    assert "jan.kowalski@example.pl" not in report.summary()
    assert "j***@example.pl" in report.summary()


def test_a_run_logs_its_summary_without_customer_emails(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="salesmanago_idosell")
    with sandbox(customers=40, orders=30) as box:
        integration = make_integration(box)
        report = integration.sync_orders()
        emails = {c.email for c in box.shop.customers if "@" in c.email}
    assert report.records()  # bad e-mails and statuses were skipped...
    assert any("(" in r.record for r in report.records() if r.stream == "orders")
    assert not [e for e in emails if e in caplog.text]  # ...and the log names none
