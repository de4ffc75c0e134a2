"""IdoSell IOF 3.x offer feeds: streaming parser and typed models.

>>> from salesmanago_idosell.feeds import iter_offer_products, parse_category_tree
>>> tree = parse_category_tree("categories.xml")  # doctest: +SKIP
>>> for product in iter_offer_products("full.xml.gz"):  # doctest: +SKIP
...     print(product.id, product.name("pol"), tree.path(product.category.id))
"""

from types import FunctionType

from . import _convert, _stream
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

COMPILED: bool = not any(
    isinstance(function, FunctionType) for function in (_stream.iter_items, _convert.offer_product)
)
"""``True`` when the feed parser runs compiled: a wheel built with the ``mypyc`` build hook
(``HATCH_BUILD_HOOK_ENABLE_MYPYC=1``, see docs/feeds.md, "The compiled build"), about 1.2x
faster on lean feeds. ``False`` on the pure Python fallback (an editable install, a plain
``py3-none-any`` wheel). Both give the same products, skips and errors."""

__all__ = [
    "COMPILED",
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
