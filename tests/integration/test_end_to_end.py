"""End to end on the sandbox: every item of the seed's data list arrives in SALESmanago."""

from __future__ import annotations

from datetime import timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.testing import Sandbox
from tests.integration.support import (
    category_path,
    consented,
    expected_customers,
    make_integration,
    order_total,
    purchases,
    sandbox,
    valid,
)

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.mark.parametrize("mode", list(ConsentMode))
def test_customers_arrive_with_every_field(mode: ConsentMode) -> None:
    with sandbox() as box:
        report = make_integration(box, consent_mode=mode).export_customers()
        stored = box.salesmanago.contacts
        expected = expected_customers(box.shop, mode)
        assert set(stored) == set(expected)
        assert report.stream("customers").sent == len(expected)
        assert report.stream("customers").read == len(box.shop.customers)
        for email, customer in expected.items():
            contact = stored[email]
            assert contact.name == f"{customer.first_name} {customer.last_name}"
            assert contact.external_id == str(customer.id)
            assert contact.phone == customer.phone
            assert contact.company == customer.firm
            assert contact.address["streetAddress"] == customer.street
            assert contact.address["zipCode"] == customer.zip_code
            assert contact.address["city"] == customer.city
            assert contact.address["country"] == customer.country_id.upper()
            birthday = customer.birth_date.strftime("%Y%m%d") if customer.birth_date else ""
            assert contact.birthday == birthday
            assert contact.tags == ["rejestracja"]
            assert contact.email_opt == ("in" if consented(customer) else "out")


def test_consented_only_reports_the_others_as_skipped() -> None:
    with sandbox() as box:
        report = make_integration(box).export_customers()
        customers = report.stream("customers")
        without = sum(1 for c in box.shop.customers if valid(c.email) and not consented(c))
        assert customers.skipped["customer without e-mail consent in shop 1"] == without
        assert customers.read == customers.sent + customers.skipped_total
        assert report.ok


def test_subscribers_without_account_get_the_newsletter_tag() -> None:
    with sandbox() as box:
        report = make_integration(box, consent_mode=ConsentMode.ALL).export_subscribers()
        expected = {s.email.strip().lower() for s in box.shop.subscribers if valid(s.email)}
        assert set(box.salesmanago.contacts) == expected
        assert all(c.tags == ["newsletter"] for c in box.salesmanago.contacts.values())
        assert report.stream("subscribers").sent == len(expected)


def test_orders_become_purchase_events_with_category_tags() -> None:
    with sandbox() as box:
        integration = make_integration(box, consent_mode=ConsentMode.ALL)
        integration.export_customers()
        report = integration.sync_orders()
        expected = purchases(box.shop)
        events = {e.fields["externalId"]: e for e in box.salesmanago.events.values()}
        assert set(events) == set(expected)
        assert report.stream("orders").sent == len(expected)
        products = {p.id: p for p in box.shop.products}
        customers = {c.id: c for c in box.shop.customers}
        for serial, order in expected.items():
            fields = events[serial].fields
            assert fields["contactExtEventType"] == "PURCHASE"
            local = order.added if order.added.tzinfo else order.added.replace(tzinfo=WARSAW)
            added = local.astimezone(timezone.utc).timestamp() * 1000
            assert fields["date"] == round(added)
            ids = list(dict.fromkeys(str(line.product_id) for line in order.lines))
            assert fields["products"] == ",".join(ids)
            assert Decimal(str(fields["value"])) == order_total(order)
            assert fields["location"] == "sandbox_shop"
            if order.pickup_point is not None:
                assert order.pickup_point.name in fields["detail6"]
            email = customers[order.client_id].email.strip().lower()
            tags = box.salesmanago.contacts[email].tags
            for line in order.lines:
                path = category_path(box.shop, products[line.product_id].category_id)
                assert set(path[:3]) <= set(tags)


def test_dry_run_sends_nothing_and_reports_what_would_be_sent() -> None:
    with sandbox() as box:
        integration = make_integration(box, consent_mode=ConsentMode.ALL)
        customers = integration.export_customers(dry_run=True)
        orders = integration.sync_orders(dry_run=True)
        assert box.salesmanago.contacts == {}
        assert box.salesmanago.events == {}
        assert box.salesmanago.requests == []
        assert customers.dry_run
        assert customers.stream("customers").sent == len(
            expected_customers(box.shop, ConsentMode.ALL)
        )
        assert orders.stream("orders").sent == len(purchases(box.shop))
        assert integration.state.cursor("orders") is None


def test_report_counts_requests_and_renders() -> None:
    with sandbox() as box:
        report = make_integration(box).export_customers()
        assert report.requests["idosell"] == len(box.idosell.requests)
        assert report.requests["salesmanago"] == len(box.salesmanago.requests)
        text = repr(report)
        assert "customers: read 60" in text
        assert "<table>" in report._repr_html_()
        data = report.to_dict()
        assert data["streams"]["customers"]["read"] == 60
        assert data["ok"] is True


