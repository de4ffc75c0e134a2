"""The sandbox: fake IdoSell and fake SALESmanago HTTP servers with a realistic shop.

Everything here runs on 127.0.0.1 and needs no account::

    from salesmanago_idosell.testing import Sandbox

    with Sandbox(seed=1) as sandbox:
        sandbox.idosell.url        # pass to IdosellClient(shop_url=...)
        sandbox.salesmanago.url    # pass to SalesmanagoClient(endpoint=...)

The fakes implement the wire formats directly (they share no code with the SDK's clients),
inject faults on demand and keep what they received for assertions.
"""

from __future__ import annotations

from ._http import Request, RequestRecord, Response
from ._server import FakeServer
from ._sm_records import Catalog, Contact, ExtEvent, Job
from .faults import FaultInjector, FaultKind, Faults
from .generator import generate_shop
from .idosell import FakeIdoSell
from .iof_writer import categories_xml, full_xml, write_feeds
from .salesmanago import FakeSalesmanago, sha_of
from .sandbox import Sandbox
from .shop import (
    Category,
    Customer,
    Order,
    OrderLine,
    PickupPoint,
    Product,
    Shop,
    Size,
    Subscriber,
)

__all__ = [
    "Catalog",
    "Category",
    "Contact",
    "Customer",
    "ExtEvent",
    "FakeIdoSell",
    "FakeSalesmanago",
    "FakeServer",
    "FaultInjector",
    "FaultKind",
    "Faults",
    "Job",
    "Order",
    "OrderLine",
    "PickupPoint",
    "Product",
    "Request",
    "RequestRecord",
    "Response",
    "Sandbox",
    "Shop",
    "Size",
    "Subscriber",
    "categories_xml",
    "full_xml",
    "generate_shop",
    "sha_of",
    "write_feeds",
]
