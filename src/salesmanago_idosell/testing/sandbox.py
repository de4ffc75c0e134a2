"""``Sandbox``: both fakes started together around one generated shop.

Example:
    >>> from salesmanago_idosell.testing import Sandbox
    >>> with Sandbox(seed=1, customers=10, orders=5) as sandbox:
    ...     sandbox.idosell.url.startswith("http://127.0.0.1:")
    True
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import Any

from ..config import ENVIRONMENT
from .faults import FaultSpec
from .generator import generate_shop
from .idosell import FakeIdoSell
from .iof_writer import write_feeds
from .salesmanago import FakeSalesmanago
from .shop import Shop

__all__ = ["Sandbox"]


class Sandbox:
    """A fake IdoSell serving a seeded shop and an empty fake SALESmanago.

    Args:
        seed: seeds the shop, the generated ids and the fault injection.
        customers: customer accounts in the shop.
        subscribers: newsletter subscribers without an account.
        orders: orders in the shop.
        products: products in the offer.
        idosell_faults: fault injection of the fake IdoSell.
        salesmanago_faults: fault injection of the fake SALESmanago.

    Attributes:
        shop: the generated :class:`~salesmanago_idosell.testing.Shop`.
        idosell: the :class:`FakeIdoSell` (``.url``, ``.api_key``).
        salesmanago: the :class:`FakeSalesmanago` (``.url``, ``.client_id``, ...).
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        customers: int = 50,
        subscribers: int = 20,
        orders: int = 80,
        products: int = 40,
        idosell_faults: FaultSpec = None,
        salesmanago_faults: FaultSpec = None,
    ) -> None:
        self.seed = seed
        self.shop: Shop = generate_shop(
            seed, customers=customers, subscribers=subscribers, orders=orders, products=products
        )
        self.idosell = FakeIdoSell(self.shop, seed=seed, faults=idosell_faults)
        self.salesmanago = FakeSalesmanago(seed=seed, faults=salesmanago_faults)

    def start(self) -> Sandbox:
        """Start both servers."""
        self.idosell.start()
        try:
            self.salesmanago.start()
        except BaseException:
            self.idosell.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop both servers (safe to call twice)."""
        try:
            self.salesmanago.stop()
        finally:
            self.idosell.stop()

    def settings(self, **extra: Any) -> dict[str, Any]:
        """The :class:`~salesmanago_idosell.IntegrationConfig` settings pointing at both
        fakes (both SALESmanago APIs and the IdoSell shop), with ``extra`` settings added."""
        sm, shop = self.salesmanago, self.idosell
        return {
            "salesmanago_client_id": sm.client_id,
            "salesmanago_api_secret": sm.api_secret,
            "salesmanago_owner": sm.owner,
            "salesmanago_endpoint": sm.url,
            "salesmanago_api_v3_key": sm.api_v3_key,
            "salesmanago_v3_endpoint": sm.url,
            "idosell_shop_url": shop.url,
            "idosell_api_key": shop.api_key,
            **extra,
        }

    def environment(self, **extra: str) -> dict[str, str]:
        """The environment variables of ``IntegrationConfig.from_env`` (and so of the CLI)
        for :meth:`settings`, with ``extra`` variables added (``SMIDO_...=...``)."""
        return {ENVIRONMENT[name]: value for name, value in self.settings().items()} | extra

    def write_feeds(self, directory: str | Path) -> tuple[Path, Path]:
        """Write the shop's IOF ``full.xml`` and ``categories.xml``; returns both paths."""
        return write_feeds(self.shop, directory)

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
