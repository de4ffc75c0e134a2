"""Write a shop's products as IOF 3.0 ``full.xml`` and its category tree as ``categories.xml``.

The layout follows IdoSell's official samples: core elements without a namespace,
``iaiext:`` extensions, ``xml:lang`` on names, CDATA texts, nested categories. The product
``category@name`` is the ``/``-joined path of names (ambiguous when a name contains ``/``,
exactly like real feeds); ``categories.xml`` resolves it by id.

Example:
    >>> from salesmanago_idosell.testing import generate_shop, write_feeds
    >>> import tempfile
    >>> full, categories = write_feeds(generate_shop(1, products=3), tempfile.mkdtemp())
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .generator import EPOCH
from .shop import Category, Product, Shop

__all__ = ["categories_xml", "full_xml", "write_feeds"]

_NS = (
    'xmlns:iof="http://www.iai-shop.com/developers/iof.phtml" '
    'xmlns:iaiext="http://www.iai-shop.com/developers/iof/extensions.phtml"'
)
_GENERATED = (
    f'generated="{EPOCH:%Y-%m-%d %H:%M:%S}" expires="{EPOCH + timedelta(days=1):%Y-%m-%d %H:%M:%S}"'
)
_CENT = Decimal("0.01")


def _attrs(**values: object) -> str:
    return " ".join(f"{name.replace('__', ':')}={quoteattr(str(v))}" for name, v in values.items())


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _net(gross: Decimal, vat: Decimal) -> Decimal:
    return (gross / (1 + vat / 100)).quantize(_CENT)


def _product(p: Product, shop: Shop) -> list[str]:
    path = "/".join(shop.category_path(p.category_id))
    net = _net(p.price, p.vat)
    lines = [
        f"<product {_attrs(id=p.id, currency='PLN', type='regular', vat=p.vat, site=1)}>",
        f"  <producer {_attrs(id=p.producer_id, name=p.producer_name)}/>",
        f"  <category {_attrs(id=p.category_id, name=path)}/>",
        f"  <unit {_attrs(id=0, name='szt.')}/>",
        f"  <card {_attrs(url=p.url)}/>",
        "  <description>",
        f'    <name xml:lang="pol">{_cdata(p.name)}</name>',
        f'    <short_desc xml:lang="pol">{_cdata(p.name)}</short_desc>',
        f'    <long_desc xml:lang="pol">{_cdata(p.description)}</long_desc>',
        "  </description>",
        f"  <price {_attrs(gross=p.price, net=net)}/>",
        f"  <sizes {_attrs(iaiext__group_id=1, iaiext__group_name='Rozmiary')}>",
    ]
    for s in p.sizes:
        size = _attrs(id=s.id, name=s.name, panel_name=s.name.lower(), code=s.code,
                      code_producer=s.ean, weight=500)  # fmt: skip
        lines += [
            f"    <size {size}>",
            f"      <price {_attrs(gross=p.price, net=net)}/>",
            f"      <stock {_attrs(id=1, quantity=s.quantity)}/>",
            "    </size>",
        ]
    changed = p.modified.strftime("%Y-%m-%d %H:%M:%S")
    image = _attrs(url=p.image_url, changed=changed, width=1200, height=1600, iaiext__priority=1)
    lines += ["  </sizes>", "  <images>", "    <large>", f"      <image {image}/>"]
    lines += ["    </large>", "  </images>", "</product>"]
    return lines


def full_xml(shop: Shop) -> str:
    """The shop's products as an IOF 3.0 ``full.xml`` document."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<offer {_NS} file_format="IOF" version="3.0" extensions="yes" '
        f'generated_by="salesmanago-idosell sandbox" {_GENERATED}>',
        '<products currency="PLN" language="pol">',
    ]
    for product in shop.products:
        out.extend(_product(product, shop))
    out += ["</products>", "</offer>", ""]
    return "\n".join(out)


def _category(node: Category, shop: Shop, depth: int) -> list[str]:
    pad = "  " * depth
    lines = [
        f"{pad}<category {_attrs(id=node.id, name=node.name)}>",
        f'{pad}  <name xml:lang="pol">{_cdata(node.name)}</name>',
        f'{pad}  <name xml:lang="eng">{_cdata(node.name_eng)}</name>',
    ]
    for child in shop.categories:
        if child.parent_id == node.id:
            lines.extend(_category(child, shop, depth + 1))
    lines.append(f"{pad}</category>")
    return lines


def categories_xml(shop: Shop) -> str:
    """The shop's category tree as an IOF 3.0 ``categories.xml`` document (nested)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<categories file_format="IOF" version="3.0" generated_by="salesmanago-idosell sandbox"'
        f' language="pol" {_GENERATED}>',
    ]
    for top in shop.categories:
        if top.parent_id is None:
            out.extend(_category(top, shop, 1))
    out += ["</categories>", ""]
    return "\n".join(out)


def write_feeds(shop: Shop, directory: str | Path) -> tuple[Path, Path]:
    """Write ``full.xml`` and ``categories.xml`` into ``directory``; returns both paths."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    full, categories = folder / "full.xml", folder / "categories.xml"
    full.write_text(full_xml(shop), encoding="utf-8")
    categories.write_text(categories_xml(shop), encoding="utf-8")
    return full, categories
