"""A bad-record corpus: each malformed row is a skip with its reason, the rest is delivered;
a page that is not a page stops the stream without marking it complete."""

from __future__ import annotations

from typing import Any

import pytest

from salesmanago_idosell.errors import PageShapeError
from salesmanago_idosell.integration import Integration
from salesmanago_idosell.mapping import ConsentMode
from salesmanago_idosell.sync.state import MemoryStateStore
from salesmanago_idosell.testing import Sandbox
from tests.integration.support import expected_customers, make_integration, purchases, sandbox


def _customers(box: Sandbox) -> tuple[Integration, MemoryStateStore]:
    state = MemoryStateStore()
    options: dict[str, Any] = {
        "page_size": 10,
        "contact_batch_size": 10,
        "consent_mode": ConsentMode.ALL,
    }
    return make_integration(box, state=state, **options), state


def _expected_emails(box: Sandbox, *, without: int | None = None) -> set[str]:
    expected = expected_customers(box.shop, ConsentMode.ALL)
    return {email for email, c in expected.items() if c.id != without}


def test_impossible_birth_date_is_absent_and_the_customer_delivered() -> None:
    with sandbox() as box:
        victim = box.shop.customers[3]
        box.idosell.patch_row(
            "client", victim.id, clientPersonalData={"clientBirthDate": "1990-02-30"}
        )
        integration, _ = _customers(box)
        report = integration.export_customers()
        assert report.ok
        assert set(box.salesmanago.contacts) == _expected_emails(box)
        assert box.salesmanago.contacts[victim.email.strip().lower()].birthday in (None, "")


def test_null_client_id_is_a_skip_naming_the_field() -> None:
    with sandbox() as box:
        victim = box.shop.customers[5]
        box.idosell.patch_row("client", victim.id, clientId=None)
        integration, _ = _customers(box)
        report = integration.export_customers()
        reasons = [p for p in report.problems if "unreadable record" in p.reason]
        assert len(reasons) == 1
        assert reasons[0].reason == "unreadable record (clientId): required field missing"
        assert reasons[0].record.startswith("row ")
        assert victim.email not in str(report.to_dict())  # no raw personal data
        assert set(box.salesmanago.contacts) == _expected_emails(box, without=victim.id)
        assert report.stream("customers").read == len(box.shop.customers)


def test_null_billing_address_is_an_empty_address() -> None:
    with sandbox() as box:
        victim = box.shop.customers[7]
        box.idosell.patch_row("client", victim.id, clientBillingAddress=None)
        integration, _ = _customers(box)
        report = integration.export_customers()
        assert report.ok
        assert set(box.salesmanago.contacts) == _expected_emails(box)


def _order_run(box: Sandbox) -> tuple[Integration, MemoryStateStore]:
    state = MemoryStateStore()
    return make_integration(box, state=state, consent_mode=ConsentMode.ALL, page_size=10), state


def _events(box: Sandbox) -> set[str]:
    return {str(e.fields.get("externalId")) for e in box.salesmanago.events.values()}


def test_null_order_serial_number_is_a_skip_and_the_rest_delivered() -> None:
    with sandbox() as box:
        victim = next(iter(purchases(box.shop)))
        box.idosell.patch_row("order", int(victim), orderSerialNumber=None)
        integration, _ = _order_run(box)
        report = integration.sync_orders()
        (skip,) = [p for p in report.problems if "unreadable record" in p.reason]
        assert "orderSerialNumber" in skip.reason
        assert skip.record.startswith("orderId ")
        assert _events(box) == set(purchases(box.shop)) - {victim}


def test_null_product_quantity_means_one() -> None:
    with sandbox() as box:
        victim = next(iter(purchases(box.shop)))
        line = {"productId": 1, "productQuantity": None, "productOrderPrice": 10}
        box.idosell.patch_row("order", int(victim), orderDetails={"productsResults": [line]})
        integration, _ = _order_run(box)
        assert integration.sync_orders().ok
        assert _events(box) == set(purchases(box.shop))


def test_unreadable_buyer_account_skips_only_its_orders() -> None:
    with sandbox() as box:
        buyer = next(o.client_id for o in box.shop.orders if o.client_id is not None)
        box.idosell.patch_row("client", buyer, clientId=None)
        state = MemoryStateStore()
        report = make_integration(box, state=state, page_size=10).sync_orders()
        reason = f"customer account {buyer} could not be read"
        skipped = report.stream("orders").skipped[reason]
        assert skipped == sum(1 for o in box.shop.orders if o.client_id == buyer)
        assert report.stream("orders").sent > 0
        assert state.cursor("orders") is not None


