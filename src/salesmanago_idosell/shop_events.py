"""Live shop events: CART (updated through its event id) and VISIT (product page views).

A shop calls these from its own request handlers:

* the first cart change of a visitor adds a CART event and returns its id; keep it in the
  ``smevent`` cookie (:func:`salesmanago_idosell.tracking.smevent_cookie`);
* later cart changes pass that id and *update* the same event instead of adding new ones
  (read it, and ``smclient``, from the raw ``Cookie`` header with
  :func:`salesmanago_idosell.tracking.read_cookie`, which a malformed neighbour cookie never
  defeats);
* a purchase closes the cart: delete the cookie (``smevent_cookie(None)``); the PURCHASE event
  itself comes from the order sync.

Adding is not idempotent and never retried blindly; updating is retried safely.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal

from .errors import ValidationError
from .salesmanago import EventType, ExternalEvent, SalesmanagoClient

__all__ = ["ShopEvents"]


class ShopEvents:
    """CART and VISIT events for one SALESmanago account and shop location.

    Args:
        salesmanago: the client.
        location: the SALESmanago ``location`` (must match the product catalog's).
        shop_domain: sent as ``shopDomain``.
        now: the current time (aware), injectable in tests.
    """

    def __init__(
        self,
        salesmanago: SalesmanagoClient,
        *,
        location: str,
        shop_domain: str | None,
        now: Callable[[], datetime],
    ) -> None:
        self._sm = salesmanago
        self._location = location
        self._shop_domain = shop_domain
        self._now = now

    def _event(
        self,
        kind: EventType,
        *,
        email: str | None,
        contact_id: str | None,
        products: Iterable[str],
        value: Decimal | None,
        description: str | None,
    ) -> ExternalEvent:
        if not email and not contact_id:
            raise ValidationError("give the visitor's email or contact_id", field="email")
        return ExternalEvent(
            type=kind,
            date=self._now(),
            email=email,
            contact_id=contact_id,
            products=tuple(str(p) for p in products),
            value=value,
            description=description,
            location=self._location,
            shop_domain=self._shop_domain,
        )

    def track_cart(
        self,
        *,
        products: Iterable[str],
        value: Decimal,
        email: str | None = None,
        contact_id: str | None = None,
        cart_event_id: str | None = None,
        description: str | None = None,
    ) -> str:
        """Record the visitor's cart; returns the CART event id to keep in ``smevent``.

        Args:
            products: product ids in the cart.
            value: the cart's total.
            email: the visitor's e-mail (or give ``contact_id``).
            contact_id: the visitor's contact id (the ``smclient`` cookie).
            cart_event_id: the id from the ``smevent`` cookie: the event is updated.
            description: e.g. the cart-recovery URL.
        """
        event = self._event(
            EventType.CART,
            email=email,
            contact_id=contact_id,
            products=products,
            value=value,
            description=description,
        )
        if cart_event_id:
            return self._sm.events.update(cart_event_id, event)
        return self._sm.events.add(event)

    def track_product_view(
        self, *, product_id: str, email: str | None = None, contact_id: str | None = None
    ) -> str:
        """Record a product page view (a VISIT event); returns the event id."""
        event = self._event(
            EventType.VISIT,
            email=email,
            contact_id=contact_id,
            products=[product_id],
            value=None,
            description=None,
        )
        return self._sm.events.add(event)
