"""Catalog: GET /products/categories, POST /products/products/search, GET /system/serverLoad."""

from __future__ import annotations

import pytest
import responses
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmanago_idosell.categories import Category, CategoryTree
from salesmanago_idosell.errors import IdosellAPIError
from salesmanago_idosell.idosell import IdosellClient
from salesmanago_idosell.idosell.catalog import _CategoryRecord, _LangData, category_from_record

from .conftest import (
    BASE,
    check_body,
    check_query,
    check_response,
    load,
    sent_body,
    sent_query,
)

CATEGORIES = BASE + "/products/categories"
PRODUCTS = BASE + "/products/products/search"


def test_fixtures_follow_the_spec() -> None:
    check_response("/products/categories", "get", load("categories.json"))
    check_response("/products/products/search", "post", load("products_search.json"))
    check_response("/system/serverLoad", "get", {"serverLoadStatus": "normal"})


def test_tree_in_polish(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(CATEGORIES, json=load("categories.json"))

    tree = client.categories.tree(language="pol")

    assert isinstance(tree, CategoryTree)
    assert tree.path(30) == ("Odzież", "Kurtka", "Zimowa")
    assert tree.get(40) == Category(id=40, name="Wyprzedaż", parent_id=None)  # self-parent
    assert tree.get(10) == Category(id=10, name="Odzież", parent_id=None)  # parent 0
    query = sent_query(mocked.calls[0])
    assert query == {"languages": ["pol"], "results_page": ["0"], "results_limit": ["100"]}
    check_query("/products/categories", "get", query)


def test_tree_other_language_and_fallback(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(CATEGORIES, json=load("categories.json"))
    tree = client.categories.tree(language="eng")
    assert tree.path(30) == ("Clothing", "Jacket", "Winter")
    node = tree.get(40)
    assert node is not None
    assert node.name == "Wyprzedaż"  # no English name: the first language sent


def test_tree_all_languages_query(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.get(CATEGORIES, json=load("categories.json"))
    tree = client.categories.tree()
    assert len(tree) == 4
    assert sent_query(mocked.calls[0]) == {"results_page": ["0"], "results_limit": ["100"]}
    leaf = next(c.id for c in tree if c.name == "Zimowa")
    assert tree.path(leaf, "eng") == ("Clothing", "Jacket", "Winter")


def test_tree_over_several_pages(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    rows = load("categories.json")["categories"]
    for number in range(2):
        page = {
            "results_number_all": 4,
            "results_number_page": 2,
            "results_page": number,
            "results_limit": 2,  # the gate caps its pages below the 100 asked for
            "categories": rows[number * 2 : number * 2 + 2],
        }
        mocked.get(CATEGORIES, json=page)
    tree = client.categories.tree(language="pol")
    assert len(tree) == 4
    assert [sent_query(c)["results_page"] for c in mocked.calls] == [["0"], ["1"]]


def test_tree_fault_two_means_blocked_not_empty(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    body = {"errors": {"faultCode": 2, "faultString": "Sklep zablokowany za zaległe faktury"}}
    mocked.get(CATEGORIES, json=body, status=207)
    with pytest.raises(IdosellAPIError) as info:
        client.categories.tree()
    assert info.value.fault_code == 2
    assert info.value.endpoint == "/products/categories"


def test_tree_without_names_uses_the_id(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.get(CATEGORIES, json={"results_number_page": 1, "categories": [{"id": 5}]})
    assert client.categories.tree().path(5) == ("5",)


def test_categories_of_chunks_by_100(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    ids = list(range(1, 151))
    first = {
        "resultsNumberPage": 1,
        "results": [{"productId": i, "categoryId": 30} for i in ids[:100]],
    }
    second = {
        "resultsNumberPage": 1,
        "results": [{"productId": 101, "categoryId": 10}, {"productId": 102, "categoryId": 0}],
    }
    mocked.post(PRODUCTS, json=first)
    mocked.post(PRODUCTS, json=second)

    found = client.products.categories_of([*ids, 1, 2])  # duplicates are asked once

    assert len(mocked.calls) == 2
    bodies = [sent_body(c) for c in mocked.calls]
    assert [len(b["params"]["productParams"]) for b in bodies] == [100, 50]
    assert bodies[1]["params"]["productParams"][0] == {"productId": 101}
    for body in bodies:
        check_body("/products/products/search", "post", body)
        assert body["params"]["returnElements"] == ["category_id"]
    assert found[1] == 30
    assert found[101] == 10
    assert 102 not in found  # category 0: none
    assert 150 not in found  # not returned by the shop


def test_categories_of_golden_body(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(PRODUCTS, json=load("products_search.json"))
    assert client.products.categories_of([501, 77]) == {501: 30, 77: 10}
    assert sent_body(mocked.calls[0]) == {
        "params": {
            "productParams": [{"productId": 501}, {"productId": 77}],
            "returnElements": ["category_id"],
            "resultsPage": 0,
            "resultsLimit": 100,
        }
    }


def test_categories_of_empty(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    assert client.products.categories_of([]) == {}
    mocked.post(PRODUCTS, json={"errors": {"faultCode": 2, "faultString": "Pusty wynik"}})
    assert client.products.categories_of([999]) == {}


def _record(category_id: int, parent_id: int | None) -> Category:
    names = [_LangData(lang_id="pol", singular_name=f"k{category_id}")]
    return category_from_record(
        _CategoryRecord(id=category_id, parent_id=parent_id, lang_data=names), "pol"
    )


def _chain(parents: dict[int, int], start: int) -> list[int]:
    """The ids from ``start`` up to its root, stopping where the walk meets a cycle."""
    chain: list[int] = []
    current: int | None = start
    while current is not None:
        if current in chain:
            return chain
        chain.append(current)
        parent = parents.get(current)
        current = parent if parent and parent != current and parent in parents else None
    return chain


def test_deep_tree() -> None:
    tree = CategoryTree.of(_record(i, i - 1) for i in range(1, 501))
    assert tree.path(500) == tuple(f"k{i}" for i in range(1, 501))


@settings(max_examples=200, deadline=None)
@given(parents=st.dictionaries(st.integers(1, 12), st.integers(0, 15), min_size=1))
def test_path_on_broken_and_cyclic_trees(parents: dict[int, int]) -> None:
    """Unknown parents, self-parents and cycles end the walk, never loop."""
    tree = CategoryTree.of(_record(i, p) for i, p in parents.items())
    for category_id in parents:
        chain = _chain(parents, category_id)
        assert tree.path(category_id) == tuple(f"k{i}" for i in reversed(chain))
