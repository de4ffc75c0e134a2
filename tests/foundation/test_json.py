"""Answers parsed by msgspec (extra ``speed``) give exactly what ``json.loads`` gives."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesmanago_idosell import _json
from salesmanago_idosell._transport import HTTPResponse

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (NaN equals NaN; -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _outcome(parse: Any, content: bytes) -> Any:
    try:
        return parse(content)
    except (ValueError, RecursionError) as exc:
        return type(exc)


@pytest.mark.skipif(not _json.FAST, reason="msgspec (extra speed) is not installed")
def test_msgspec_parses_the_answers_when_installed() -> None:
    assert _json._decode is not None


@settings(max_examples=400, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), indent=st.sampled_from([None, 1]))
def test_any_document_gives_what_json_loads_gives(
    value: Any, ascii_only: bool, indent: int | None
) -> None:
    content = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    assert _same(_json.loads(content), json.loads(content))


@settings(max_examples=300, deadline=None)
@given(number=st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_keeps_its_digits(number: float) -> None:
    for text in (repr(number), f"{number:.17g}", f"{number:e}", f"{number:.3f}"):
        content = f'{{"price": {text}}}'.encode()
        assert _same(_json.loads(content), json.loads(content)), text


ODD = [
    b'{"a": NaN, "b": Infinity, "c": -Infinity}',
    b'{"a": 1e400, "b": -1e400}',
    b'"\\ud800 lone surrogate"',
    b'\xef\xbb\xbf{"bom": 1}',
    '{"utf16": "zażółć"}'.encode("utf-16"),
    '{"utf32": 1}'.encode("utf-32"),
    b'{"a": 1, "a": 2}',
    b'{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',
    b'{"zero": -0, "negative zero": -0.0}',
    b"  [1, 2.50, 3e2]\n",
    b"",
    b"{",
    b'{"a": 1} trailing',
    b"\xff\xfe\x00broken",
    b"<html>Bad gateway</html>",
]
DEEP = [b"[" * depth + b"]" * depth for depth in (900, 980, 990, 995, 1000, 5000)]


@pytest.mark.parametrize("content", ODD, ids=range(len(ODD)))
def test_what_msgspec_refuses_is_left_to_json_loads(content: bytes) -> None:
    got, expected = _outcome(_json.loads, content), _outcome(json.loads, content)
    if isinstance(expected, type):
        assert got is expected
    else:
        assert _same(got, expected)


@pytest.mark.parametrize("content", DEEP, ids=[c.count(b"[") for c in DEEP])
def test_nesting_parses_or_fails_as_with_json_loads(content: bytes) -> None:
    """As json.loads, except that too deep is a ValueError (json.loads: RecursionError)."""
    got, expected = _outcome(_json.loads, content), _outcome(json.loads, content)
    if expected is RecursionError:
        expected = ValueError
    assert (got if isinstance(got, type) else list) is (
        expected if isinstance(expected, type) else list
    )


@pytest.mark.parametrize("fast", [True, False], ids=["msgspec", "json"])
def test_nesting_too_deep_is_a_value_error(fast: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Callers turn ValueError into the SDK's typed errors; RecursionError escaped them."""
    if not fast:
        monkeypatch.setattr(_json, "_decode", None)
    with pytest.raises(ValueError, match="nested too deep"):
        _json.loads(b"[" * 100_000 + b"]" * 100_000)


def test_without_msgspec_json_loads_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_json, "_decode", None)
    assert _same(_json.loads(b'{"a": [1, 2.5, NaN]}'), json.loads(b'{"a": [1, 2.5, NaN]}'))
    with pytest.raises(json.JSONDecodeError):
        _json.loads(b"{")


def test_a_response_is_parsed_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    def decode(content: bytes) -> Any:
        seen.append(content)
        return json.loads(content)

    monkeypatch.setattr(_json, "_decode", decode)
    response = HTTPResponse(
        status_code=200, headers={}, content=b'{"ok": true}', url="http://x", elapsed=0.0
    )
    assert response.json() == {"ok": True}
    assert seen == [b'{"ok": true}']
