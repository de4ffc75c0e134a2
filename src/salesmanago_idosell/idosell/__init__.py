"""IdoSell Admin API client: customers, newsletter subscribers, orders and the catalog.

Example:
    >>> from salesmanago_idosell.idosell import IdosellClient
    >>> shop = IdosellClient(shop_url="shop.example.pl", api_key="...")
    >>> shop
    IdosellClient(base_url='https://shop.example.pl/api/admin/v6', timezone=Europe/Warsaw)
"""

from .client import IdosellClient
from .models import (
    Address,
    Customer,
    NewsletterConsent,
    Order,
    OrderClient,
    OrderProduct,
    OrderSource,
    OrderStatus,
    OrderStatusDefinition,
    PickupPoint,
    ServerLoad,
    ShopRef,
    Subscriber,
    SubscriberShop,
)
from .pagination import Gate, Page, PageIterator
from .snippet_models import ItemResult, Snippet, SnippetCampaign, SnippetCookie

__all__ = [
    "Address",
    "Customer",
    "Gate",
    "IdosellClient",
    "ItemResult",
    "NewsletterConsent",
    "Order",
    "OrderClient",
    "OrderProduct",
    "OrderSource",
    "OrderStatus",
    "OrderStatusDefinition",
    "Page",
    "PageIterator",
    "PickupPoint",
    "ServerLoad",
    "ShopRef",
    "Snippet",
    "SnippetCampaign",
    "SnippetCookie",
    "Subscriber",
    "SubscriberShop",
]
