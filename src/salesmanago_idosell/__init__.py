"""salesmanago-idosell: connect an IdoSell (IAI Shop) online shop to SALESmanago.

Typed clients for both APIs, a streaming IOF feed parser, pure mapping functions and a
resumable sync facade. Importing the package does no I/O.
"""

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
    RateLimitError,
    ResponseValidationError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    SalesmanagoV3APIError,
    ServerError,
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
from .mapping import ConsentMode
from .salesmanago import SalesmanagoClient
from .shops import ShopConfig, ShopRegistry
from .sync import MemoryStateStore, SQLiteStateStore, StateStore, SyncReport

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
    "RateLimitError",
    "ResponseValidationError",
    "SQLiteStateStore",
    "SalesmanagoAPIError",
    "SalesmanagoClient",
    "SalesmanagoIdosellError",
    "SalesmanagoV3APIError",
    "ServerError",
    "ShopConfig",
    "ShopRegistry",
    "StateStore",
    "SyncReport",
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
