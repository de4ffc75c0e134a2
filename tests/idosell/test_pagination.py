"""The page iterator: page numbering, casing, totals, limits, empty results."""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesmanago_idosell.errors import (
    IdosellAPIError,
    PageShapeError,
    ResponseValidationError,
    ValidationError,
)
from salesmanago_idosell.idosell import Gate, IdosellClient, Page, PageIterator

from .conftest import API_KEY, BASE, SHOP, sent_body, sent_query

CAMEL_POST = Gate(method="POST", path="/things/search", items_key="Results")
SNAKE_GET = Gate(method="GET", path="/things", items_key="things", snake=True)


def _page(
    items: list[Any], number: int, pages: int, total: int, *, snake: bool = False, limit: int = 2
) -> Any:
    if snake:
        return {
            "results_number_all": total,
            "results_number_page": pages,
            "results_page": number,
            "results_limit": limit,
            "things": items,
        }
    return {
        "resultsNumberAll": total,
        "resultsNumberPage": pages,
        "resultsPage": number,
        "resultsLimit": limit,
        "Results": items,
    }


def _ids(client: IdosellClient, gate: Gate, **kwargs: Any) -> PageIterator[int]:
    return PageIterator(client, gate, {"a": 1}, lambda row: int(row["id"]), **kwargs)


