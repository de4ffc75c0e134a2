"""Whole-document IOF files: ``categories.xml`` -> CategoryTree, ``gateway.xml`` -> Gateway."""

from __future__ import annotations

from ..categories import Category, CategoryId, CategoryTree
from ._convert import parse_datetime, text, texts, value
from ._stream import Attrs, Node, Schema, iof_names
from .models import FeedFile, Gateway, _tree_id

__all__ = ["CATEGORIES_SCHEMA", "GATEWAY_SCHEMA", "category_tree", "gateway"]

_CATEGORY: Schema = {}
_CATEGORY.update(iof_names({"category": _CATEGORY, "name": None}))
CATEGORIES_SCHEMA = iof_names({"category": _CATEGORY})
"""``categories/category``: nested categories with their ``name`` texts per language."""

_CHANGES = iof_names({"change": {}})
_FILE = iof_names({"changes": _CHANGES})
GATEWAY_SCHEMA = iof_names({"meta": iof_names({"long_name": None}), "*": _FILE})
"""``provider_description``: the file entries (with their ``changes``) and ``meta``."""


def category_tree(root: Node) -> CategoryTree:
    """Walk the nested ``category`` elements (iteratively: depth is attacker-controlled).

    A category without an id is left out (its children hang from its parent); ``name``
    elements give the names per ``xml:lang`` (one without ``xml:lang`` is in the file's
    ``language``); ``category@name`` is the default name, else the name in the file's language.
    """
    language = value(root.attrs, "language") or ""
    found: list[Category] = []
    pending: list[tuple[Node, CategoryId | None]] = [(n, None) for n in root.all("category")]
    pending.reverse()
    while pending:
        node, parent_id = pending.pop()
        raw_id = value(node.attrs, "id")
        own_id = _tree_id(raw_id) if raw_id is not None else None
        if own_id is not None:
            names = texts(node.all("name"), language)
            name = (
                value(node.attrs, "name") or names.get(language) or next(iter(names.values()), "")
            )
            found.append(Category(id=own_id, name=name, parent_id=parent_id, names=names))
        below = own_id if own_id is not None else parent_id
        pending.extend((child, below) for child in reversed(node.all("category")))
    return CategoryTree.of(found)


def gateway(root: Node) -> Gateway:
    """The files listed by ``gateway.xml``, keyed by kind."""
    files: dict[str, FeedFile] = {}
    for kind, nodes in (root.kids or {}).items():
        if kind == "meta" or not nodes:
            continue
        entry = _feed_file(kind, nodes[0])
        if entry is not None:
            files[kind] = entry
    meta = root.first("meta")
    return Gateway(
        generated=parse_datetime(root.attrs.get("generated"), "generated"),
        shop_name=text(meta.first("long_name")) if meta is not None else None,
        files=files,
    )


def _feed_file(kind: str, node: Node) -> FeedFile | None:
    changes_node = node.first("changes")
    changes = changes_node.all("change") if changes_node is not None else []
    return _file_entry(kind, node.attrs, tuple(_file_entry("change", c, ()) for c in changes))


def _file_entry(kind: str, attrs: Attrs, changes: tuple[FeedFile | None, ...]) -> FeedFile | None:
    url = value(attrs, "url")
    if url is None:
        return None
    return FeedFile(
        kind=kind,
        url=url,
        hash=value(attrs, "hash"),
        changed=parse_datetime(attrs.get("changed"), f"{kind} changed"),
        changes=tuple(c for c in changes if c is not None),
    )
