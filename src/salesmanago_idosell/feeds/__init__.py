"""IdoSell IOF 3.x offer feeds: streaming parser and typed models.

>>> from salesmanago_idosell.feeds import iter_offer_products, parse_category_tree
>>> tree = parse_category_tree("categories.xml")  # doctest: +SKIP
>>> for product in iter_offer_products("full.xml.gz"):  # doctest: +SKIP
...     print(product.id, product.name("pol"), tree.path(product.category.id))
"""

from ._source import FeedSource
from .catalog import UNCATEGORIZED, to_catalog_product
from .iof import (
    OnSkip,
    iter_light_products,
    iter_offer_products,
    parse_category_tree,
    parse_gateway,
)
from .models import (
    NOT_TRACKED,
    CategoryRef,
    FeedFile,
    FeedSkip,
    Gateway,
    IdosellCategoryRef,
    LightProduct,
    NotTracked,
    OfferProduct,
    Price,
    Producer,
    ProductType,
    Quantity,
    Size,
    Stock,
)
from .writer import (
    BinarySink,
    PreviewResult,
    XmlTarget,
    preview_offer,
    render_product,
    write_salesmanago_xml,
)

__all__ = [
    "NOT_TRACKED",
    "UNCATEGORIZED",
    "BinarySink",
    "CategoryRef",
    "FeedFile",
    "FeedSkip",
    "FeedSource",
    "Gateway",
    "IdosellCategoryRef",
    "LightProduct",
    "NotTracked",
    "OfferProduct",
    "OnSkip",
    "PreviewResult",
    "Price",
    "Producer",
    "ProductType",
    "Quantity",
    "Size",
    "Stock",
    "XmlTarget",
    "iter_light_products",
    "iter_offer_products",
    "parse_category_tree",
    "parse_gateway",
    "preview_offer",
    "render_product",
    "to_catalog_product",
    "write_salesmanago_xml",
]
