"""salesmanago-idosell: connect an IdoSell (IAI Shop) online shop to SALESmanago.

Typed clients for both APIs, a streaming IOF feed parser, pure mapping functions and a
resumable sync facade. Importing the package does no I/O.
"""

import logging as _logging

from ._logs import install_log_filters as _install_log_filters
from ._policy import RetryPolicy, Timeout
from ._version import __version__
from .callbacks import CallbackKind, CallbackResult, Callbacks
from .categories import Category, CategoryTree
from .config import IntegrationConfig
from .errors import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    FeedError,
    HTTPStatusError,
    IdosellAPIError,
    IdosellItemsError,
    JobTimeoutError,
    NotFoundError,
    PageShapeError,
    PartialBatchError,
    RateLimitError,
    ResponseValidationError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    SalesmanagoV3APIError,
    ServerError,
    StateMismatchError,
    SyncInProgressError,
    TransportError,
    ValidationError,
)
from .feeds import (
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
    parse_gateway,
    preview_offer,
    to_catalog_product,
)
from .idosell import IdosellClient
from .integration import Integration
from .mapping import ConsentMode, ConsentSync
from .salesmanago import SalesmanagoClient
from .shops import ShopConfig, ShopRegistry
from .sync import (
    Delivery,
    DeliveryState,
    MemoryStateStore,
    SQLiteStateStore,
    StateStore,
    SyncReport,
)

__all__ = [
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "CallbackKind",
    "CallbackResult",
    "Callbacks",
    "Category",
    "CategoryTree",
    "ConsentMode",
    "ConsentSync",
    "Delivery",
    "DeliveryState",
    "FeedError",
    "HTTPStatusError",
    "IdosellAPIError",
    "IdosellClient",
    "IdosellItemsError",
    "Integration",
    "IntegrationConfig",
    "JobTimeoutError",
    "MemoryStateStore",
    "NotFoundError",
    "PageShapeError",
    "PartialBatchError",
    "RateLimitError",
    "ResponseValidationError",
    "RetryPolicy",
    "SQLiteStateStore",
    "SalesmanagoAPIError",
    "SalesmanagoClient",
    "SalesmanagoIdosellError",
    "SalesmanagoV3APIError",
    "ServerError",
    "ShopConfig",
    "ShopRegistry",
    "StateMismatchError",
    "StateStore",
    "SyncInProgressError",
    "SyncReport",
    "Timeout",
    "TransportError",
    "ValidationError",
    "__version__",
    "iter_light_products",
    "iter_offer_products",
    "parse_category_tree",
    "parse_gateway",
    "preview_offer",
    "to_catalog_product",
]

# Library manners: silent unless the application configures logging; every record scrubbed.
_logging.getLogger(__name__).addHandler(_logging.NullHandler())
_install_log_filters(urllib3=False)
