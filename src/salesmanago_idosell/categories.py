"""The shop's category tree, shared by the IdoSell client and the IOF feed parser.

Both ``IdosellClient.categories.tree()`` (Admin API) and ``parse_category_tree()``
(IOF ``categories.xml``) return a :class:`CategoryTree`, so the mapping that turns purchased
products into category tags does not care where the tree came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from attrs import field, frozen

__all__ = ["Category", "CategoryId", "CategoryTree", "canonical_id"]

CategoryId = int | str
"""A category id: an ``int`` (Admin API, numeric IOF ids) or an IOF string id."""


@frozen
class Category:
    """One category node.

    Attributes:
        id: the shop's category id (an ``int``; IOF ``categories.xml`` may also use a
            string id, kept as ``str`` when it is not a number).
        name: the category's own name (one level, e.g. ``"Buty"``) in the default language.
        parent_id: the parent's id, or ``None`` for a top-level category.
        names: the name per language id (e.g. ``{"pol": "Buty", "eng": "Shoes"}``).
    """

    id: CategoryId
    name: str
    parent_id: CategoryId | None = None
    names: Mapping[str, str] = field(factory=dict, eq=False, repr=False)

    def name_in(self, language: str | None = None) -> str:
        """The name in ``language`` when known, else the default name."""
        if language is None:
            return self.name
        return self.names.get(language) or self.name


def canonical_id(category_id: CategoryId | None) -> CategoryId | None:
    """One form per id: a numeric string is its ``int`` (``"17"`` and ``17`` are the same
    category, whether it came from the Admin API, ``categories.xml`` or a feed's product)."""
    if isinstance(category_id, str) and category_id.strip().isdigit():
        return int(category_id)
    return category_id


def _index(categories: Iterable[Category]) -> Mapping[CategoryId, Category]:
    return {c.id if isinstance(c.id, int) else _str_key(c.id): c for c in categories}


def _str_key(category_id: str) -> CategoryId:
    return int(category_id) if category_id.strip().isdigit() else category_id


@frozen
class CategoryTree:
    """Categories by id, with their name paths from the top level down.

    Example:
        >>> tree = CategoryTree.of([Category(1, "Odzież"), Category(2, "Buty", parent_id=1)])
        >>> tree.path(2)
        ('Odzież', 'Buty')
    """

    nodes: Mapping[CategoryId, Category] = field(
        converter=_index, repr=lambda n: f"<{len(n)} nodes>"
    )

    @classmethod
    def of(cls, categories: Iterable[Category]) -> CategoryTree:
        """Build a tree from any iterable of categories."""
        return cls(nodes=categories)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, category_id: object) -> bool:
        return isinstance(category_id, int | str) and canonical_id(category_id) in self.nodes

    def __iter__(self) -> Iterator[Category]:
        return iter(self.nodes.values())

    def get(self, category_id: CategoryId) -> Category | None:
        """The category with this id (``17`` or ``"17"``), or ``None``."""
        key = canonical_id(category_id)
        return self.nodes.get(key) if key is not None else None

    def children(self, category_id: CategoryId | None) -> list[Category]:
        """Direct children of a category (``None`` gives the top-level categories)."""
        wanted = canonical_id(category_id)
        return [c for c in self.nodes.values() if canonical_id(c.parent_id) == wanted]

    def path(self, category_id: CategoryId, language: str | None = None) -> tuple[str, ...]:
        """Names from the top-level category down to ``category_id``.

        Unknown parents, self-parents and cycles end the walk (the names collected so far
        are returned) instead of looping.

        Args:
            category_id: the category to describe (``17`` and ``"17"`` are the same).
            language: a language id for :meth:`Category.name_in` (default names otherwise).

        Raises:
            KeyError: ``category_id`` itself is not in the tree.
        """
        names: list[str] = []
        seen: set[CategoryId] = set()
        current = canonical_id(category_id)
        while current is not None and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            names.append(node.name_in(language))
            parent = canonical_id(node.parent_id)
            current = parent if parent in self.nodes else None
        return tuple(reversed(names))