def test_consented_only_never_brings_a_contact_without_consent_through_orders() -> None:
    with sandbox() as box:
        integration = make_integration(box)
        integration.export_customers()
        report = integration.sync_orders()
        emails = {c.id: c.email.strip().lower() for c in box.shop.customers}
        allowed = set(expected_customers(box.shop, ConsentMode.CONSENTED_ONLY))
        assert set(box.salesmanago.contacts) == allowed
        skipped = report.stream("orders").skipped["customer without e-mail consent in shop 1"]
        assert skipped > 0
        for event in box.salesmanago.events.values():
            assert event.email in allowed
        sent = {e.fields["externalId"] for e in box.salesmanago.events.values()}
        consented_orders = {
            serial
            for serial, order in purchases(box.shop).items()
            if emails[order.client_id] in allowed
        }
        assert sent == consented_orders


def _customer_reads(box: Sandbox, since: int = 0) -> int:
    return sum(1 for r in box.idosell.requests[since:] if r.path.endswith("/clients/clients"))


def test_consented_only_orders_take_consent_from_the_customers_stream_memory() -> None:
    with sandbox() as box:
        integration = make_integration(box)
        integration.export_customers()
        mark = len(box.idosell.requests)
        report = integration.sync_orders()
        assert _customer_reads(box, mark) == 0  # no request per page for the buyers' consent
        allowed = set(expected_customers(box.shop, ConsentMode.CONSENTED_ONLY))
        assert {e.email for e in box.salesmanago.events.values()} <= allowed
        assert report.stream("orders").skipped["customer without e-mail consent in shop 1"] > 0


def test_consented_only_orders_read_buyers_the_memory_has_not_met() -> None:
    with sandbox() as box:
        report = make_integration(box).sync_orders()  # no customers export before
        assert _customer_reads(box) > 0
        allowed = set(expected_customers(box.shop, ConsentMode.CONSENTED_ONLY))
        assert {e.email for e in box.salesmanago.events.values()} <= allowed
        assert report.stream("orders").skipped["customer without e-mail consent in shop 1"] > 0


def test_a_consent_withdrawn_after_the_customers_read_is_applied_by_their_next_run() -> None:
    with sandbox() as box:
        integration = make_integration(box)
        integration.export_customers()
        allowed = expected_customers(box.shop, ConsentMode.CONSENTED_ONLY)
        buyers = {o.client_id for o in purchases(box.shop).values()}
        buyer = next(
            c for c in box.shop.customers if c.email.strip().lower() in allowed and c.id in buyers
        )
        box.idosell.update_customer(buyer.id, newsletter_since=None)
        integration.sync_orders()  # the memory still says "consented": its orders go
        email = buyer.email.strip().lower()
        assert email in {e.email for e in box.salesmanago.events.values()}
        assert integration.export_customers().ok
        assert box.salesmanago.contacts[email].email_opt == "out"


def _account(box: Sandbox, customer_id: int, email: str) -> dict[str, object]:
    customer = next(c for c in box.shop.customers if c.id == customer_id)
    return {
        "clientAccount": {"clientId": customer.id, "clientLogin": customer.login,
                          "clientEmail": email, "clientPhone1": customer.phone}
    }  # fmt: skip


@pytest.mark.parametrize("other", ["invalid", "consenting"])
def test_a_buyer_whose_orders_carry_other_e_mails_still_needs_consent(other: str) -> None:
    # the e-mail on an order is the one given then: one account's orders may differ in it
    with sandbox() as box:
        integration = make_integration(box)
        integration.export_customers()
        allowed = expected_customers(box.shop, ConsentMode.CONSENTED_ONLY)
        emails = {c.id: c.email.strip().lower() for c in box.shop.customers}
        serials: dict[int, list[int]] = {}
        for serial, order in sorted(purchases(box.shop).items(), key=lambda s: int(s[0])):
            serials.setdefault(order.client_id, []).append(int(serial))
        buyer, orders = next(
            (i, s) for i, s in serials.items() if len(s) > 1 and emails[i] not in allowed
        )
        address = "no-at-sign" if other == "invalid" else next(iter(allowed))
        for number in orders[1:]:  # the first keeps the account's own e-mail
            box.idosell.patch_row("order", number, clientResult=_account(box, buyer, address))
        integration.sync_orders()
        sent = {e.fields["externalId"] for e in box.salesmanago.events.values()}
        assert str(orders[0]) not in sent
        assert emails[buyer] not in {e.email for e in box.salesmanago.events.values()}


def test_a_dry_run_sees_the_consents_the_real_run_will_apply() -> None:
    # the dry customers stream remembers nothing: its orders must not trust the memory
    with sandbox() as box:
        integration = make_integration(box)
        integration.export_customers()
        allowed = expected_customers(box.shop, ConsentMode.CONSENTED_ONLY)
        buyers = {o.client_id for o in purchases(box.shop).values()}
        withdrawn = [c for c in box.shop.customers if c.email.strip().lower() in allowed]
        for customer in [c for c in withdrawn if c.id in buyers][:3]:
            box.idosell.update_customer(customer.id, newsletter_since=None)
        dry = integration.sync_changes(dry_run=True).stream("orders")
        real = integration.sync_changes().stream("orders")
        assert (dry.sent, dry.skipped) == (real.sent, real.skipped)
