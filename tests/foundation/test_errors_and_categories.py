"""The error hierarchy and the shared category tree."""

from __future__ import annotations

import pytest

from salesmanago_idosell import errors
from salesmanago_idosell.categories import Category, CategoryTree


def test_every_public_exception_derives_from_the_root() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, errors.SalesmanagoIdosellError), name


@pytest.mark.parametrize(
    ("status", "cls"),
    [(401, errors.AuthenticationError), (403, errors.AuthenticationError),
     (404, errors.NotFoundError), (429, errors.RateLimitError), (500, errors.ServerError),
     (503, errors.ServerError), (418, errors.HTTPStatusError)],
)  # fmt: skip
def test_status_error_picks_the_class(status: int, cls: type[errors.HTTPStatusError]) -> None:
    error = errors.status_error(status_code=status, body_excerpt="x", method="GET", url="/u")
    assert type(error) is cls
    assert error.status_code == status
    assert str(error) == f"HTTP {status} from GET /u: x"


def test_api_errors_carry_codes_and_messages() -> None:
    sm = errors.SalesmanagoAPIError(messages=["Not authenticated"], status_code=200, endpoint="/x")
    assert sm.messages == ("Not authenticated",)
    assert "Not authenticated" in str(sm)
    ido = errors.IdosellAPIError(fault_code=3, fault_string="bad", status_code=207, endpoint="/y")
    assert (ido.fault_code, ido.fault_string, ido.endpoint) == (3, "bad", "/y")
    problem = errors.V3Problem(reason_code=11, message="name|max:256", field="name")
    v3 = errors.SalesmanagoV3APIError(
        reason_code=11, messages=[], problems=[problem], status_code=400, endpoint="/v3/p"
    )
    assert v3.fields == ("name",)
    assert "name" in str(v3)


def test_category_paths() -> None:
    tree = CategoryTree.of(
        [Category(1, "Odzież"), Category(2, "Buty", parent_id=1), Category(3, "Trampki", 2)]
    )
    assert tree.path(3) == ("Odzież", "Buty", "Trampki")
    assert tree.path(1) == ("Odzież",)
    assert [c.id for c in tree.children(None)] == [1]
    assert 2 in tree
    assert len(tree) == 3
    assert tree.get(99) is None
    assert "3 nodes" in repr(tree)


def test_category_path_with_missing_parent_stops_at_known_nodes() -> None:
    tree = CategoryTree.of([Category(5, "Sierota", parent_id=404)])
    assert tree.path(5) == ("Sierota",)


def test_category_cycle_and_self_parent_end_the_walk() -> None:
    tree = CategoryTree.of(
        [Category(1, "A", parent_id=2), Category(2, "B", parent_id=1), Category(3, "C", 3)]
    )
    assert tree.path(1) == ("B", "A")
    assert tree.path(2) == ("A", "B")
    assert tree.path(3) == ("C",)


def test_category_names_per_language() -> None:
    shoes = Category(2, "Buty", parent_id=1, names={"pol": "Buty", "eng": "Shoes"})
    tree = CategoryTree.of([Category(1, "Odzież", names={"eng": "Clothes"}), shoes])
    assert tree.path(2, "eng") == ("Clothes", "Shoes")
    assert tree.path(2, "ger") == ("Odzież", "Buty")
    assert tree.path(2) == ("Odzież", "Buty")


def test_category_ids_are_one_id_whether_int_or_numeric_string() -> None:
    """A feed's product names its category "17"; the Admin API tree keys it 17."""
    from salesmanago_idosell.categories import Category, CategoryTree

    tree = CategoryTree.of(
        [Category(17, "Buty"), Category("18", "Męskie", parent_id=17), Category("x-1", "Inne")]
    )
    assert tree.path("18") == tree.path(18) == ("Buty", "Męskie")
    assert "17" in tree
    assert 18 in tree
    assert tree.get("x-1") is not None
    assert [c.name for c in tree.children("17")] == ["Męskie"]
