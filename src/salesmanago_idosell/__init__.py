"""salesmanago-idosell: connect an IdoSell (IAI Shop) online shop to SALESmanago.

Typed clients for both APIs, a streaming IOF feed parser, pure mapping functions and a
resumable sync facade. Importing the package does no I/O.
"""

from ._version import __version__
from .categories import Category, CategoryTree
from .errors import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    FeedError,
    HTTPStatusError,
    IdosellAPIError,
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
from .feeds import iter_light_products, iter_offer_products, parse_category_tree, parse_gateway
from .idosell import IdosellClient
from .salesmanago import SalesmanagoClient

__all__ = [
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "Category",
    "CategoryTree",
    "FeedError",
    "HTTPStatusError",
    "IdosellAPIError",
    "IdosellClient",
    "JobTimeoutError",
    "NotFoundError",
    "RateLimitError",
    "ResponseValidationError",
    "SalesmanagoAPIError",
    "SalesmanagoClient",
    "SalesmanagoIdosellError",
    "SalesmanagoV3APIError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "__version__",
    "iter_light_products",
    "iter_offer_products",
    "parse_category_tree",
    "parse_gateway",
]
