"""The facade's callbacks and monitoring code, wired to the configuration."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesmanago_idosell.callbacks import CallbackKind
from salesmanago_idosell.errors import ValidationError
from tests.integration.support import consented, make_integration, sandbox, valid


def test_callbacks_use_the_configured_token_and_shop() -> None:
    with sandbox() as box:
        integration = make_integration(box)
        customer = next(c for c in box.shop.customers if consented(c) and valid(c.email))
        url = integration.callbacks.opt_out_url("https://sklep.example.pl")
        assert url.endswith("email=$email$&token=s3cr3t-t0ken")
        params = {"email": customer.email, "token": "s3cr3t-t0ken"}
        result = integration.callbacks.handle(CallbackKind.OPT_OUT, params)
        assert result.status == 200
        assert result.changed
        stored = next(c for c in box.shop.customers if c.id == customer.id)
        assert stored.newsletter_since is None
        forged = integration.callbacks.handle(CallbackKind.OPT_IN, {**params, "token": "x"})
        assert forged.status == 403


def test_callbacks_without_a_token_say_what_is_missing() -> None:
    with sandbox() as box:
        integration = make_integration(box, opt_out_token=None)
        with pytest.raises(ValidationError, match="SMIDO_OPT_OUT_TOKEN"):
            _ = integration.callbacks


def test_monitoring_code_is_for_the_configured_account() -> None:
    with sandbox() as box:
        code = make_integration(box).monitoring_code(contact_id="abc-123")
        assert f'var _smid = "{box.salesmanago.client_id}";' in code
        assert 'var _smclientid = "abc-123";' in code
        assert f"{box.salesmanago.url}/static/sm.js" in code


def test_cart_is_added_then_updated_and_views_are_visits() -> None:
    with sandbox() as box:
        integration = make_integration(box)
        first = integration.track_cart(email="ala@example.pl", products=["101"],
                                       value=Decimal("10.00"))  # fmt: skip
        same = integration.track_cart(email="ala@example.pl", products=["101", "102"],
                                      value=Decimal("25.50"), cart_event_id=first)  # fmt: skip
        assert same == first
        assert len(box.salesmanago.events) == 1
        cart = box.salesmanago.events[first].fields
        assert cart["contactExtEventType"] == "CART"
        assert cart["products"] == "101,102"
        assert cart["location"] == "sandbox_shop"
        assert box.salesmanago.count("POST /api/contact/updateContactExtEvent") == 1
        visit = integration.track_product_view(product_id="7", email="ala@example.pl")
        assert box.salesmanago.events[visit].fields["contactExtEventType"] == "VISIT"
        with pytest.raises(ValidationError):
            integration.track_product_view(product_id="7")