def test_three_pages_post(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    for number, ids in enumerate([[1, 2], [3, 4], [5]]):
        mocked.post(BASE + "/things/search", json=_page([{"id": i} for i in ids], number, 3, 5))

    assert list(_ids(client, CAMEL_POST, page_size=2)) == [1, 2, 3, 4, 5]

    assert len(mocked.calls) == 3
    bodies = [sent_body(c) for c in mocked.calls]
    assert bodies == [{"params": {"a": 1, "resultsPage": n, "resultsLimit": 2}} for n in range(3)]


def test_three_pages_snake_get(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    for number, ids in enumerate([[1, 2], [3, 4], [5, 6]]):
        mocked.get(BASE + "/things", json=_page([{"id": i} for i in ids], number, 3, 6, snake=True))

    pages = list(_ids(client, SNAKE_GET, page_size=2).iter_pages())

    assert [p.items for p in pages] == [(1, 2), (3, 4), (5, 6)]
    assert pages[0] == Page(number=0, items=(1, 2), total_items=6, total_pages=3)
    queries = [sent_query(c) for c in mocked.calls]
    assert queries == [
        {"a": ["1"], "results_page": [str(n)], "results_limit": ["2"]} for n in range(3)
    ]


def test_iter_pages_can_start_at_a_later_page(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    for number, ids in [(1, [3, 4]), (2, [5])]:
        mocked.post(BASE + "/things/search", json=_page([{"id": i} for i in ids], number, 3, 5))

    pages = list(_ids(client, CAMEL_POST, page_size=2).iter_pages(start=1))

    assert [(p.number, p.items) for p in pages] == [(1, (3, 4)), (2, (5,))]
    assert [sent_body(c)["params"]["resultsPage"] for c in mocked.calls] == [1, 2]
    assert client.request_count == 2
    with pytest.raises(ValidationError):
        next(_ids(client, CAMEL_POST).iter_pages(start=-1))


def test_iteration_is_lazy_and_restartable(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    iterator = _ids(client, CAMEL_POST)
    assert len(mocked.calls) == 0
    mocked.post(BASE + "/things/search", json=_page([{"id": 1}], 0, 1, 1))
    assert list(iterator) == [1]
    assert list(iterator) == [1]
    assert len(mocked.calls) == 2


def test_without_page_count_stops_on_short_page(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(BASE + "/things/search", json={"Results": [{"id": 1}, {"id": 2}]})
    mocked.post(BASE + "/things/search", json={"Results": [{"id": 3}]})
    assert list(_ids(client, CAMEL_POST, page_size=2)) == [1, 2, 3]
    assert len(mocked.calls) == 2


@pytest.mark.parametrize("status", [200, 207, 404])
def test_empty_result_fault_ends_cleanly(
    client: IdosellClient, mocked: responses.RequestsMock, status: int
) -> None:
    body = {"errors": {"faultCode": 2, "faultString": "Brak wyników"}}
    mocked.post(BASE + "/things/search", json=body, status=status)
    assert list(_ids(client, CAMEL_POST)) == []
    assert _ids(client, CAMEL_POST).first() is None


def test_empty_fault_on_an_announced_page_is_a_page_shape_error(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    """Page 0 announced 2 pages (3 rows): "no results" on page 1 would lose row 3."""
    mocked.post(BASE + "/things/search", json=_page([{"id": 1}, {"id": 2}], 0, 2, 3))
    mocked.post(BASE + "/things/search", json={"errors": {"faultCode": 2, "faultString": "x"}})
    with pytest.raises(PageShapeError, match="page 1 of 2 answered 'no results'"):
        list(_ids(client, CAMEL_POST, page_size=2))


def test_empty_fault_after_unannounced_pages_ends_cleanly(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(BASE + "/things/search", json={"Results": [{"id": 1}, {"id": 2}]})
    mocked.post(BASE + "/things/search", json={"errors": {"faultCode": 2, "faultString": "x"}})
    assert list(_ids(client, CAMEL_POST, page_size=2)) == [1, 2]


def test_other_fault_codes_raise(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    body = {"errors": {"faultCode": 4, "faultString": "Sklep zablokowany"}}
    mocked.post(BASE + "/things/search", json=body, status=207)
    with pytest.raises(IdosellAPIError) as info:
        list(_ids(client, CAMEL_POST))
    assert (info.value.fault_code, info.value.fault_string) == (4, "Sklep zablokowany")
    assert info.value.endpoint == "/things/search"
    assert info.value.status_code == 207


def test_fault_two_raises_where_it_is_not_empty(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    gate = Gate(
        method="GET", path="/things", items_key="things", snake=True, empty_codes=frozenset()
    )
    mocked.get(BASE + "/things", json={"errors": {"faultCode": 2, "faultString": "Zablokowany"}})
    with pytest.raises(IdosellAPIError) as info:
        list(_ids(client, gate))
    assert info.value.fault_code == 2


def test_first_asks_for_one_row(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(BASE + "/things/search", json=_page([{"id": 7}], 0, 9, 9))
    assert _ids(client, CAMEL_POST).first() == 7
    assert sent_body(mocked.calls[0])["params"]["resultsLimit"] == 1
    assert len(mocked.calls) == 1


def test_limit_stops_early(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(BASE + "/things/search", json=_page([{"id": 1}, {"id": 2}], 0, 5, 10))
    mocked.post(BASE + "/things/search", json=_page([{"id": 3}, {"id": 4}], 1, 5, 10))
    assert list(_ids(client, CAMEL_POST, page_size=2, limit=3)) == [1, 2, 3]
    assert len(mocked.calls) == 2


def test_limit_smaller_than_a_page_shrinks_the_page(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(BASE + "/things/search", json=_page([{"id": 1}, {"id": 2}], 0, 5, 10))
    assert list(_ids(client, CAMEL_POST, limit=2)) == [1, 2]
    assert sent_body(mocked.calls[0])["params"]["resultsLimit"] == 2


def test_limit_zero_sends_nothing(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    assert list(_ids(client, CAMEL_POST, limit=0)) == []
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("kwargs", [{"page_size": 0}, {"page_size": 101}, {"limit": -1}])
def test_bad_sizes_rejected(client: IdosellClient, kwargs: dict[str, int]) -> None:
    with pytest.raises(ValidationError):
        _ids(client, CAMEL_POST, **kwargs)


def test_rows_keyed_by_id_and_php_empty_object(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    mocked.post(BASE + "/things/search", json={"Results": {"5": {"id": 5}, "6": {"id": 6}}})
    mocked.post(BASE + "/things/search", json={"Results": {}})
    assert list(_ids(client, CAMEL_POST, page_size=2)) == [5, 6]


def test_rows_not_a_list(client: IdosellClient, mocked: responses.RequestsMock) -> None:
    mocked.post(BASE + "/things/search", json={"Results": "oops"})
    with pytest.raises(ResponseValidationError):
        list(_ids(client, CAMEL_POST))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    total=st.integers(min_value=0, max_value=23),
    size=st.integers(min_value=1, max_value=7),
    limit=st.none() | st.integers(min_value=0, max_value=30),
)
def test_never_loses_or_duplicates_items(total: int, size: int, limit: int | None) -> None:
    """A fake gate over ``total`` rows: every row comes once, in order, in ceil(n/size) calls."""
    client = IdosellClient(shop_url=SHOP, api_key=API_KEY, strict=True, sleep=lambda _: None)
    pages = max(1, -(-total // size))

    def serve(request: Any) -> tuple[int, dict[str, str], str]:
        params = json.loads(request.body)["params"]
        number, per_page = params["resultsPage"], params["resultsLimit"]
        rows = [{"id": i} for i in range(total)][number * per_page : (number + 1) * per_page]
        if not rows:
            return 200, {}, json.dumps({"errors": {"faultCode": 2, "faultString": "empty"}})
        count = -(-total // per_page)
        return 200, {}, json.dumps(_page(rows, number, count, total, limit=per_page))

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, BASE + "/things/search", callback=serve)
        got = list(_ids(client, CAMEL_POST, page_size=size, limit=limit))
        calls = len(rsps.calls)

    expected = list(range(total))[:limit] if limit is not None else list(range(total))
    assert got == expected
    if limit == 0:
        assert calls == 0
    elif limit is None:
        assert calls == pages
    else:
        assert calls == max(1, -(-min(total, limit) // min(size, limit)))


def test_descending_counts_then_reads_from_the_last_page_down(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    answers = [
        _page([{"id": 1}], 0, 5, 5, limit=1),  # the count: one row asked
        _page([{"id": 5}], 2, 3, 5),
        _page([{"id": 3}, {"id": 4}], 1, 3, 5),
        _page([{"id": 1}, {"id": 2}], 0, 3, 5),
    ]
    for answer in answers:
        mocked.post(BASE + "/things/search", json=answer)
    pages = list(_ids(client, CAMEL_POST, page_size=2).iter_pages_descending())
    assert [p.number for p in pages] == [2, 1, 0]
    assert [list(p.items) for p in pages] == [[5], [3, 4], [1, 2]]
    sent = [sent_body(c)["params"] for c in mocked.calls]
    assert [(s["resultsPage"], s["resultsLimit"]) for s in sent] == [(0, 1), (2, 2), (1, 2), (0, 2)]


def test_descending_goes_on_past_a_page_emptied_meanwhile(
    client: IdosellClient, mocked: responses.RequestsMock
) -> None:
    empty = {"resultsNumberAll": 2, "resultsNumberPage": 1, "resultsPage": 1,
             "resultsLimit": 2, "Results": [], "errors": {"faultCode": 2,
                                                         "faultString": "empty"}}  # fmt: skip
    mocked.post(BASE + "/things/search", json=empty, status=207)
    mocked.post(BASE + "/things/search", json=_page([{"id": 1}, {"id": 2}], 0, 1, 2))
    pages = list(_ids(client, CAMEL_POST, page_size=2).iter_pages_descending(start=1))
    assert [(p.number, list(p.items)) for p in pages] == [(1, []), (0, [1, 2])]
