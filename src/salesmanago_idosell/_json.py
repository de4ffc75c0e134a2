"""JSON answers parsed by msgspec when it is installed (extra ``speed``), else by ``json``.

The result is the standard library's, always: msgspec gives the same values and types for
every document it accepts (floats included: both round correctly), and what it refuses (the
``NaN`` and ``Infinity`` literals, ``1e400``, lone surrogates, a byte-order mark, UTF-16 or
UTF-32 bytes, nesting too deep, malformed JSON) is parsed — or refused, with the same
exception — by :func:`json.loads`, except that nesting too deep for it is a ``ValueError``
(it raises ``RecursionError``), like every other answer that cannot be read.
``tests/foundation/test_json.py`` checks both paths agree.

Why: parsing the answers is about a fifth of a full sync's client CPU (issue 11), and
msgspec's parser takes about half the time of the standard library's on IdoSell pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

__all__ = ["FAST", "loads"]

_decode: Callable[[bytes], Any] | None
try:
    import msgspec
except ImportError:  # pragma: no cover - the extra is installed in development
    _decode = None
    _Refused: type[Exception] = ValueError
else:
    _decode = msgspec.json.Decoder().decode
    _Refused = msgspec.DecodeError

#: True when answers are parsed by msgspec.
FAST = _decode is not None


def loads(content: bytes) -> Any:
    """``json.loads(content)``, by msgspec when it can (see the module docstring).

    Raises:
        ValueError: not JSON (``json.JSONDecodeError``), not text (``UnicodeDecodeError``),
            or nested deeper than the parser's recursion limit (about 1 000 levels; the
            standard library raises ``RecursionError`` there, which no caller expects from an
            answer, so a hostile or broken server's ``[[[[...`` escaped the SDK's errors).
    """
    decode = _decode
    if decode is not None:
        try:
            return decode(content)
        except (_Refused, RecursionError):
            pass  # the standard library decides, as without msgspec
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("JSON nested too deep to parse") from None
