"""The shop's category tree, shared by the IdoSell client and the IOF feed parser.

Both ``IdosellClient.categories.tree()`` (Admin API) and ``parse_category_tree()``
(IOF ``categories.xml``) return a :class:`CategoryTree`, so the mapping that turns purchased
products into category tags does not care where the tree came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from attrs import field, frozen

__all__ = ["Category", "CategoryId", "CategoryTree"]

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


def _index(categories: Iterable[Category]) -> Mapping[CategoryId, Category]:
    return {c.id: c for c in categories}


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
        return category_id in self.nodes

    def __iter__(self) -> Iterator[Category]:
        return iter(self.nodes.values())

    def get(self, category_id: CategoryId) -> Category | None:
        """The category with this id, or ``None``."""
        return self.nodes.get(category_id)

    def children(self, category_id: CategoryId | None) -> list[Category]:
        """Direct children of a category (``None`` gives the top-level categories)."""
        return [c for c in self.nodes.values() if c.parent_id == category_id]

    def path(self, category_id: CategoryId, language: str | None = None) -> tuple[str, ...]:
        """Names from the top-level category down to ``category_id``.

        Unknown parents, self-parents and cycles end the walk (the names collected so far
        are returned) instead of looping.

        Args:
            category_id: the category to describe.
            language: a language id for :meth:`Category.name_in` (default names otherwise).

        Raises:
            KeyError: ``category_id`` itself is not in the tree.
        """
        names: list[str] = []
        seen: set[CategoryId] = set()
        current: CategoryId | None = category_id
        while current is not None and current not in seen:
            seen.add(current)
            node = self.nodes[current]
            names.append(node.name_in(language))
            current = node.parent_id if node.parent_id in self.nodes else None
        return tuple(reversed(names))
