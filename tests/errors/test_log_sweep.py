"""A full run at DEBUG, every logger included: no secret and no customer e-mail in the log."""

from __future__ import annotations

import logging

import pytest

from salesmanago_idosell.mapping import MappingSettings, Skip, purchase_event_from_order
from salesmanago_idosell.testing import Sandbox
from tests.integration.support import make_integration

FEED_TOKEN = "feed-export-token-5f1c"


@pytest.mark.parametrize("opt_in", [False, True], ids=["default", "personal-data-opt-in"])
def test_a_full_run_at_debug_logs_no_secret_and_no_customer_email(
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    opt_in: bool,
) -> None:
    if opt_in:  # the opt-in shows the addresses: proof that the sweep would see a leak
        monkeypatch.setenv("SMIDO_LOG_PERSONAL_DATA", "1")
    caplog.set_level(logging.DEBUG)  # the root: urllib3's request lines included
    with Sandbox(seed=5, customers=60, subscribers=20, orders=60, products=15) as box:
        integration = make_integration(box, consent_mode="all")
        feed = f"{box.idosell.full_xml_url}?token={FEED_TOKEN}"
        categories = f"{box.idosell.categories_xml_url}?token={FEED_TOKEN}"
        reports = [
            integration.export_customers(),
            integration.export_subscribers(),
            integration.sync_orders(),
            integration.sync_offer(feed, categories=categories),
        ]
        customer = next(c for c in box.shop.customers if "@" in c.email and " " not in c.email)
        params = {"email": customer.email, "token": "s3cr3t-t0ken"}
        answer = integration.callbacks.handle("opt_out", params)
        secrets = {
            box.salesmanago.api_secret,
            box.salesmanago.api_v3_key,
            integration.salesmanago.credentials.api_key,
            integration.salesmanago.credentials.sha,
            box.idosell.api_key,
            "s3cr3t-t0ken",
            FEED_TOKEN,
        }
        emails = {c.email for c in box.shop.customers} | {s.email for s in box.shop.subscribers}
        phones = {c.phone for c in box.shop.customers if c.phone}
        phones |= {p.replace(" ", "") for p in phones}
        integration.close()
    assert answer.status == 200
    assert all(r.streams for r in reports)
    text = caplog.text
    records = len(caplog.records)
    urllib3_records = sum(r.name.startswith("urllib3") for r in caplog.records)
    leaked_secrets = {s: text.count(s) for s in secrets if s in text}
    leaked_emails = {e: text.count(e) for e in emails if len(e) > 3 and e in text}
    leaked_phones = {p for p in phones if p in text}
    masked = text.count("***@")
    with capsys.disabled():
        print(  # the figures quoted in the closing note
            f"\nlog sweep ({'opt-in' if opt_in else 'default'}): {records} records "
            f"({urllib3_records} from urllib3), "
            f"{len(secrets)} secrets, {len(emails)} e-mails, {len(phones)} phone forms checked; "
            f"{len(leaked_secrets)} secrets, {len(leaked_emails)} e-mails, "
            f"{len(leaked_phones)} phones found, "
            f"{masked} masked addresses"
        )
    assert records > 30
    assert urllib3_records > 0
    assert leaked_secrets == {}
    if opt_in:
        assert len(leaked_emails) > 10
        assert leaked_phones
    else:
        assert leaked_emails == {}
        assert leaked_phones == set()
        assert masked > 0


def test_an_order_with_a_bad_email_keeps_the_address_out_of_the_reason() -> None:
    import attrs

    from salesmanago_idosell.idosell.models import OrderClient
    from tests.mapping.test_mapping import ORDER, SETTINGS

    settings: MappingSettings = SETTINGS
    order = attrs.evolve(ORDER, client=OrderClient(id=1, email="marek@@onet.pl"))
    skip = purchase_event_from_order(order, settings=settings)
    assert isinstance(skip, Skip)
    assert "marek" not in skip.reason
    assert skip.record == "order 4711 (marek@@onet.pl)"


def test_the_cli_demo_at_debug_logs_no_secret_and_no_customer_email(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from salesmanago_idosell.cli import main
    from salesmanago_idosell.testing.generator import generate_shop

    sizes = {"customers": 60, "subscribers": 20, "orders": 60, "products": 15}
    argv = ["-vv", "demo", "--seed", "4"] + [f"--{k}={v}" for k, v in sizes.items()]
    assert main(argv) == 0
    err = capsys.readouterr().err
    shop = generate_shop(4, customers=60, subscribers=20, orders=60, products=15)
    secrets = ("sandbox-api-secret", "sandbox-v3-key", "sandbox-idosell-key")
    emails = {c.email for c in shop.customers} | {s.email for s in shop.subscribers}
    assert err.count("DEBUG") > 20
    assert "apiKey" in err  # request bodies were logged...
    assert [s for s in secrets if s in err] == []  # ...without a secret
    assert [e for e in emails if len(e) > 3 and e in err] == []


def test_a_logged_traceback_is_scrubbed_and_masked(caplog: pytest.LogCaptureFixture) -> None:
    from salesmanago_idosell._transport import Transport

    transport = Transport(base_url="http://127.0.0.1:9", secrets=["traceback-secret-77"])
    log = logging.getLogger("salesmanago_idosell")
    try:
        raise RuntimeError("boom with traceback-secret-77 for ala.nowak@example.pl")
    except RuntimeError:
        log.exception("handler failed")
    transport.close()
    assert "handler failed" in caplog.text
    assert "traceback-secret-77" not in caplog.text
    assert "ala.nowak@example.pl" not in caplog.text
    assert "a***@example.pl" in caplog.text
