"""SALESmanago client: API v2 contacts and events, API v3 product catalogs.

Example:
    >>> from salesmanago_idosell.salesmanago import SalesmanagoClient, ContactUpsert
"""

from .auth import Credentials, sha_signature
from .catalog_models import (
    Catalog,
    CatalogProduct,
    CatalogUpsertResult,
    CustomDetails,
    PriceUpdate,
    ProductUpsertResult,
    SystemDetails,
)
from .client import SalesmanagoClient, normalize_endpoint
from .contacts import ContactsAPI
from .events import EventOverflow, EventsAPI, fit_event
from .models import (
    Address,
    BatchEventsResult,
    BatchUpsertResult,
    ContactBasic,
    ContactState,
    ContactUpsert,
    EventChunk,
    EventType,
    ExternalEvent,
    JobStatus,
    UpsertResult,
)
from .products import CatalogsAPI, ProductsAPI

__all__ = [
    "Address",
    "BatchEventsResult",
    "BatchUpsertResult",
    "Catalog",
    "CatalogProduct",
    "CatalogUpsertResult",
    "CatalogsAPI",
    "ContactBasic",
    "ContactState",
    "ContactUpsert",
    "ContactsAPI",
    "Credentials",
    "CustomDetails",
    "EventChunk",
    "EventOverflow",
    "EventType",
    "EventsAPI",
    "ExternalEvent",
    "JobStatus",
    "PriceUpdate",
    "ProductUpsertResult",
    "ProductsAPI",
    "SalesmanagoClient",
    "SystemDetails",
    "UpsertResult",
    "fit_event",
    "normalize_endpoint",
    "sha_signature",
]
