"""Splitting work into API-sized chunks (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

from .errors import ValidationError

__all__ = ["chunked"]

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield consecutive lists of at most ``size`` items, lazily, in order.

    Example:
        >>> list(chunked(range(5), 2))
        [[0, 1], [2, 3], [4]]
    """
    if size < 1:
        raise ValidationError(f"chunk size must be at least 1, got {size}", field="chunk_size")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