def _break_page(integration: Integration, path: str, page: int, payload: dict[str, Any]) -> None:
    real = integration.idosell.call

    def call(method: str, target: str, **kwargs: Any) -> Any:
        answer = real(method, target, **kwargs)
        query = kwargs.get("query") or {}
        if target == path and query.get("resultsPage") == str(page):
            return payload
        return answer

    integration.idosell.call = call  # type: ignore[method-assign,assignment]


@pytest.mark.parametrize(
    "payload",
    [
        {"errors": [{"message": "Internal problem, try later"}]},
        {"errors": {"faultCode": "E_UNKNOWN", "faultString": "?"}},
        {"results": [], "resultsNumberPage": 6, "resultsNumberAll": 60, "resultsLimit": 10},
    ],
    ids=["error-body", "unknown-fault", "empty-before-last"],
)
def test_a_page_that_is_not_a_page_stops_the_export_incomplete(payload: dict[str, Any]) -> None:
    with sandbox() as box:
        integration, state = _customers(box)
        _break_page(integration, "/clients/clients", 2, payload)
        report = integration.export_customers()
        assert not report.ok
        assert any("PageShapeError" in e for e in report.errors)
        assert state.cursor("customers.export") is not None  # not marked complete
        assert state.cursor("customers.changes") is None
        assert len(box.salesmanago.contacts) < len(_expected_emails(box))
        options: dict[str, Any] = {
            "page_size": 10,
            "contact_batch_size": 10,
            "consent_mode": ConsentMode.ALL,
        }
        report = make_integration(box, state=state, **options).export_customers()
        assert report.ok
        resumed = report.stream("customers").resumed_from or ""
        # pages are read downwards: the resume page is the broken one, or the one above it
        # when that page's last batch was still filling up
        assert resumed in ("page 2", "page 3")
        assert set(box.salesmanago.contacts) == _expected_emails(box)
        assert state.cursor("customers.export") is None


def test_page_shape_error_is_typed() -> None:
    assert issubclass(PageShapeError, Exception)
    error = PageShapeError("x", endpoint="/clients/clients", page=3)
    assert (error.endpoint, error.page) == ("/clients/clients", 3)


_OVERFLOW = {"orderProductsCost": "9e999999", "orderDeliveryCost": "9e999999"}


@pytest.mark.parametrize(
    ("costs", "line", "reason"),
    [
        ({"orderProductsCost": "NaN"}, None, "unreadable record"),
        ({"orderProductsCost": float("inf")}, None, "unreadable record"),
        (_OVERFLOW, None, "unreadable record"),  # the total is beyond any Decimal
        ({"orderProductsCost": 1e20}, None, "order value is too large"),  # 19 digits at most
        ({"orderProductsCost": 1e30}, None, "order value is too large"),  # not even in cents
        ({"orderProductsCost": "9e999999"}, None, "order value is too large"),
        (None, {"productQuantity": "NaN"}, "unreadable record"),
        (None, {"productQuantity": "sNaN"}, "unreadable record"),
        (None, {"productOrderPrice": float("nan")}, "unreadable record"),
    ],
)
def test_an_amount_out_of_range_is_a_skip_and_the_rest_delivered(
    costs: dict[str, Any] | None, line: dict[str, Any] | None, reason: str
) -> None:
    # one hostile row must neither stop the stream nor get a whole batch refused
    with sandbox() as box:
        victim = next(iter(purchases(box.shop)))
        if line is not None:
            row = {"productId": 1, "productQuantity": 1, "productOrderPrice": 10, **line}
            patch: dict[str, Any] = {"productsResults": [row]}
        else:
            patch = {"payments": {"orderCurrency": {"currencyId": "PLN", **(costs or {})}}}
        box.idosell.patch_row("order", int(victim), orderDetails=patch)
        integration, _ = _order_run(box)
        report = integration.sync_orders()
        assert not report.errors
        (skip,) = [p for p in report.problems if p.reason.startswith(reason)]
        assert victim in skip.record
        assert _events(box) == set(purchases(box.shop)) - {victim}
