"""Whole-document IOF files: ``categories.xml`` -> CategoryTree, ``gateway.xml`` -> Gateway."""

from __future__ import annotations

from typing import Any

from ..categories import Category, CategoryTree
from ._convert import ItemError, many, one, parse_datetime, required, text
from .models import FeedFile, Gateway

__all__ = ["category_tree", "gateway"]

_NOT_FILES = frozenset({"meta"})


def category_tree(root: dict[str, Any]) -> CategoryTree:
    """Walk the nested ``category`` elements (iteratively: depth is attacker-controlled)."""
    found: list[Category] = []
    pending: list[tuple[Any, int | None]] = [(node, None) for node in many(root.get("category"))]
    pending.reverse()
    while pending:
        node, parent_id = pending.pop()
        attrs = one(node)
        category = Category(id=_category_id(attrs), name=_category_name(attrs), parent_id=parent_id)
        found.append(category)
        children = [(child, category.id) for child in many(attrs.get("category"))]
        pending.extend(reversed(children))
    return CategoryTree.of(found)


def _category_id(attrs: dict[str, Any]) -> int:
    raw = required(attrs, "@id", "a category")
    try:
        return int(raw)
    except ValueError:
        raise ItemError(f"category id is not an integer: {raw!r}") from None


def _category_name(attrs: dict[str, Any]) -> str:
    name = attrs.get("@name")
    if isinstance(name, str):
        return name
    names = [text(n) for n in many(attrs.get("name"))]
    return next((n for n in names if n), "")


def gateway(root: dict[str, Any]) -> Gateway:
    """The files listed by ``gateway.xml``, keyed by kind."""
    files: dict[str, FeedFile] = {}
    for kind, node in root.items():
        if kind.startswith(("@", "#")) or ":" in kind or kind in _NOT_FILES:
            continue
        attrs = one(node)
        if "@url" in attrs:
            files[kind] = _feed_file(kind, attrs)
    meta = one(root.get("meta"))
    return Gateway(
        generated=parse_datetime(root.get("@generated"), "generated"),
        shop_name=text(meta.get("long_name")),
        files=files,
    )


def _feed_file(kind: str, attrs: dict[str, Any]) -> FeedFile:
    changes = many(one(attrs.get("changes")).get("change"))
    return FeedFile(
        kind=kind,
        url=required(attrs, "@url", kind),
        hash=attrs.get("@hash"),
        changed=parse_datetime(attrs.get("@changed"), f"{kind} changed"),
        changes=tuple(_feed_file("change", one(c)) for c in changes if "@url" in one(c)),
    )
