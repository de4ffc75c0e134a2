"""Every SDK exception survives pickling with its message and fields (worker processes)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesmanago_idosell import errors
from salesmanago_idosell.errors import (
    APIError,
    APITimeoutError,
    AuthenticationError,
    FeedError,
    HTTPStatusError,
    IdosellAPIError,
    IdosellItemsError,
    JobTimeoutError,
    NotFoundError,
    PageShapeError,
    PartialBatchError,
    RateLimitError,
    ResponseValidationError,
    SalesmanagoAPIError,
    SalesmanagoIdosellError,
    SalesmanagoV3APIError,
    ServerError,
    StateMismatchError,
    StateStoreError,
    SyncInProgressError,
    TransportError,
    V3Problem,
    ValidationError,
    status_error,
)

text = st.text(max_size=40)
maybe_text = st.none() | text
code = st.integers(min_value=-(2**31), max_value=2**31)
status = st.integers(min_value=100, max_value=599)
problems = st.lists(
    st.builds(V3Problem, reason_code=st.none() | code, message=text, field=maybe_text), max_size=3
)


def http_errors(cls: type[HTTPStatusError]) -> st.SearchStrategy[SalesmanagoIdosellError]:
    return st.builds(
        cls,
        text,
        status_code=status,
        body_excerpt=text,
        method=text,
        url=text,
        attempts=st.integers(1, 10),
    )


ANY_ERROR: st.SearchStrategy[SalesmanagoIdosellError] = st.one_of(
    st.builds(SalesmanagoIdosellError, text),
    st.builds(ValidationError, text, field=maybe_text),
    st.builds(TransportError, text, method=text, url=text, attempts=st.integers(1, 10)),
    st.builds(APITimeoutError, text, method=text, url=text, attempts=st.integers(1, 10)),
    *(
        http_errors(c)
        for c in (HTTPStatusError, AuthenticationError, NotFoundError, RateLimitError, ServerError)
    ),
    st.builds(
        status_error,
        status_code=status,
        body_excerpt=text,
        method=text,
        url=text,
        attempts=st.integers(1, 10),
        retry_after=st.none() | st.floats(0, 1e6),
    ),
    st.builds(APIError, text, status_code=status, endpoint=text),
    st.builds(
        SalesmanagoAPIError, messages=st.lists(text, max_size=3), status_code=status, endpoint=text
    ),
    st.builds(
        SalesmanagoV3APIError,
        reason_code=st.none() | code,
        messages=st.lists(text, max_size=3),
        problems=problems,
        status_code=status,
        endpoint=text,
    ),
    st.builds(
        IdosellAPIError, fault_code=code, fault_string=text, status_code=status, endpoint=text
    ),
    st.builds(
        IdosellItemsError,
        fault_code=code,
        fault_string=text,
        status_code=status,
        endpoint=text,
        results=st.lists(st.dictionaries(text, text, max_size=2), min_size=1, max_size=3),
        failed=st.lists(st.integers(0, 2), min_size=1, max_size=3),
    ),
    st.builds(JobTimeoutError, text, request_id=text),
    st.builds(PageShapeError, text, endpoint=text, page=st.integers(0, 10**6)),
    st.builds(
        PartialBatchError,
        text,
        acknowledged=st.integers(0, 10**4),
        failed_start=st.integers(0, 10**4),
        failed_end=st.integers(0, 10**4),
        certain=st.booleans(),
        cause=st.builds(ResponseValidationError, text, endpoint=text),
    ),
    st.builds(SyncInProgressError, text, holder=text, expires_at=text),
    st.builds(StateMismatchError, text, stored=text, current=text),
    st.builds(StateStoreError, text, path=text),
    st.builds(ResponseValidationError, text, endpoint=text),
    st.builds(
        FeedError,
        text,
        line=st.none() | st.integers(1),
        column=st.none() | st.integers(0),
        item=maybe_text,
    ),
)


def fields(error: BaseException) -> dict[str, Any]:
    """The exception's fields; a nested exception (``cause``) by type, args and fields."""
    return {
        name: (type(value), value.args, fields(value))
        if isinstance(value, BaseException)
        else value
        for name, value in vars(error).items()
    }


@given(ANY_ERROR)
def test_every_exception_round_trips_through_pickle(error: SalesmanagoIdosellError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301  (our own bytes)
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert copy.args == error.args
    assert fields(copy) == fields(error)


def test_every_public_exception_class_is_covered() -> None:
    classes = {
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type) and issubclass(obj, SalesmanagoIdosellError)
    }
    covered = {
        SalesmanagoIdosellError, ValidationError, TransportError, APITimeoutError,
        HTTPStatusError, AuthenticationError, NotFoundError, RateLimitError, ServerError,
        APIError, SalesmanagoAPIError, SalesmanagoV3APIError, IdosellAPIError,
        JobTimeoutError, ResponseValidationError, FeedError, IdosellItemsError, PageShapeError,
        PartialBatchError, SyncInProgressError, StateMismatchError, StateStoreError,
    }  # fmt: skip
    assert classes == covered


def _raise_in_worker(make: Callable[[], BaseException]) -> None:
    raise make()


def _v3_error() -> BaseException:
    return SalesmanagoV3APIError(
        reason_code=11,
        messages=["too long"],
        problems=[V3Problem(reason_code=11, message="name|max:256|too long", field="name")],
        status_code=400,
        endpoint="/v3/product/upsert",
    )


def test_an_error_raised_in_a_worker_process_reaches_the_parent_intact() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_in_worker, _v3_error)
        with pytest.raises(SalesmanagoV3APIError) as info:
            future.result(timeout=60)
    assert info.value.reason_code == 11
    assert info.value.fields == ("name",)
    assert info.value.status_code == 400
